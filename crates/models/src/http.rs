//! HTTP plumbing shared by the real providers: one client setup, JSON POST with retries before
//! the first byte, server-sent events with an idle timeout, and errors that say what to do.
//!
//! Retries live here only up to the response headers: once a stream has started, a failure is
//! reported as an error item and the core retries the whole turn, so no partial turn is ever
//! acted on twice.

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use reqwest::header::HeaderMap;

use crate::ModelError;

/// The longest a server may ask us to wait and still be retried in place; longer waits are
/// handed to the caller as the error (with `retry_after`) instead of blocking the turn.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);
/// Cap for the exponential backoff between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Timeouts and retry policy for one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// TCP + TLS connection setup.
    pub connect_timeout: Duration,
    /// From sending the request until the response headers arrive (the model may think first).
    pub first_byte_timeout: Duration,
    /// Longest silence allowed between two chunks of a streamed body.
    pub idle_timeout: Duration,
    /// Attempts in total (1 = no retry) for failures before the first byte.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubled for each later one, with jitter.
    pub base_backoff: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(120),
            idle_timeout: Duration::from_secs(90),
            max_attempts: 4,
            base_backoff: Duration::from_millis(500),
        }
    }
}

/// A client with the connect timeout applied. No overall request timeout: streams may run long;
/// the first-byte and idle timeouts bound them instead.
pub fn client(settings: &HttpSettings) -> Result<reqwest::Client, ModelError> {
    reqwest::Client::builder()
        .connect_timeout(settings.connect_timeout)
        .user_agent(concat!("cowork/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ModelError::Request {
            message: format!("cannot set up the HTTP client (TLS roots?): {e}"),
            retryable: false,
        })
}

