use std::path::PathBuf;

/// Errors that stop a session from starting or a request from being taken.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("no folder given: add at least one root with --folder DIR")]
    NoRoots,
    #[error(
        "no model given: pass --model SPEC (e.g. tape:examples/quarterly/tape.yaml) or set COWORK_MODEL"
    )]
    NoModel,
    #[error(transparent)]
    Config(#[from] cowork_policy::PolicyError),
    #[error(transparent)]
    Workspace(#[from] cowork_fs::FsError),
    #[error(transparent)]
    Audit(#[from] cowork_audit::AuditError),
    #[error(
        "the audit log {path} is inside the workspace root {root}; the model could read or change it. \
         Set [audit] path to a folder outside every root"
    )]
    AuditInsideRoot { path: PathBuf, root: PathBuf },
    #[error("{0}")]
    Privacy(String),
    #[error("grants file {path}: {message}")]
    Grants { path: PathBuf, message: String },
    #[error("no grant with id {0}; list them with `cowork grants list`")]
    UnknownGrant(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("a session can only be resumed from the session store; do not turn persistence off")]
    ResumeWithoutStore,
    #[error("the task has already finished; decisions can no longer be taken")]
    TaskGone,
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
