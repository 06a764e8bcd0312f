//! Journaled transactions: the only way tools change the workspace. Each op is checked against
//! the action's declared effects, journaled (write-ahead), then performed through confined
//! handles that never follow a symlink.

use cap_fs_ext::DirExt;
use cap_std::fs::{Dir, MetadataExt};
use cowork_protocol::Effect;

use crate::confined::{
    self, CopyRefusal, atomic_write, check_copyable, copy_then_remove, hash_bytes, lstat, sync_dir,
};
use crate::error::{FsError, is_symlink_refusal};
use crate::journal::{JournalOp, Record, now_rfc3339};
use crate::names::sanitize_component;
use crate::read::kind_of;
use crate::workspace::Workspace;
use crate::wspath::{EntryKind, WsPath};

/// Name of the trash folder inside the state dir.
pub(crate) const TRASH_DIR: &str = "trash";

/// A journaled set of changes for one action, limited to the action's declared effects.
pub struct ActionTxn<'a> {
    ws: &'a Workspace,
    task: String,
    action: String,
    /// Paths a `Create` effect covers (new files and folders; also permits replacing a file).
    creates: Vec<WsPath>,
    /// Paths a `Modify` effect covers.
    modifies: Vec<WsPath>,
    moves: Vec<(WsPath, WsPath)>,
    deletes: Vec<WsPath>,
    ops: Vec<JournalOp>,
    bytes_written: u64,
}

impl std::fmt::Debug for ActionTxn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionTxn")
            .field("task", &self.task)
            .field("action", &self.action)
            .field("ops", &self.ops)
            .finish_non_exhaustive()
    }
}

impl Workspace {
    /// Start a journaled transaction for one action. Only operations covered by `allowed`
    /// effects are permitted; anything else is [`FsError::UndeclaredEffect`].
    pub fn begin(&self, task: &str, action: &str, allowed: &[Effect]) -> ActionTxn<'_> {
        let mut txn = ActionTxn {
            ws: self,
            task: task.to_string(),
            action: action.to_string(),
            creates: Vec::new(),
            modifies: Vec::new(),
            moves: Vec::new(),
            deletes: Vec::new(),
            ops: Vec::new(),
            bytes_written: 0,
        };
        // An effect whose path does not resolve permits nothing: it could never be acted on.
        for effect in allowed {
            match effect {
                Effect::Create { path, .. } => txn.creates.extend(self.resolve(path).ok()),
                Effect::Modify { path } => txn.modifies.extend(self.resolve(path).ok()),
                Effect::Delete { path } => txn.deletes.extend(self.resolve(path).ok()),
                Effect::Move { from, to } => {
                    if let (Ok(f), Ok(t)) = (self.resolve(from), self.resolve(to)) {
                        txn.moves.push((f, t));
                    }
                }
                Effect::Read { .. } | Effect::Egress { .. } => {}
            }
        }
        txn
    }
}

/// Move an entry between two confined folders: a rename when possible, otherwise (another
/// filesystem) a copy of a tree checked to hold no links, then removal of the source.
pub(crate) fn transfer(
    src_dir: &Dir,
    src_name: &str,
    dst_dir: &Dir,
    dst_name: &str,
    shown: &str,
) -> Result<(), FsError> {
    match src_dir.rename(src_name, dst_dir, dst_name) {
        Ok(()) => {
            sync_dir(dst_dir).map_err(|e| FsError::io("sync", shown, e))?;
            sync_dir(src_dir).map_err(|e| FsError::io("sync", shown, e))
        }
        Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
            match check_copyable(src_dir, src_name, shown)
                .map_err(|e| FsError::io("inspect", shown, e))?
            {
                Ok(()) => {}
                Err(CopyRefusal::Symlink(path)) => {
                    return Err(FsError::SymlinkRefused {
                        path,
                        detail: "moving it to another filesystem would copy through the link"
                            .into(),
                    });
                }
                Err(CopyRefusal::HardLink(path, links)) => {
                    return Err(FsError::HardLink { path, links });
                }
            }
            copy_then_remove(src_dir, src_name, dst_dir, dst_name)
                .map_err(|e| FsError::io("move", shown, e))
        }
        Err(e) => Err(FsError::io("move", shown, e)),
    }
}

