//! The trash (`<state>/trash/`): what `delete` and `undo --force` set aside. Only the person's
//! own `cowork trash empty` deletes permanently.

use std::path::PathBuf;

use crate::confined::remove_any;
use crate::error::FsError;
use crate::journal::{JournalOp, Record};
use crate::txn::TRASH_DIR;
use crate::workspace::Workspace;

/// One thing in the trash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrashEntry {
    pub task: String,
    pub action: String,
    /// Display path it had in the workspace.
    pub original: String,
    /// Absolute path inside the trash.
    pub trash_path: PathBuf,
}

impl Workspace {
    /// Everything currently in the trash, oldest first.
    pub fn trash_list(&self) -> Result<Vec<TrashEntry>, FsError> {
        let mut out: Vec<(String, TrashEntry)> = Vec::new();
        for record in self.load_records()? {
            let (task, action, original, trash) = match record {
                Record::Op {
                    task,
                    action,
                    op: JournalOp::Deleted { path, trash, .. },
                    ..
                } => (task, action, path, trash),
                Record::ForcedTrash {
                    task,
                    action,
                    original,
                    trash,
                    ..
                } => (task, action, original, trash),
                Record::Op { .. } | Record::Undone { .. } => continue,
            };
            // A slot reused after a restore is reported once, with its latest owner.
            out.retain(|(rel, _)| rel != &trash);
            let entry = TrashEntry {
                task,
                action,
                original,
                trash_path: self.state_path.join(&trash),
            };
            out.push((trash, entry));
        }
        Ok(out
            .into_iter()
            .filter(|(rel, _)| self.state_entry_exists(rel))
            .map(|(_, e)| e)
            .collect())
    }

    /// Permanently delete everything in the trash; returns how many entries were removed.
    pub fn trash_empty(&self) -> Result<u64, FsError> {
        let count = self.trash_list()?.len() as u64;
        let _guard = self.lock_journal();
        remove_any(&self.state, TRASH_DIR).map_err(|e| {
            FsError::io(
                "empty",
                self.state_path.join(TRASH_DIR).display().to_string(),
                e,
            )
        })?;
        Ok(count)
    }
}
