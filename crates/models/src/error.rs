use std::path::PathBuf;

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
}

impl ModelError {
    /// Whether trying the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            ModelError::Request { retryable, .. } => *retryable,
            ModelError::TapeIo { .. }
            | ModelError::TapeFormat { .. }
            | ModelError::TapeExhausted
            | ModelError::InvalidSpec { .. }
            | ModelError::ProviderUnavailable { .. } => false,
        }
    }
}
