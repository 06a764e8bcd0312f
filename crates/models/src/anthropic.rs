//! Anthropic Messages API provider (streaming).
//!
//! `request` maps a [`ModelRequest`] to the wire body; `decode` turns the server-sent events
//! into [`ModelEvent`]s. This file holds the configuration and the [`Model`] impl.

mod decode;
mod request;

use std::time::Duration;

use futures::StreamExt;

use crate::http::{self, HttpSettings};
use crate::{Model, ModelError, ModelInfo, ModelRequest, ModelStream};

const PROVIDER: &str = "anthropic";
const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
const API_VERSION: &str = "2023-06-01";
const DEFAULT_MAX_TOKENS: u32 = 8192;

/// How to reach one Anthropic model.
#[derive(Clone)]
pub struct AnthropicConfig {
    /// e.g. `claude-sonnet-4-5`.
    pub model: String,
    pub api_key: String,
    /// Default `https://api.anthropic.com`, or `ANTHROPIC_BASE_URL` (proxies, local gateways).
    pub base_url: String,
    /// Upper bound on output tokens per turn (the request's own limit applies when lower).
    pub max_tokens: u32,
    pub http: HttpSettings,
}

impl std::fmt::Debug for AnthropicConfig {
    // Hand-written so the API key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnthropicConfig")
            .field("model", &self.model)
            .field("api_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("max_tokens", &self.max_tokens)
            .field("http", &self.http)
            .finish()
    }
}

impl AnthropicConfig {
    /// Configuration from `ANTHROPIC_API_KEY` (required) and `ANTHROPIC_BASE_URL` (optional).
    pub fn from_env(model: impl Into<String>) -> Result<AnthropicConfig, ModelError> {
        let var = |name: &str| std::env::var(name).ok();
        AnthropicConfig::from_vars(model, var("ANTHROPIC_API_KEY"), var("ANTHROPIC_BASE_URL"))
    }

    /// [`AnthropicConfig::from_env`] with the key and base URL passed in (blank means unset).
    pub fn from_vars(
        model: impl Into<String>,
        api_key: Option<String>,
        base_url: Option<String>,
    ) -> Result<AnthropicConfig, ModelError> {
        let set = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let api_key = set(api_key).ok_or_else(|| ModelError::Config {
            provider: PROVIDER,
            message: "ANTHROPIC_API_KEY is not set; export ANTHROPIC_API_KEY=sk-ant-... \
                      (create a key at https://console.anthropic.com/settings/keys)"
                .to_string(),
        })?;
        let model = model.into();
        if model.trim().is_empty() {
            return Err(ModelError::Config {
                provider: PROVIDER,
                message: "the model name is empty; use e.g. --model anthropic:claude-sonnet-4-5"
                    .to_string(),
            });
        }
        Ok(AnthropicConfig {
            model,
            api_key,
            base_url: set(base_url).unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
            max_tokens: DEFAULT_MAX_TOKENS,
            http: HttpSettings::default(),
        })
    }

    fn messages_url(&self) -> String {
        format!("{}/v1/messages", self.base_url.trim_end_matches('/'))
    }
}

/// A Claude model behind the Messages API.
#[derive(Debug, Clone)]
pub struct AnthropicModel {
    config: AnthropicConfig,
    client: reqwest::Client,
}

impl AnthropicModel {
    pub fn new(config: AnthropicConfig) -> Result<AnthropicModel, ModelError> {
        reqwest::Url::parse(&config.messages_url()).map_err(|e| ModelError::Config {
            provider: PROVIDER,
            message: format!(
                "base URL `{}` is not a URL ({e}); fix ANTHROPIC_BASE_URL",
                config.base_url
            ),
        })?;
        let client = http::client(&config.http)?;
        Ok(AnthropicModel { config, client })
    }

    pub fn config(&self) -> &AnthropicConfig {
        &self.config
    }
}

impl Model for AnthropicModel {
    fn info(&self) -> ModelInfo {
        ModelInfo {
            spec: format!("{PROVIDER}:{}", self.config.model),
            local: is_loopback(&self.config.base_url),
            region: None,
        }
    }

    /// Every current Claude model reads 200k tokens (more only in opt-in betas).
    fn context_window(&self) -> Option<u64> {
        self.config.model.starts_with("claude-").then_some(200_000)
    }

    fn stream(&self, request: &ModelRequest) -> ModelStream {
        let body = request::body(&self.config.model, self.config.max_tokens, request);
        let client = self.client.clone();
        let settings = self.config.http.clone();
        let url = self.config.messages_url();
        let headers = vec![
            ("x-api-key", self.config.api_key.clone()),
            ("anthropic-version", API_VERSION.to_string()),
            ("content-type", "application/json".to_string()),
            ("accept", "text/event-stream".to_string()),
        ];
        let idle: Duration = settings.idle_timeout;
        let connect = async move {
            http::post_json(&client, &settings, PROVIDER, &url, &headers, &body).await
        };
        futures::stream::once(connect)
            .map(move |response| match response {
                Ok(response) => decode::events(http::sse_events(response, idle)).boxed(),
                Err(error) => futures::stream::iter([Err(error)]).boxed(),
            })
            .flatten()
            .boxed()
    }
}

/// True when `base_url` points at this machine, so no data leaves it (policy C4).
fn is_loopback(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let host = host.to_ascii_lowercase();
            host == "localhost" || host.ends_with(".localhost")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost:4000/"));
        assert!(is_loopback("http://[::1]:9/"));
        assert!(!is_loopback("https://api.anthropic.com"));
        assert!(!is_loopback("not a url"));
    }

    #[test]
    fn debug_hides_the_key() {
        let config = AnthropicConfig {
            model: "m".into(),
            api_key: "sk-ant-secret".into(),
            base_url: DEFAULT_BASE_URL.into(),
            max_tokens: 10,
            http: HttpSettings::default(),
        };
        assert!(!format!("{config:?}").contains("secret"));
    }
}