/// POST JSON with retries before the first byte; returns the successful response or a ModelError
/// built by [`describe_error`].
///
/// Retried: connection failures and retryable statuses (429, 529, 5xx, ...), honoring
/// `retry-after`. Not retried: other 4xx, and a first-byte timeout (already a long wait; the
/// core may retry the turn).
pub async fn post_json(
    client: &reqwest::Client,
    settings: &HttpSettings,
    provider: &'static str,
    url: &str,
    headers: &[(&str, String)],
    body: &serde_json::Value,
) -> Result<reqwest::Response, ModelError> {
    let attempts = settings.max_attempts.max(1);
    let mut attempt = 1;
    loop {
        let mut request = client.post(url);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        // After the headers: `json` only sets content-type when the caller did not.
        let request = request.json(body);
        let outcome = tokio::time::timeout(settings.first_byte_timeout, request.send()).await;
        let error = match outcome {
            Err(_elapsed) => {
                return Err(ModelError::Timeout {
                    stage: "first byte",
                    after: settings.first_byte_timeout,
                });
            }
            Ok(Err(e)) if e.is_builder() => {
                return Err(ModelError::Config {
                    provider,
                    message: format!("cannot build a request to `{url}`: {e}; check the base URL"),
                });
            }
            Ok(Err(e)) => ModelError::Connect {
                provider,
                url: url.to_string(),
                message: error_chain(&e),
            },
            Ok(Ok(response)) if response.status().is_success() => return Ok(response),
            Ok(Ok(response)) => {
                let status = response.status().as_u16();
                let retry_after = parse_retry_after(response.headers());
                // The error body is small; bound the read so a stalled server cannot hang us.
                let text = tokio::time::timeout(settings.idle_timeout, response.text())
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .unwrap_or_default();
                describe_error(provider, status, &text, retry_after)
            }
        };
        if attempt >= attempts || !error.is_retryable() {
            return Err(error);
        }
        let wait = match &error {
            ModelError::Http {
                retry_after: Some(wait),
                ..
            } => *wait,
            _ => backoff(settings.base_backoff, attempt),
        };
        if wait > MAX_RETRY_WAIT {
            return Err(error);
        }
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// Exponential backoff for the wait after failed attempt `attempt` (1-based), with jitter in
/// [50%, 100%] so many clients hitting one limit do not retry in lockstep.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
        .min(MAX_BACKOFF);
    exp.mul_f64(0.5 + fastrand::f64() * 0.5)
}

/// reqwest's Display hides the cause ("error sending request"); the chain says e.g. "connection
/// refused".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The environment variable holding a provider's API key.
pub fn api_key_env(provider: &str) -> String {
    match provider {
        "anthropic" => "ANTHROPIC_API_KEY".to_string(),
        "openai" => "OPENAI_API_KEY".to_string(),
        other => format!("{}_API_KEY", other.to_ascii_uppercase().replace('-', "_")),
    }
}

/// Turn an error response into a [`ModelError::Http`] whose message names the server's own
/// explanation and what the person should do. Understands the Anthropic envelope
/// `{"type":"error","error":{"type","message"}}`, the OpenAI one `{"error":{"message","type",
/// "code"}}` and Ollama's `{"error":"..."}`; anything else is quoted (shortened).
pub fn describe_error(
    provider: &'static str,
    status: u16,
    body: &str,
    retry_after: Option<Duration>,
) -> ModelError {
    let (kind, detail) = error_details(body);
    let lower = format!("{kind} {detail}").to_ascii_lowercase();
    let too_long = lower.contains("too long")
        || lower.contains("context length")
        || lower.contains("context_length")
        || lower.contains("context window")
        || lower.contains("too many tokens");
    let hint = match status {
        401 => format!("set {} or check it", api_key_env(provider)),
        403 => "the API key is not allowed to use this model or endpoint; check its permissions"
            .to_string(),
        404 => "unknown model name (or wrong base URL); check the name given to --model".to_string(),
        413 => "the request is too large; the context is too large, start a new task or attach fewer files".to_string(),
        400 | 422 if too_long => {
            "the context is too large for this model; start a new task or attach fewer files"
                .to_string()
        }
        400 | 422 => "the server rejected the request; this is likely a cowork bug, please report it with this message".to_string(),
        408 => "the server timed out; it will be retried".to_string(),
        429 => "rate limited; wait a moment (it is retried automatically) or check your plan's limits".to_string(),
        529 | 503 => "the service is overloaded; it is retried automatically, or try again later".to_string(),
        500..=599 => "the service had an internal error; it is retried automatically, or try again later".to_string(),
        _ => "unexpected answer from the server; check the base URL".to_string(),
    };
    let said = match (kind.is_empty(), detail.is_empty()) {
        (true, true) => String::new(),
        (true, false) => format!("{detail}; "),
        (false, true) => format!("{kind}; "),
        (false, false) => format!("{kind}: {detail}; "),
    };
    ModelError::Http {
        provider,
        status,
        message: format!("{said}{hint}"),
        retry_after,
    }
}

/// (error type, error message) from a JSON error body, or ("", shortened body).
fn error_details(body: &str) -> (String, String) {
    let text = |v: Option<&serde_json::Value>| {
        v.and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(json) => match json.get("error") {
            Some(serde_json::Value::String(message)) => (String::new(), message.clone()),
            Some(error) => {
                let kind = match error.get("type").and_then(serde_json::Value::as_str) {
                    Some(kind) => kind.to_string(),
                    None => text(error.get("code")),
                };
                (kind, text(error.get("message")))
            }
            None => (String::new(), text(json.get("message"))),
        },
        Err(_) => (String::new(), shorten(body.trim(), 300)),
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// How long the server asked us to wait: `retry-after-ms` (milliseconds, OpenAI/Azure) wins
/// over `retry-after` (seconds, or an HTTP date).
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = header("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    // A date in the past means "now".
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, if the server named the event.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// Server-sent events from a response body, with the idle timeout applied per chunk. Yields
/// (event name or None, data string); handles \r\n, multi-line data, comments, partial chunks.
/// After an error item the stream ends.
pub fn sse_events(
    response: reqwest::Response,
    idle: Duration,
) -> impl Stream<Item = Result<SseEvent, ModelError>> + Send {
    let body: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>> =
        Box::pin(response.bytes_stream());
    sse_from_chunks(body, idle)
}

/// [`sse_events`] over any byte stream (lets tests feed exact chunk splits).
pub(crate) fn sse_from_chunks<E: std::error::Error + Send + 'static>(
    body: Pin<Box<dyn Stream<Item = Result<Bytes, E>> + Send>>,
    idle: Duration,
) -> impl Stream<Item = Result<SseEvent, ModelError>> + Send {
    struct State<E> {
        body: Pin<Box<dyn Stream<Item = Result<Bytes, E>> + Send>>,
        parser: SseParser,
        ready: VecDeque<SseEvent>,
        done: bool,
    }
    let state = State {
        body,
        parser: SseParser::default(),
        ready: VecDeque::new(),
        done: false,
    };
    futures::stream::unfold(state, move |mut st| async move {
        loop {
            if let Some(event) = st.ready.pop_front() {
                return Some((Ok(event), st));
            }
            if st.done {
                return None;
            }
            let error = match tokio::time::timeout(idle, st.body.next()).await {
                Err(_elapsed) => ModelError::Timeout {
                    stage: "between stream chunks",
                    after: idle,
                },
                Ok(None) => {
                    st.done = true;
                    st.ready.extend(st.parser.finish());
                    continue;
                }
                Ok(Some(Err(e))) => ModelError::Stream {
                    message: format!(
                        "the connection broke in the middle of the response: {}",
                        error_chain(&e)
                    ),
                    retryable: true,
                },
                Ok(Some(Ok(chunk))) => match st.parser.push(&chunk) {
                    Ok(events) => {
                        st.ready.extend(events);
                        continue;
                    }
                    Err(message) => ModelError::Stream {
                        message,
                        retryable: false,
                    },
                },
            };
            st.done = true;
            return Some((Err(error), st));
        }
    })
}

/// Incremental parser for the `text/event-stream` format (WHATWG HTML §9.2), fed arbitrary
/// byte chunks.
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    /// Bytes not yet ending in a line terminator.
    buf: Vec<u8>,
    event: Option<String>,
    data: String,
    has_data: bool,
}

impl SseParser {
    /// Feed bytes; returns the events completed by them.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, String> {
        self.buf.extend_from_slice(chunk);
        let mut events = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < self.buf.len() {
            let end = match self.buf[i] {
                b'\n' => i + 1,
                // A lone `\r` also ends a line, but `\r\n` is one terminator: when `\r` is the
                // last byte we cannot tell yet, so wait for more.
                b'\r' if i + 1 == self.buf.len() => break,
                b'\r' if self.buf[i + 1] == b'\n' => i + 2,
                b'\r' => i + 1,
                _ => {
                    i += 1;
                    continue;
                }
            };
            let line = std::str::from_utf8(&self.buf[start..i])
                .map_err(|e| format!("the server sent invalid UTF-8 in an event: {e}"))?
                .to_string();
            if let Some(event) = self.line(&line) {
                events.push(event);
            }
            start = end;
            i = end;
        }
        self.buf.drain(..start);
        Ok(events)
    }

    /// End of body: a trailing `\r` ends its line; an event whose data lines are complete but
    /// that lacks the closing blank line is still delivered. A line cut off mid-way is dropped,
    /// so the caller notices the missing end-of-stream event instead of parsing half a JSON.
    pub(crate) fn finish(&mut self) -> Vec<SseEvent> {
        let mut events = Vec::new();
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
            let line = String::from_utf8_lossy(&self.buf).into_owned();
            events.extend(self.line(&line));
        }
        self.buf.clear();
        events.extend(self.line(""));
        events
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let event = self.event.take();
            if !std::mem::take(&mut self.has_data) {
                return None;
            }
            return Some(SseEvent {
                event,
                data: std::mem::take(&mut self.data),
            });
        }
        if line.starts_with(':') {
            return None; // comment, e.g. keep-alives or `: OPENROUTER PROCESSING`
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = (!value.is_empty()).then(|| value.to_string()),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            _ => {} // id, retry and unknown fields do not matter to us
        }
        None
    }
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
