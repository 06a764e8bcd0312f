use std::path::PathBuf;

use crate::verify::Tamper;

/// What went wrong with the audit log, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(
        "cannot {action} {path}: {source}; check that the directory exists and that this user may read and write it (or set `[audit] path` to another directory)"
    )]
    Io {
        /// What we were doing, e.g. `append to`, `lock`, `create directory`.
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "no audit log at {path}; check the path (or `[audit] path` in the config) — cowork creates the log on its first run"
    )]
    Missing { path: PathBuf },
    #[error(
        "audit log {path} is damaged or was tampered with at seq {seq} ({problem}): {detail}; run `cowork audit verify {path}` for the full report, then move {path} and its .head and .anchor files aside (keep them as evidence) so that a new log can start"
    )]
    Tampered {
        path: PathBuf,
        seq: u64,
        problem: Tamper,
        detail: String,
    },
    #[error(
        "line {line} of audit log {path} is not a valid audit record: {detail}; run `cowork audit verify {path}` to check the log's integrity"
    )]
    Malformed {
        path: PathBuf,
        line: u64,
        detail: String,
    },
    #[error(
        "audit file {path} is not valid: {detail}; it is written only by cowork, so run `cowork audit verify` on the log next to it to see whether it was tampered with"
    )]
    BadSidecar { path: PathBuf, detail: String },
    #[error(
        "cannot serialize an audit record: {source}; this is a bug in cowork-audit, please report it"
    )]
    Serialize {
        #[source]
        source: serde_json::Error,
    },
}

impl AuditError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        AuditError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}
