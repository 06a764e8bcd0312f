//! The session store: sessions, tasks, the transcript, actions and compactions in an embedded
//! SQLite database (`$XDG_DATA_HOME/cowork/sessions.db`), so a session can be listed, shown and
//! resumed, and a crash loses nothing already recorded.
//!
//! Durability: WAL with `synchronous = NORMAL`. Every message and every action outcome is its own
//! small transaction, written as it happens. A committed transaction is in the WAL file (the
//! kernel's page cache) when the commit returns, so it survives the process being killed (kill -9,
//! a panic, an OOM kill) — the promise cowork makes. A power cut or kernel crash may lose the last
//! transactions before the next checkpoint, never corrupt the database; `FULL` would add an fsync to
//! every message for that case, which the journal (fsynced) and the audit log already cover for
//! the actions themselves.

mod read;
mod schema;
mod write;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cowork_protocol::{ActionKind, DecidedBy, Decision, Effect, Provenance, TaskStop, Usage};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

pub(crate) use read::Loaded;
pub(crate) use write::{ActionUpdate, CompactionRow, TaskStart};

/// The store's file name inside the data dir.
pub const STORE_FILE: &str = "sessions.db";

/// How long a write waits for another cowork process holding the database.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the session store {path} cannot be opened: {source}. Check that its folder is writable, \
         or move the file aside to start a new store"
    )]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the folder {path} for the session store: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the session store {path} cannot use write-ahead logging (journal_mode {mode}); \
         keep it on a local file system"
    )]
    NoWal { path: PathBuf, mode: String },
    #[error(
        "the session store {path} has schema version {found}, newer than this cowork knows ({known}); \
         upgrade cowork to use it"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the session store {path}: {source}")]
    Sql {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the session store {path} holds a {what} that cannot be read ({message}); \
         `cowork sessions delete ID` removes a damaged session"
    )]
    Corrupt {
        path: PathBuf,
        what: &'static str,
        message: String,
    },
    #[error("no session {0}; `cowork sessions` lists them")]
    NoSession(String),
    #[error("no sessions recorded yet; start one with `cowork run TASK`")]
    Empty,
    #[error(
        "session {id} is in use by process {pid}; wait for it to finish (or end that process) first"
    )]
    InUse { id: String, pid: u32 },
}

/// A root of a stored session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRoot {
    pub name: String,
    pub path: PathBuf,
    pub default: bool,
}

/// A session as `cowork sessions` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    pub created: String,
    pub updated: String,
    pub roots: Vec<StoredRoot>,
    pub model: String,
    pub user: String,
    /// The first task's text.
    pub title: String,
    pub tasks: u32,
    pub tainted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Running,
    Finished,
    Limit,
    Cancelled,
    Failed,
    /// The process ended while the task ran (crash, kill); marked when the session is resumed or
    /// when the recorded process is gone.
    Interrupted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Proposed,
    Decided,
    Executing,
    Executed,
    Failed,
    Skipped,
    /// The process ended before the action finished; see its outcome.
    Interrupted,
}

/// A stored task with its actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    pub id: String,
    pub seq: u32,
    pub text: String,
    pub mode: String,
    pub status: TaskStatus,
    pub started: String,
    pub finished: Option<String>,
    pub stop: Option<TaskStop>,
    pub summary: Option<String>,
    pub usage: Usage,
    /// Estimated cost; `None` while no price is configured for the model.
    pub cost: Option<f64>,
    pub actions: Vec<ActionInfo>,
}

/// A stored action: what the model asked, what was decided, what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionInfo {
    pub id: String,
    pub task: String,
    pub tool_use_id: String,
    pub tool: String,
    /// The raw input the model sent.
    pub input: String,
    pub kind: Option<ActionKind>,
    pub effects: Option<Vec<Effect>>,
    pub description: Option<String>,
    pub decision: Option<Decision>,
    pub decided_by: Option<DecidedBy>,
    pub grant: Option<String>,
    pub status: ActionStatus,
    /// The tool result the model got.
    pub outcome: Option<String>,
    pub is_error: Option<bool>,
    pub provenance: Option<Provenance>,
    /// The workspace state dir whose journal holds the action's changes (for `cowork undo`).
    pub journal: Option<String>,
}