impl ActionTxn<'_> {
    /// The ops performed so far.
    pub fn ops(&self) -> &[JournalOp] {
        &self.ops
    }

    /// Bytes written so far by this transaction (for the core's limits).
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written
    }

    pub fn task(&self) -> &str {
        &self.task
    }

    pub fn action(&self) -> &str {
        &self.action
    }

    fn journal(&self, op: &JournalOp) -> Result<(), FsError> {
        self.ws.append(&[Record::Op {
            ts: now_rfc3339(),
            task: self.task.clone(),
            action: self.action.clone(),
            op: op.clone(),
        }])
    }

    fn undeclared(&self, effect: &str, path: String) -> FsError {
        FsError::UndeclaredEffect {
            effect: effect.to_string(),
            path,
        }
    }

    /// Open the folders leading to the first `count` components of `p` without following links,
    /// creating missing ones (journaled) when `create` is set.
    fn folder_chain(&mut self, p: &WsPath, count: usize, create: bool) -> Result<Dir, FsError> {
        let comps: Vec<String> = p.components().iter().map(|c| c.to_string()).collect();
        let mut current = self
            .ws
            .dir(p.root)?
            .try_clone()
            .map_err(|e| FsError::io("open", self.ws.display(p), e))?;
        let mut prefix = WsPath {
            root: p.root,
            rel: String::new(),
        };
        for c in comps.iter().take(count) {
            prefix = prefix.join(c);
            let shown = self.ws.display(&prefix);
            match lstat(&current, c).map_err(|e| FsError::io("inspect", shown.clone(), e))? {
                None if create => {
                    let op = JournalOp::CreatedDir {
                        path: shown.clone(),
                    };
                    self.journal(&op)?;
                    match current.create_dir(c) {
                        Ok(()) => self.ops.push(op),
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(FsError::io("create folder", shown, e)),
                    }
                }
                None => return Err(FsError::NotFound { path: shown }),
                Some(m) => match kind_of(&m) {
                    EntryKind::Dir => {}
                    EntryKind::Symlink => {
                        return Err(FsError::SymlinkRefused {
                            path: shown,
                            detail: "it is a folder on the way".into(),
                        });
                    }
                    EntryKind::File | EntryKind::Other => {
                        return Err(FsError::NotADirectory { path: shown });
                    }
                },
            }
            current = current.open_dir_nofollow(c).map_err(|e| {
                if is_symlink_refusal(&e) {
                    FsError::SymlinkRefused {
                        path: shown.clone(),
                        detail: "it changed into a link just now".into(),
                    }
                } else {
                    FsError::io("open", shown.clone(), e)
                }
            })?;
        }
        Ok(current)
    }

    fn parent_chain(&mut self, p: &WsPath, create: bool) -> Result<(Dir, String), FsError> {
        let shown = self.ws.display(p);
        let Some(name) = p.file_name().map(str::to_string) else {
            return Err(FsError::InvalidPath {
                path: shown,
                reason: "this is a root folder itself; name something inside it".into(),
            });
        };
        let count = p.components().len() - 1;
        Ok((self.folder_chain(p, count, create)?, name))
    }

    /// Atomic write (temp file in the same folder, fsync, rename). An existing file is backed up
    /// before it is replaced; missing parent folders are created (journaled).
    pub fn write_file(&mut self, p: &WsPath, bytes: &[u8], overwrite: bool) -> Result<(), FsError> {
        let shown = self.ws.display(p);
        if !self.creates.contains(p) && !self.modifies.contains(p) {
            return Err(self.undeclared("write", shown));
        }
        self.ws.check_visible(p, &shown)?;
        let (parent, name) = self.parent_chain(p, true)?;
        let after = hash_bytes(bytes);
        let existing =
            lstat(&parent, &name).map_err(|e| FsError::io("inspect", shown.clone(), e))?;
        let (op, permissions) = match existing {
            None => (
                JournalOp::Created {
                    path: shown.clone(),
                    after,
                },
                None,
            ),
            Some(meta) => match kind_of(&meta) {
                EntryKind::Symlink => {
                    return Err(FsError::SymlinkRefused {
                        path: shown,
                        detail: "writing would change the file it points to".into(),
                    });
                }
                EntryKind::Dir => {
                    return Err(FsError::NotAFile {
                        path: shown,
                        what: "a folder".into(),
                    });
                }
                EntryKind::Other => {
                    return Err(FsError::NotAFile {
                        path: shown,
                        what: "a device, pipe or socket".into(),
                    });
                }
                EntryKind::File if !overwrite => {
                    return Err(FsError::AlreadyExists { path: shown });
                }
                EntryKind::File => {
                    let current = read_single_link(&parent, &name, &shown)?;
                    let before = self.ws.store_backup(&current)?;
                    (
                        JournalOp::Modified {
                            path: shown.clone(),
                            before,
                            after,
                        },
                        Some(meta.permissions()),
                    )
                }
            },
        };
        self.journal(&op)?;
        atomic_write(&parent, &name, bytes, permissions)
            .map_err(|e| FsError::io("write", shown, e))?;
        self.ops.push(op);
        self.bytes_written += bytes.len() as u64;
        Ok(())
    }

    /// Like `mkdir -p`; each created folder is journaled.
    pub fn make_dir(&mut self, p: &WsPath) -> Result<(), FsError> {
        let shown = self.ws.display(p);
        if !self.creates.contains(p) {
            return Err(self.undeclared("create", shown));
        }
        self.ws.check_visible(p, &shown)?;
        let count = p.components().len();
        self.folder_chain(p, count, true)
            .map(|_| ())
            .map_err(|e| match e {
                FsError::NotADirectory { path } if path == shown => FsError::InvalidPath {
                    path,
                    reason: "a file with this name already exists, so no folder can be made here; choose another name".into(),
                },
                other => other,
            })
    }

    /// Move a file or folder; refuses to overwrite `to`. Missing parents of `to` are created.
    pub fn move_path(&mut self, from: &WsPath, to: &WsPath) -> Result<(), FsError> {
        let from_shown = self.ws.display(from);
        let to_shown = self.ws.display(to);
        if !self.moves.iter().any(|(f, t)| f == from && t == to) {
            return Err(self.undeclared("move", format!("{from_shown} -> {to_shown}")));
        }
        self.ws.check_visible(from, &from_shown)?;
        self.ws.check_visible(to, &to_shown)?;
        self.ws.check_no_hidden_inside(from)?;
        if from == to {
            return Ok(());
        }
        if to.starts_with(from) {
            return Err(FsError::InvalidPath {
                path: to_shown,
                reason: format!("a folder cannot be moved into itself ({from_shown})"),
            });
        }
        let (src_parent, src_name) = self.parent_chain(from, false).map_err(|e| match e {
            FsError::NotFound { .. } => FsError::NotFound {
                path: from_shown.clone(),
            },
            other => other,
        })?;
        let src_meta = lstat(&src_parent, &src_name)
            .map_err(|e| FsError::io("inspect", from_shown.clone(), e))?
            .ok_or_else(|| FsError::NotFound {
                path: from_shown.clone(),
            })?;
        let (dst_parent, dst_name) = self.parent_chain(to, true)?;
        if let Some(existing) = lstat(&dst_parent, &dst_name)
            .map_err(|e| FsError::io("inspect", to_shown.clone(), e))?
        {
            // The same inode is a case-only rename on a case-insensitive filesystem.
            if existing.dev() != src_meta.dev() || existing.ino() != src_meta.ino() {
                return Err(FsError::AlreadyExists { path: to_shown });
            }
        }
        let op = JournalOp::Moved {
            from: from_shown.clone(),
            to: to_shown,
        };
        self.journal(&op)?;
        transfer(&src_parent, &src_name, &dst_parent, &dst_name, &from_shown)?;
        self.ops.push(op);
        Ok(())
    }

    /// Move a file or folder into `<state>/trash/<task>/<action>/…`; never deletes.
    pub fn delete(&mut self, p: &WsPath) -> Result<(), FsError> {
        let shown = self.ws.display(p);
        if !self.deletes.contains(p) {
            return Err(self.undeclared("delete", shown));
        }
        self.ws.check_visible(p, &shown)?;
        self.ws.check_no_hidden_inside(p)?;
        let (parent, name) = self.parent_chain(p, false)?;
        let meta = lstat(&parent, &name)
            .map_err(|e| FsError::io("inspect", shown.clone(), e))?
            .ok_or_else(|| FsError::NotFound {
                path: shown.clone(),
            })?;
        let kind = kind_of(&meta);
        // Hash only plain single-link files: a hard link's content may belong to a file outside.
        let before_hash = if kind == EntryKind::File && meta.nlink() == 1 {
            Some(
                confined::hash_file_in(&parent, &name)
                    .map_err(|e| FsError::io("read", shown.clone(), e))?,
            )
        } else {
            None
        };
        let (trash_dir, trash_name, trash_rel) = self.ws.trash_slot(&self.task, &self.action, p)?;
        let op = JournalOp::Deleted {
            path: shown.clone(),
            before_hash,
            trash: trash_rel,
            is_dir: kind == EntryKind::Dir,
        };
        self.journal(&op)?;
        transfer(&parent, &name, &trash_dir, &trash_name, &shown)?;
        self.ops.push(op);
        Ok(())
    }
}

