//! OpenAI-compatible Chat Completions provider: OpenAI itself, Ollama's `/v1`, and the many
//! servers that copy the format (llama.cpp/GPUStack, vLLM, Mistral, OpenRouter, Azure, ...).
//!
//! One turn is one streaming `POST {base}/chat/completions`. Retries before the first byte and
//! the timeouts live in [`crate::http`]; this module maps our messages to the wire format
//! (`request`), the streamed chunks back to [`ModelEvent`]s (`chunks`), and recognises tool
//! calls that local models write as text (`shim`).

mod chunks;
mod constrain;
mod request;
mod shim;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use futures::{Stream, StreamExt};

use crate::http::{self, HttpSettings, SseEvent};
use crate::{Constrain, Model, ModelError, ModelEvent, ModelInfo, ModelRequest, ModelStream};
use chunks::Turn;

const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
const OLLAMA_BASE_URL: &str = "http://localhost:11434/v1";
const OLLAMA_PORT: u16 = 11434;
/// Output limit when a request does not set one.
const DEFAULT_MAX_TOKENS: u32 = 8192;

/// How to reach one OpenAI-compatible endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAiConfig {
    pub model: String,
    /// Sent as `Authorization: Bearer KEY` when set.
    pub api_key: Option<String>,
    /// Up to and including `/v1`, without a trailing slash.
    pub base_url: String,
    /// `"openai"` or `"ollama"`: names the provider in errors and in [`ModelInfo::spec`].
    pub provider_label: &'static str,
    /// Output limit used when a request does not set `max_output_tokens`.
    pub max_tokens: u32,
    pub http: HttpSettings,
    /// True when no data leaves the machine (the server is on loopback).
    pub local: bool,
    /// Whether tool-using turns ask the server to keep the output to the tool schema.
    pub constrain: Constrain,
}

impl OpenAiConfig {
    /// `openai:MODEL`: base URL from `--base-url`, else `OPENAI_BASE_URL`, else OpenAI's; the key
    /// from `OPENAI_API_KEY`. A missing key is an error only for OpenAI's own host, since local
    /// and self-hosted servers usually need none.
    pub fn openai_from_env(
        model: impl Into<String>,
        base_url_flag: Option<String>,
    ) -> Result<OpenAiConfig, ModelError> {
        OpenAiConfig::openai_from_vars(
            model.into(),
            base_url_flag,
            non_empty_env("OPENAI_BASE_URL"),
            non_empty_env("OPENAI_API_KEY"),
        )
    }

