//! The write-ahead journal (`<state>/journal.jsonl`) and the content-addressed backups
//! (`<state>/backups/<blake3-hex>`), DESIGN §6.
//!
//! Every op is appended (and synced) before it is performed, so after a crash the journal may
//! describe an op that never happened; undo treats "still in the before-state" as done.

use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::MutexGuard;

use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt};
use cap_std::fs::OpenOptions;
use serde::{Deserialize, Serialize};

use crate::confined::{create_dir_chain, hash_bytes, lstat, read_all, write_blob};
use crate::error::FsError;
use crate::workspace::Workspace;

pub(crate) const JOURNAL_FILE: &str = "journal.jsonl";
pub(crate) const BACKUPS_DIR: &str = "backups";

/// One reversible change, paths as display strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum JournalOp {
    /// A new file; `after` is the BLAKE3 of what cowork wrote.
    Created { path: String, after: String },
    /// A new folder.
    CreatedDir { path: String },
    /// A replaced file; the `before` content is in the backups.
    Modified {
        path: String,
        before: String,
        after: String,
    },
    /// A file or folder moved to `trash` (relative to the state dir).
    Deleted {
        path: String,
        before_hash: Option<String>,
        trash: String,
        is_dir: bool,
    },
    /// A rename or move, possibly across roots.
    Moved { from: String, to: String },
}

impl JournalOp {
    /// The paths this op touched, for history listings.
    pub fn paths(&self) -> Vec<&str> {
        match self {
            JournalOp::Created { path, .. }
            | JournalOp::CreatedDir { path }
            | JournalOp::Modified { path, .. }
            | JournalOp::Deleted { path, .. } => vec![path.as_str()],
            JournalOp::Moved { from, to } => vec![from.as_str(), to.as_str()],
        }
    }
}

/// One line of the journal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Record {
    Op {
        ts: String,
        task: String,
        action: String,
        op: JournalOp,
    },
    Undone {
        ts: String,
        task: String,
        action: String,
    },
    /// A person's folder set aside into the trash by `undo --force`.
    ForcedTrash {
        ts: String,
        task: String,
        action: String,
        original: String,
        trash: String,
    },
}

/// A task as the journal remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub task: String,
    /// RFC 3339 time of the task's first journaled op.
    pub started: String,
    pub actions: Vec<ActionRecord>,
}

/// An action of a task and its ops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub action: String,
    pub ops: Vec<JournalOp>,
    pub undone: bool,
}

pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

/// Group journal records into tasks (oldest first) and actions (in order of first op).
pub(crate) fn group(records: &[Record]) -> Vec<TaskRecord> {
    let mut tasks: Vec<TaskRecord> = Vec::new();
    for record in records {
        match record {
            Record::Op {
                ts,
                task,
                action,
                op,
            } => {
                let t = match tasks.iter().position(|t| &t.task == task) {
                    Some(i) => &mut tasks[i],
                    None => {
                        tasks.push(TaskRecord {
                            task: task.clone(),
                            started: ts.clone(),
                            actions: Vec::new(),
                        });
                        let last = tasks.len() - 1;
                        &mut tasks[last]
                    }
                };
                match t.actions.iter().position(|a| &a.action == action) {
                    Some(i) => t.actions[i].ops.push(op.clone()),
                    None => t.actions.push(ActionRecord {
                        action: action.clone(),
                        ops: vec![op.clone()],
                        undone: false,
                    }),
                }
            }
            Record::Undone { task, action, .. } => {
                if let Some(a) = tasks
                    .iter_mut()
                    .filter(|t| &t.task == task)
                    .flat_map(|t| t.actions.iter_mut())
                    .find(|a| &a.action == action)
                {
                    a.undone = true;
                }
            }
            Record::ForcedTrash { .. } => {}
        }
    }
    tasks
}

/// A crash may have cut the last line short. Its op never ran (the journal is write-ahead), so
/// the partial line is dropped before appending rather than left to corrupt the next record; a
/// complete record that merely lacks its newline gets one.
fn drop_cut_line(file: &mut std::fs::File) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    let mut keep = 0;
    let mut end = len;
    let mut buf = vec![0u8; 4096];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(i) = chunk.iter().rposition(|b| *b == b'\n') {
            keep = start + i as u64 + 1;
            break;
        }
        end = start;
    }
    if keep == len {
        return Ok(());
    }
    let mut tail = Vec::new();
    file.seek(SeekFrom::Start(keep))?;
    file.read_to_end(&mut tail)?;
    if serde_json::from_slice::<Record>(&tail).is_ok() {
        file.write_all(b"\n")
    } else {
        file.set_len(keep)
    }
}

impl Workspace {
    fn journal_shown(&self) -> String {
        self.state_path.join(JOURNAL_FILE).display().to_string()
    }