/// Read a file that must have a single link (its content is about to be backed up).
fn read_single_link(parent: &Dir, name: &str, shown: &str) -> Result<Vec<u8>, FsError> {
    use std::io::Read;
    let mut file =
        confined::open_file_nofollow(parent, name).map_err(|e| FsError::io("read", shown, e))?;
    let meta = file
        .metadata()
        .map_err(|e| FsError::io("inspect", shown, e))?;
    if meta.nlink() > 1 {
        return Err(FsError::HardLink {
            path: shown.to_string(),
            links: meta.nlink(),
        });
    }
    let mut out = Vec::new();
    file.read_to_end(&mut out)
        .map_err(|e| FsError::io("read", shown, e))?;
    Ok(out)
}

impl Workspace {
    /// A free place in the trash for `p`: `trash/<task>/<action>/[@ROOT/]<rel>`, with `~N`
    /// appended when the same path was already trashed by this action. Parent folders are
    /// created. Returns the folder handle, the final name and the path relative to the state dir.
    pub(crate) fn trash_slot(
        &self,
        task: &str,
        action: &str,
        p: &WsPath,
    ) -> Result<(Dir, String, String), FsError> {
        let mut comps: Vec<String> = vec![
            TRASH_DIR.to_string(),
            sanitize_component(task),
            sanitize_component(action),
        ];
        if p.root != 0 {
            comps.push(format!("@{}", self.root_name(p.root)));
        }
        comps.extend(p.components().iter().map(|c| c.to_string()));
        self.free_state_slot(comps)
    }

    /// Create the parents of `comps` inside the state dir and find a name not taken yet.
    pub(crate) fn free_state_slot(
        &self,
        mut comps: Vec<String>,
    ) -> Result<(Dir, String, String), FsError> {
        let shown = self.state_path.join(comps.join("/")).display().to_string();
        let base = comps.pop().unwrap_or_else(|| "_".to_string());
        let dir = confined::create_dir_chain(&self.state, &comps)
            .map_err(|e| FsError::io("create", shown.clone(), e))?;
        let mut name = base.clone();
        let mut n = 1;
        while lstat(&dir, &name)
            .map_err(|e| FsError::io("inspect", shown.clone(), e))?
            .is_some()
        {
            n += 1;
            name = format!("{base}~{n}");
        }
        comps.push(name.clone());
        Ok((dir, name, comps.join("/")))
    }
}
