use std::path::PathBuf;
use std::time::Duration;

/// What went wrong talking to a model, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read tape {path}: {source}; check the path given to --model tape:FILE")]
    TapeIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("tape {path} is not valid: {message}; see DESIGN.md §9 for the tape format")]
    TapeFormat { path: PathBuf, message: String },
    #[error("tape exhausted")]
    TapeExhausted,
    #[error("invalid model spec `{spec}`: {message}")]
    InvalidSpec { spec: String, message: String },
    #[error("the {provider} provider is not available in this build yet; use --model tape:FILE")]
    ProviderUnavailable { provider: String },
    #[error("model request failed: {message}")]
    Request { message: String, retryable: bool },
    /// A provider is not configured (missing API key, bad base URL): fix the setting named in
    /// `message`.
    #[error("{provider} is not configured: {message}")]
    Config {
        provider: &'static str,
        message: String,
    },
    /// The server answered with a non-success HTTP status. `message` says what to do.
    #[error("HTTP {status} from {provider}: {message}")]
    Http {
        provider: &'static str,
        status: u16,
        message: String,
        /// What the server asked us to wait before trying again, when it said.
        retry_after: Option<Duration>,
    },
    /// No connection could be made (DNS, refused, TLS, connect timeout).
    #[error("cannot reach {provider} at {url}: {message}; check the network and the base URL")]
    Connect {
        provider: &'static str,
        url: String,
        message: String,
    },
    /// The server went quiet: `stage` is "first byte" or "between stream chunks".
    #[error(
        "the model server sent nothing for {}s ({stage}); it may be overloaded, or raise the timeout",
        after.as_secs_f64()
    )]
    Timeout {
        stage: &'static str,
        after: Duration,
    },
    /// A `[models]` table in a config file is wrong; `message` names the table and key and
    /// says what to write instead.
    #[error("{origin}: {message}")]
    Catalog { origin: String, message: String },
    /// No model was given and none could be found; `message` lists every way to name one.
    #[error("{message}")]
    NoModel { message: String },
    /// The response stream broke or could not be understood.
    #[error("model stream failed: {message}")]
    Stream { message: String, retryable: bool },
}

impl ModelError {
    /// Whether trying the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            ModelError::Request { retryable, .. } | ModelError::Stream { retryable, .. } => {
                *retryable
            }
            // Rate limits, overload and server faults pass; client errors (bad key, unknown
            // model, request too large) fail the same way every time.
            ModelError::Http { status, .. } => is_retryable_status(*status),
            ModelError::Connect { .. } | ModelError::Timeout { .. } => true,
            ModelError::Config { .. } | ModelError::Catalog { .. } | ModelError::NoModel { .. } => {
                false
            }
            ModelError::TapeIo { .. }
            | ModelError::TapeFormat { .. }
            | ModelError::TapeExhausted
            | ModelError::InvalidSpec { .. }
            | ModelError::ProviderUnavailable { .. } => false,
        }
    }
}

/// HTTP statuses worth retrying: timeouts, conflicts, rate limits, Anthropic's 529 "overloaded"
/// and server errors.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429 | 529) || (500..=599).contains(&status)
}