    pub(crate) fn lock_journal(&self) -> MutexGuard<'_, ()> {
        // A panic elsewhere cannot leave the journal half-written (appends are whole lines),
        // so a poisoned lock is still usable.
        self.journal_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Append records; the caller holds the journal lock.
    pub(crate) fn append_locked(
        &self,
        _guard: &MutexGuard<'_, ()>,
        records: &[Record],
    ) -> Result<(), FsError> {
        let shown = self.journal_shown();
        let mut text = String::new();
        for r in records {
            let line = serde_json::to_string(r).map_err(|e| FsError::Journal {
                path: shown.clone(),
                line: 0,
                reason: format!("could not encode a record: {e}"),
            })?;
            text.push_str(&line);
            text.push('\n');
        }
        let mut options = OpenOptions::new();
        options
            .read(true)
            .append(true)
            .create(true)
            .follow(FollowSymlinks::No);
        let file = self
            .state
            .open_with(JOURNAL_FILE, &options)
            .map_err(|e| FsError::io("open", shown.clone(), e))?;
        let mut file = file.into_std();
        // Other cowork processes on the same workspace append too.
        file.lock()
            .map_err(|e| FsError::io("lock", shown.clone(), e))?;
        let result = (|| {
            drop_cut_line(&mut file)?;
            file.write_all(text.as_bytes())?;
            file.sync_data()
        })();
        let _ = file.unlock();
        result.map_err(|e| FsError::io("append to", shown, e))
    }

    pub(crate) fn append(&self, records: &[Record]) -> Result<(), FsError> {
        let guard = self.lock_journal();
        self.append_locked(&guard, records)
    }

    /// All records. A last line that does not parse is a write cut short by a crash (its op
    /// never ran, the journal being write-ahead) and is ignored; a bad line elsewhere is damage.
    pub(crate) fn load_records(&self) -> Result<Vec<Record>, FsError> {
        let shown = self.journal_shown();
        let bytes = match read_all(&self.state, &[JOURNAL_FILE]) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(FsError::io("read", shown, e)),
        };
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.lines().collect();
        let last_used = lines.iter().rposition(|l| !l.trim().is_empty());
        let mut out = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Record>(line) {
                Ok(r) => out.push(r),
                Err(_) if Some(i) == last_used => {}
                Err(e) => {
                    return Err(FsError::Journal {
                        path: shown,
                        line: i + 1,
                        reason: e.to_string(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Tasks oldest first, each with its actions, ops and undone flags.
    pub fn history(&self) -> Result<Vec<TaskRecord>, FsError> {
        Ok(group(&self.load_records()?))
    }

    /// Store `bytes` under their BLAKE3 hash (deduplicated, atomic); returns the hash.
    pub(crate) fn store_backup(&self, bytes: &[u8]) -> Result<String, FsError> {
        let hash = hash_bytes(bytes);
        let shown = self
            .state_path
            .join(BACKUPS_DIR)
            .join(&hash)
            .display()
            .to_string();
        let dir = create_dir_chain(&self.state, &[BACKUPS_DIR])
            .map_err(|e| FsError::io("create", shown.clone(), e))?;
        write_blob(&dir, &hash, bytes).map_err(|e| FsError::io("write backup", shown, e))?;
        Ok(hash)
    }

    pub(crate) fn has_backup(&self, hash: &str) -> bool {
        if hash_bytes(b"") == hash {
            return true;
        }
        matches!(
            crate::confined::lstat_path(&self.state, &[BACKUPS_DIR, hash]),
            Ok(Some(m)) if m.is_file()
        )
    }

    pub(crate) fn load_backup(&self, hash: &str) -> Result<Vec<u8>, FsError> {
        if hash_bytes(b"") == hash {
            return Ok(Vec::new());
        }
        let shown = self
            .state_path
            .join(BACKUPS_DIR)
            .join(hash)
            .display()
            .to_string();
        let bytes = read_all(&self.state, &[BACKUPS_DIR, hash])
            .map_err(|e| FsError::io("read backup", shown.clone(), e))?;
        if hash_bytes(&bytes) != hash {
            return Err(FsError::Conflict {
                path: shown,
                reason:
                    "does not match its name (the backup was altered); restore it from another copy"
                        .into(),
            });
        }
        Ok(bytes)
    }

    /// Absolute path of a backup blob (for reports).
    pub fn backup_path(&self, hash: &str) -> std::path::PathBuf {
        self.state_path.join(BACKUPS_DIR).join(hash)
    }

    pub(crate) fn state_entry_exists(&self, rel: &str) -> bool {
        let comps: Vec<&str> = rel.split('/').filter(|c| !c.is_empty()).collect();
        match comps.split_last() {
            None => true,
            Some((last, parents)) => match crate::confined::open_dir_chain(&self.state, parents) {
                Ok(d) => matches!(lstat(&d, last), Ok(Some(_))),
                Err(_) => false,
            },
        }
    }
}