    /// [`OpenAiConfig::openai_from_env`] with the environment passed in.
    pub fn openai_from_vars(
        model: String,
        base_url_flag: Option<String>,
        env_base_url: Option<String>,
        api_key: Option<String>,
    ) -> Result<OpenAiConfig, ModelError> {
        let base_url = base_url_flag
            .filter(|b| !b.trim().is_empty())
            .or(env_base_url)
            .unwrap_or_else(|| OPENAI_BASE_URL.to_string());
        let base_url = base_url.trim().trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&base_url).map_err(|e| ModelError::Config {
            provider: "openai",
            message: format!(
                "the base URL `{base_url}` is not a URL ({e}); give e.g. --base-url http://localhost:8080/v1"
            ),
        })?;
        let api_key = api_key.filter(|k| !k.trim().is_empty());
        if api_key.is_none() && url.host_str() == Some("api.openai.com") {
            return Err(ModelError::Config {
                provider: "openai",
                message: "OPENAI_API_KEY is not set; export it, or point --base-url (or \
                          OPENAI_BASE_URL) at a server that needs no key"
                    .to_string(),
            });
        }
        Ok(OpenAiConfig {
            model,
            api_key,
            local: is_loopback(&url),
            base_url,
            provider_label: "openai",
            max_tokens: DEFAULT_MAX_TOKENS,
            http: HttpSettings::default(),
            constrain: Constrain::None,
        })
    }

    /// `ollama:MODEL`: Ollama's OpenAI-compatible `/v1` at `OLLAMA_HOST` (default
    /// `localhost:11434`). No key is needed; `OLLAMA_API_KEY` is sent when set (ollama.com).
    pub fn ollama(model: impl Into<String>) -> OpenAiConfig {
        OpenAiConfig::ollama_from_vars(
            model.into(),
            non_empty_env("OLLAMA_HOST"),
            non_empty_env("OLLAMA_API_KEY"),
        )
    }

    /// [`OpenAiConfig::ollama`] with the environment passed in. `host` takes Ollama's own
    /// forms: `HOST`, `HOST:PORT`, `http(s)://HOST[:PORT]`, optionally with a path.
    pub fn ollama_from_vars(
        model: String,
        host: Option<String>,
        api_key: Option<String>,
    ) -> OpenAiConfig {
        let base_url = match host {
            Some(host) => format!("{}/v1", ollama_root(&host)),
            None => OLLAMA_BASE_URL.to_string(),
        };
        // A remote OLLAMA_HOST is another machine: data leaves this one.
        let local = reqwest::Url::parse(&base_url)
            .map(|u| is_loopback(&u))
            .unwrap_or(false);
        OpenAiConfig {
            model,
            api_key: api_key.filter(|k| !k.trim().is_empty()),
            base_url,
            provider_label: "ollama",
            max_tokens: DEFAULT_MAX_TOKENS,
            http: HttpSettings::default(),
            local,
            constrain: Constrain::None,
        }
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Ollama's root URL (no `/v1`) from `OLLAMA_HOST`-style text: `HOST`, `HOST:PORT`,
/// `http(s)://HOST[:PORT]`, optionally with a path; a trailing `/v1` is dropped.
pub(crate) fn ollama_root(host: &str) -> String {
    let host = host.trim().trim_end_matches('/');
    let host = host.strip_suffix("/v1").unwrap_or(host);
    let (scheme, rest) = match host.split_once("://") {
        Some((scheme, rest)) => (scheme, rest),
        None => ("http", host),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    // `HOST` alone means Ollama's port; `[::1]` and `::1`-style IPv6 need care with the colon.
    let has_port = match authority.rsplit_once(':') {
        Some((head, port)) => {
            port.chars().all(|c| c.is_ascii_digit())
                && !port.is_empty()
                && (!head.contains(':') || head.ends_with(']'))
        }
        None => false,
    };
    let authority = if has_port || scheme != "http" {
        authority.to_string()
    } else {
        format!("{authority}:{OLLAMA_PORT}")
    };
    format!("{scheme}://{authority}{path}")
}

pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Adds what only this provider knows to an error from [`http::post_json`]: which model was
/// missing, and that a local Ollama may simply not be running.
fn explain(config: &OpenAiConfig, error: ModelError) -> ModelError {
    let ollama = config.provider_label == "ollama";
    match error {
        ModelError::Http {
            provider,
            status: 404,
            message,
            retry_after,
        } => {
            let fix = if ollama {
                format!(
                    "; if it is not downloaded yet, run `ollama pull {}`",
                    config.model
                )
            } else {
                String::new()
            };
            ModelError::Http {
                provider,
                status: 404,
                message: format!(
                    "model `{}` not found at {}: {message}{fix}",
                    config.model, config.base_url
                ),
                retry_after,
            }
        }
        ModelError::Connect {
            provider,
            url,
            message,
        } if ollama => ModelError::Connect {
            provider,
            url,
            message: format!(
                "{message}; is Ollama running? Start it with `ollama serve`, or set OLLAMA_HOST"
            ),
        },
        other => other,
    }
}

/// A model behind an OpenAI-compatible Chat Completions endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiModel {
    config: OpenAiConfig,
    client: reqwest::Client,
}

impl OpenAiModel {
    pub fn new(config: OpenAiConfig) -> Result<OpenAiModel, ModelError> {
        let client = http::client(&config.http)?;
        Ok(OpenAiModel { config, client })
    }

    pub fn config(&self) -> &OpenAiConfig {
        &self.config
    }
}

impl Model for OpenAiModel {
    fn info(&self) -> ModelInfo {
        ModelInfo {
            spec: format!("{}:{}", self.config.provider_label, self.config.model),
            local: self.config.local,
            region: None,
        }
    }

    fn context_window(&self) -> Option<u64> {
        known_context_window(&self.config.model)
    }

    fn stream(&self, request: &ModelRequest) -> ModelStream {
        let config = self.config.clone();
        let client = self.client.clone();
        let body = request::chat_body(&config.model, config.max_tokens, config.constrain, request);
        let tools = request.tools.iter().map(|t| t.name.clone()).collect();
        let constrained = config.constrain != Constrain::None && !request.tools.is_empty();
        let turn = Turn::new(config.provider_label, tools, constrained);
        let idle = config.http.idle_timeout;
        let start: StartFuture = Box::pin(async move {
            let url = format!("{}/chat/completions", config.base_url);
            let mut headers = Vec::new();
            if let Some(key) = &config.api_key {
                headers.push(("authorization", format!("Bearer {key}")));
            }
            http::post_json(
                &client,
                &config.http,
                config.provider_label,
                &url,
                &headers,
                &body,
            )
            .await
            .map_err(|e| explain(&config, e))
        });
        let state = Driver {
            phase: Phase::Starting(start, turn),
            ready: VecDeque::new(),
            idle,
        };
        Box::pin(futures::stream::unfold(state, Driver::next))
    }
}

/// OpenAI's published context windows; other servers' models vary with how they are run,
/// so they need `context_window` in the config.
fn known_context_window(model: &str) -> Option<u64> {
    if model.starts_with("gpt-4.1") {
        Some(1_047_576)
    } else if model.starts_with("gpt-4o") {
        Some(128_000)
    } else {
        None
    }
}

type StartFuture = Pin<Box<dyn Future<Output = Result<reqwest::Response, ModelError>> + Send>>;
type SseStream = Pin<Box<dyn Stream<Item = Result<SseEvent, ModelError>> + Send>>;

enum Phase {
    Starting(StartFuture, Turn),
    Streaming(SseStream, Turn),
    Finished,
}

/// The state of one turn's stream. Dropping it drops the response, which ends the request.
struct Driver {
    phase: Phase,
    ready: VecDeque<ModelEvent>,
    idle: std::time::Duration,
}

impl Driver {
    async fn next(mut self) -> Option<(Result<ModelEvent, ModelError>, Driver)> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some((Ok(event), self));
            }
            match std::mem::replace(&mut self.phase, Phase::Finished) {
                Phase::Finished => return None,
                Phase::Starting(start, turn) => match start.await {
                    Ok(response) => {
                        let events = Box::pin(http::sse_events(response, self.idle));
                        self.phase = Phase::Streaming(events, turn);
                    }
                    Err(error) => return Some((Err(error), self)),
                },
                Phase::Streaming(mut events, mut turn) => {
                    let (step, eof) = match events.next().await {
                        Some(Ok(event)) => (turn.on_data(&event.data), false),
                        Some(Err(error)) => return Some((Err(error), self)),
                        // Some servers (GPUStack/llama-box) end the body without `[DONE]`.
                        None => (Ok(Vec::new()), true),
                    };
                    match step {
                        Err(error) => return Some((Err(error), self)),
                        Ok(released) => self.ready.extend(released),
                    }
                    // Stop at `[DONE]` rather than waiting for the server to close.
                    if eof || turn.is_done() {
                        match turn.finish() {
                            Ok(last) => self.ready.extend(last),
                            Err(error) => return Some((Err(error), self)),
                        }
                    } else {
                        self.phase = Phase::Streaming(events, turn);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_config_from_vars() {
        let missing = OpenAiConfig::openai_from_vars("gpt-4o".into(), None, None, None);
        let message = missing.unwrap_err().to_string();
        assert!(message.contains("OPENAI_API_KEY"), "{message}");

        let config =
            OpenAiConfig::openai_from_vars("gpt-4o".into(), None, None, Some("sk-1".into()))
                .unwrap();
        assert_eq!(config.base_url, "https://api.openai.com/v1");
        assert!(!config.local);

        // A self-hosted server needs no key; the flag wins over the environment.
        let config = OpenAiConfig::openai_from_vars(
            "qwen".into(),
            Some("http://127.0.0.1:8080/v1/".into()),
            Some("https://example.com/v1".into()),
            None,
        )
        .unwrap();
        assert_eq!(config.base_url, "http://127.0.0.1:8080/v1");
        assert!(config.local);
        assert_eq!(config.api_key, None);
        let env = OpenAiConfig::openai_from_vars(
            "m".into(),
            None,
            Some("https://example.com/v1".into()),
            None,
        )
        .unwrap();
        assert_eq!(env.base_url, "https://example.com/v1");
        assert!(!env.local);
        assert!(
            OpenAiConfig::openai_from_vars("m".into(), Some("not a url".into()), None, None)
                .is_err()
        );
    }

    #[test]
    fn ollama_hosts() {
        let base = |host: Option<&str>| {
            OpenAiConfig::ollama_from_vars("qwen3".into(), host.map(str::to_string), None)
        };
        let default = base(None);
        assert_eq!(default.base_url, "http://localhost:11434/v1");
        assert!(default.local && default.api_key.is_none());
        assert_eq!(default.provider_label, "ollama");
        assert_eq!(
            base(Some("127.0.0.1")).base_url,
            "http://127.0.0.1:11434/v1"
        );
        assert_eq!(
            base(Some("0.0.0.0:9999")).base_url,
            "http://0.0.0.0:9999/v1"
        );
        assert_eq!(
            base(Some("http://[::1]:8000/")).base_url,
            "http://[::1]:8000/v1"
        );
        let remote = base(Some("https://ollama.com"));
        assert_eq!(remote.base_url, "https://ollama.com/v1");
        assert!(!remote.local, "a remote Ollama is not local processing");
        assert_eq!(base(Some("gpu-box")).base_url, "http://gpu-box:11434/v1");
        assert!(!base(Some("gpu-box")).local);
    }
}
