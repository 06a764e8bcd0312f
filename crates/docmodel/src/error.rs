//! The one error type of every reader and writer: each says what went wrong and what to do.

/// Why a document could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("{what} is not a format cowork reads{hint}")]
    Unsupported { what: String, hint: String },
    #[error(
        "{format} file is damaged and cannot be read: {detail}. Open and re-save it in its application, or export it as PDF"
    )]
    Corrupt { format: String, detail: String },
    #[error(
        "{format} file is password-protected or encrypted; save an unprotected copy and read that"
    )]
    Encrypted { format: String },
    #[error(
        "{what} exceeds the limit of {limit}; read a smaller part (pages, sheet, range) or raise the limit"
    )]
    TooLarge { what: String, limit: String },
    #[error(
        "the {format} reader failed on this file ({detail}); this is a bug in cowork's reader, please report it with the file if you can"
    )]
    ReaderPanicked { format: String, detail: String },
    #[error("{detail}")]
    InvalidOption { detail: String },
    #[error("cannot write the {format} file: {detail}")]
    Write { format: String, detail: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl DocError {
    /// A [`DocError::Corrupt`] for this format.
    pub fn corrupt(format: impl std::fmt::Display, detail: impl std::fmt::Display) -> DocError {
        DocError::Corrupt {
            format: format.to_string(),
            detail: detail.to_string(),
        }
    }

    /// A [`DocError::Write`] for this format.
    pub fn write(format: impl std::fmt::Display, detail: impl std::fmt::Display) -> DocError {
        DocError::Write {
            format: format.to_string(),
            detail: detail.to_string(),
        }
    }
}
