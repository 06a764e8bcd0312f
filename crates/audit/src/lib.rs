//! cowork-audit: the tamper-evident audit log (DESIGN.md §7).
//!
//! One JSON record per line, append-only. Each record's `prev` is the SHA-256 of the previous
//! line's exact bytes (64 zeros for the first), so changing, removing or moving any record breaks
//! the chain at that point, and [`verify`] names the first bad `seq` and why. Two small files sit
//! next to the log: `<log>.head` (where the log ended, to notice records cut off the end) and,
//! after retention removed old records, `<log>.anchor` (where the chain now starts).
//!
//! Content (tool input/output) is recorded only as its SHA-256 unless
//! [`AuditOptions::include_content`] is set.

mod error;
mod export;
mod files;
mod lines;
mod log;
mod record;
mod retention;
mod verify;

use std::path::{Path, PathBuf};

pub use error::AuditError;
pub use export::{CSV_COLUMNS, export_csv, read_records};
pub use files::{Anchor, Head, anchor_path, head_path};
pub use log::{AuditLog, AuditOptions, HEAD_INTERVAL};
pub use record::{AuditEntry, AuditKind, AuditRecord, GENESIS_PREV, sha256_hex};
pub use verify::{Tamper, VerifyReport, verify};

/// The log's file name inside an audit directory (`[audit] path` names the directory).
pub const AUDIT_FILE_NAME: &str = "audit.jsonl";

/// cowork's per-user data directory, `$XDG_DATA_HOME/cowork`, else `~/.local/share/cowork`:
/// the audit log and the workspace grants live here, never inside a root.
pub fn default_data_dir() -> PathBuf {
    // The XDG spec says relative values are invalid and must be ignored.
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::home_dir().map(|h| h.join(".local/share")))
        // No home at all (a bare service account): a per-machine location, still outside any
        // workspace, rather than a relative path that could land inside a root.
        .unwrap_or_else(|| std::env::temp_dir().join("cowork-data"));
    data_home.join("cowork")
}

/// `$XDG_DATA_HOME/cowork/audit`, else `~/.local/share/cowork/audit`. Never inside a root.
pub fn default_audit_dir() -> PathBuf {
    default_data_dir().join("audit")
}

/// `$XDG_DATA_HOME/cowork/audit/audit.jsonl`, else `~/.local/share/cowork/audit/audit.jsonl`.
pub fn default_audit_path() -> PathBuf {
    default_audit_dir().join(AUDIT_FILE_NAME)
}

/// The log file for a configured `[audit] path` or a `cowork audit verify PATH` argument: a
/// directory means `DIR/audit.jsonl`, an existing file is itself, and a path that does not exist
/// yet names a directory unless it has an extension (`/var/log/cowork` vs `/var/log/cowork.jsonl`).
pub fn resolve_audit_path(path: &Path) -> PathBuf {
    let is_dir = path.is_dir() || (!path.exists() && path.extension().is_none());
    if is_dir {
        path.join(AUDIT_FILE_NAME)
    } else {
        path.to_path_buf()
    }
}

/// The log file for a configured `[audit] path`, or the default one.
pub fn configured_audit_path(configured: Option<&Path>) -> PathBuf {
    configured.map_or_else(default_audit_path, resolve_audit_path)
}