/// A recorded compaction of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompactionInfo {
    pub task: Option<String>,
    pub at: String,
    pub summarized: bool,
    pub replaced: u32,
    pub tokens_before: u64,
    pub tokens_after: u64,
    pub note: Option<String>,
}

/// Everything `cowork sessions show` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionDetail {
    pub session: SessionInfo,
    pub tasks: Vec<TaskInfo>,
    pub compactions: Vec<CompactionInfo>,
}

/// A recorded transcript message with its provenance labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMessage {
    pub seq: i64,
    pub task: Option<String>,
    pub message: cowork_models::Message,
    pub labels: MessageLabels,
}

/// Where each part of a stored message came from (DESIGN.md §8): the message as a whole (the
/// person's words, a summary) and each tool result by its `tool_use_id`. A result without a
/// label is cowork's own words ("not run: …"); an assistant message without one is the model's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageLabels {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Provenance>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub results: std::collections::BTreeMap<String, Provenance>,
}

/// The session store. One connection behind a lock: writes are tiny and come from one task at a
/// time, and other cowork processes coordinate through SQLite's own locking.
pub struct SessionStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl SessionStore {
    /// The store in a data dir (`<data_dir>/sessions.db`), created when missing.
    pub fn open_in(data_dir: &Path) -> Result<SessionStore, StoreError> {
        SessionStore::open(&data_dir.join(STORE_FILE))
    }

    /// Open (or create) the store at `path` and bring its schema up to date.
    pub fn open(path: &Path) -> Result<SessionStore, StoreError> {
        let fail = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let fresh = !path.exists();
        let mut conn = Connection::open(path).map_err(fail)?;
        if fresh {
            // The transcript holds the person's file contents: only they may read it. SQLite
            // gives its -wal and -shm files the database file's permissions.
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NoWal {
                path: path.to_path_buf(),
                mode,
            });
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(fail)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(fail)?;
        match schema::migrate(&mut conn).map_err(fail)? {
            schema::Migrated::Current => {}
            schema::Migrated::TooNew(found) => {
                return Err(StoreError::TooNew {
                    path: path.to_path_buf(),
                    found,
                    known: schema::VERSION,
                });
            }
        }
        Ok(SessionStore {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` on the connection, mapping SQLite errors to this store.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        // A panic while holding the lock leaves the connection usable: SQLite rolls back any
        // transaction a dropped `Transaction` left open.
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn).map_err(|source| StoreError::Sql {
            path: self.path.clone(),
            source,
        })
    }

    fn corrupt(&self, what: &'static str, message: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what,
            message: message.to_string(),
        }
    }
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Running => "running",
            TaskStatus::Finished => "finished",
            TaskStatus::Limit => "limit",
            TaskStatus::Cancelled => "cancelled",
            TaskStatus::Failed => "failed",
            TaskStatus::Interrupted => "interrupted",
        }
    }

    fn parse(text: &str) -> Option<TaskStatus> {
        [
            TaskStatus::Running,
            TaskStatus::Finished,
            TaskStatus::Limit,
            TaskStatus::Cancelled,
            TaskStatus::Failed,
            TaskStatus::Interrupted,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    pub fn of(stop: &TaskStop) -> TaskStatus {
        match stop {
            TaskStop::Finished => TaskStatus::Finished,
            TaskStop::Limit { .. } => TaskStatus::Limit,
            TaskStop::Cancelled => TaskStatus::Cancelled,
            TaskStop::Failed { .. } => TaskStatus::Failed,
        }
    }
}

impl ActionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Proposed => "proposed",
            ActionStatus::Decided => "decided",
            ActionStatus::Executing => "executing",
            ActionStatus::Executed => "executed",
            ActionStatus::Failed => "failed",
            ActionStatus::Skipped => "skipped",
            ActionStatus::Interrupted => "interrupted",
        }
    }

    fn parse(text: &str) -> Option<ActionStatus> {
        [
            ActionStatus::Proposed,
            ActionStatus::Decided,
            ActionStatus::Executing,
            ActionStatus::Executed,
            ActionStatus::Failed,
            ActionStatus::Skipped,
            ActionStatus::Interrupted,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// RFC 3339 UTC, to the millisecond (sortable as text).
pub(crate) fn now() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    now.format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_string())
}

/// Whether a process with this id is running (Linux: it has a `/proc` entry).
pub(crate) fn process_alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests;
