use cowork_fs::FsError;

/// Why a tool could not prepare or run. Every message is written for the model (and the person):
/// it says what went wrong and what to do next.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The input does not parse or does not make sense for this workspace.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The workspace refused or failed (confinement, missing file, undeclared effect, I/O).
    #[error(transparent)]
    Fs(#[from] FsError),
    /// A file exists but no reader can turn it into text.
    #[error("{0}")]
    Unsupported(String),
    /// The tool started but could not finish.
    #[error("{0}")]
    Failed(String),
}

impl ToolError {
    /// Shorthand for [`ToolError::InvalidInput`].
    pub(crate) fn invalid(msg: impl Into<String>) -> ToolError {
        ToolError::InvalidInput(msg.into())
    }
}
