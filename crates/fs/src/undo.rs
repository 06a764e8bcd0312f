//! Undo (DESIGN §6): plan every revert of the target against a virtual view first, refuse on
//! any conflict without changing anything, then apply. A person's later edit is never lost:
//! without `force` it stops the undo, with `force` it is backed up before being replaced.

use cap_std::fs::{Dir, MetadataExt};

use crate::confined::{self, atomic_write, create_dir_chain, lstat, open_dir_chain};
use crate::error::FsError;
use crate::journal::{ActionRecord, JournalOp, Record, group, now_rfc3339};
use crate::read::kind_of;
use crate::txn::{TRASH_DIR, transfer};
use crate::vfs::{Base, Loc, Override, VKind, Vfs};
use crate::workspace::Workspace;
use crate::wspath::{EntryKind, WsPath};

/// What to undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UndoTarget {
    /// The newest task with any action not undone yet.
    LastTask,
    Task(String),
    Action(String),
}

/// What an undo did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UndoReport {
    pub task: Option<String>,
    pub actions: Vec<String>,
    /// Display paths put back.
    pub restored: Vec<String>,
    /// `(display path, backup)` for each version of the person's that `force` set aside: a
    /// BLAKE3 blob name in `.cowork/backups/`, or a path in the trash (relative to the state dir)
    /// for folders and links.
    pub forced_backups: Vec<(String, String)>,
}

/// One change of the apply phase.
#[derive(Debug)]
enum Step {
    /// Remove a file cowork created (its content re-checked first) or an empty folder.
    Remove { at: WsPath, expect: Option<String> },
    /// Put back a backed-up version.
    Restore { at: WsPath, blob: String },
    /// Move back (from the trash, or undoing a move).
    Transfer { from: Loc, to: Loc },
    /// Set the person's version aside (force).
    Aside {
        at: WsPath,
        task: String,
        action: String,
    },
}

#[derive(Default)]
struct Plan {
    steps: Vec<Step>,
    restored: Vec<String>,
    conflicts: Vec<(String, String)>,
}

impl Plan {
    fn restored(&mut self, shown: &str) {
        if !self.restored.iter().any(|r| r == shown) {
            self.restored.push(shown.to_string());
        }
    }
}

const CHANGED: &str = "was changed after cowork wrote it";

impl Workspace {
    /// Revert a task or an action; see [`UndoTarget`].
    pub fn undo(&self, target: UndoTarget, force: bool) -> Result<UndoReport, FsError> {
        let guard = self.lock_journal();
        let tasks = group(&self.load_records()?);
        let (task, actions) = select(&tasks, &target)?;
        let hint = match &target {
            UndoTarget::LastTask => "cowork undo --force".to_string(),
            UndoTarget::Task(t) => format!("cowork undo --task {t} --force"),
            UndoTarget::Action(a) => format!("cowork undo --action {a} --force"),
        };

        let mut vfs = Vfs::new(self);
        let mut plan = Plan::default();
        for action in actions.iter().rev() {
            for op in action.ops.iter().rev() {
                self.plan_op(&mut vfs, &mut plan, op, force, &task, &action.action)?;
            }
        }
        if !force && let Some((path, reason)) = plan.conflicts.first() {
            let more = if plan.conflicts.len() > 1 {
                let others: Vec<&str> = plan.conflicts[1..]
                    .iter()
                    .map(|(p, _)| p.as_str())
                    .collect();
                format!(" (also in conflict: {})", others.join(", "))
            } else {
                String::new()
            };
            return Err(FsError::Conflict {
                path: path.clone(),
                reason: format!(
                    "{reason}; run `{hint}` to keep a backup of your version and undo anyway{more}"
                ),
            });
        }

        let mut report = UndoReport {
            task: Some(task.clone()),
            actions: actions.iter().map(|a| a.action.clone()).collect(),
            restored: plan.restored,
            forced_backups: Vec::new(),
        };
        for step in plan.steps {
            self.apply(&guard, step, &mut report)?;
        }
        let ts = now_rfc3339();
        let records: Vec<Record> = actions
            .iter()
            .map(|a| Record::Undone {
                ts: ts.clone(),
                task: task.clone(),
                action: a.action.clone(),
            })
            .collect();
        self.append_locked(&guard, &records)?;
        Ok(report)
    }

    fn plan_op(
        &self,
        vfs: &mut Vfs<'_>,
        plan: &mut Plan,
        op: &JournalOp,
        force: bool,
        task: &str,
        action: &str,
    ) -> Result<(), FsError> {
        let aside = |at: &WsPath| Step::Aside {
            at: at.clone(),
            task: task.to_string(),
            action: action.to_string(),
        };
        match op {
            JournalOp::Created { path, after } => {
                let p = self.resolve(path)?;
                let at = Loc::ws(&p);
                match vfs.kind(&at)? {
                    VKind::Absent => {}
                    VKind::File if vfs.hash(&at)?.as_deref() == Some(after.as_str()) => {
                        plan.steps.push(Step::Remove {
                            at: p,
                            expect: Some(after.clone()),
                        });
                        vfs.push(Override::Gone(at));
                        plan.restored(path);
                    }
                    kind => {
                        let reason = if kind == VKind::File {
                            CHANGED
                        } else {
                            "was replaced by a folder or link after cowork created it"
                        };
                        plan.conflicts.push((path.clone(), reason.to_string()));
                        if force {
                            plan.steps.push(aside(&p));
                            vfs.push(Override::Gone(at));
                            plan.restored(path);
                        }
                    }
                }
            }
            JournalOp::CreatedDir { path } => {
                let p = self.resolve(path)?;
                let at = Loc::ws(&p);
                match vfs.kind(&at)? {
                    VKind::Absent => {}
                    VKind::Dir if vfs.is_empty_dir(&at)? => {
                        plan.steps.push(Step::Remove {
                            at: p,
                            expect: None,
                        });
                        vfs.push(Override::Gone(at));
                        plan.restored(path);
                    }
                    kind => {
                        let reason = if kind == VKind::Dir {
                            "is a folder cowork created that now holds files cowork did not put there"
                        } else {
                            "is no longer the folder cowork created"
                        };
                        plan.conflicts.push((path.clone(), reason.to_string()));
                        if force {
                            plan.steps.push(aside(&p));
                            vfs.push(Override::Gone(at));
                            plan.restored(path);
                        }
                    }
                }
            }
            JournalOp::Modified {
                path,
                before,
                after,
            } => {
                let p = self.resolve(path)?;
                let at = Loc::ws(&p);
                let kind = vfs.kind(&at)?;
                let current = vfs.hash(&at)?;
                if current.as_deref() == Some(before.as_str()) {
                    return Ok(()); // The write never happened (or was reverted already).
                }
                if !self.has_backup(before) {
                    plan.conflicts.push((
                        path.clone(),
                        format!("cannot be restored: its earlier version (backup {before}) is missing from .cowork/backups"),
                    ));
                    return Ok(());
                }
                let matches = current.as_deref() == Some(after.as_str());
                if !matches {
                    let reason = match kind {
                        VKind::Absent => "was deleted after cowork changed it",
                        VKind::File => CHANGED,
                        VKind::Dir | VKind::Other => {
                            "was replaced by a folder or link after cowork changed it"
                        }
                    };
                    plan.conflicts.push((path.clone(), reason.to_string()));
                    if !force {
                        return Ok(());
                    }
                    if kind.present() {
                        plan.steps.push(aside(&p));
                    }
                }
                plan.steps.push(Step::Restore {
                    at: p,
                    blob: before.clone(),
                });
                vfs.push(Override::PutFile {
                    at,
                    hash: before.clone(),
                });
                plan.restored(path);
            }
            JournalOp::Deleted {
                path,
                before_hash,
                trash,
                is_dir,
            } => {
                let p = self.resolve(path)?;
                let at = Loc::ws(&p);
                let slot = Loc::state(trash);
                let here = vfs.kind(&at)?;
                let in_trash = vfs.kind(&slot)?.present();
                match (here.present(), in_trash) {
                    (false, true) => {}
                    (true, false) => {
                        let unchanged = if *is_dir {
                            here == VKind::Dir
                        } else {
                            before_hash.is_none() || vfs.hash(&at)? == *before_hash
                        };
                        if !unchanged {
                            plan.conflicts.push((
                                path.clone(),
                                "cannot be restored: its copy is no longer in the trash (the trash was emptied)".into(),
                            ));
                        }
                        return Ok(());
                    }
                    (true, true) => {
                        plan.conflicts.push((
                            path.clone(),
                            "was created again after cowork deleted it".into(),
                        ));
                        if !force {
                            return Ok(());
                        }
                        plan.steps.push(aside(&p));
                        vfs.push(Override::Gone(at.clone()));
                    }
                    (false, false) => {
                        plan.conflicts.push((
                            path.clone(),
                            "cannot be restored: its copy is no longer in the trash (the trash was emptied)".into(),
                        ));
                        return Ok(());
                    }
                }
                plan.steps.push(Step::Transfer {
                    from: slot.clone(),
                    to: at.clone(),
                });
                vfs.push(Override::Moved { from: slot, to: at });
                plan.restored(path);
            }
            JournalOp::Moved { from, to } => {
                let f = self.resolve(from)?;
                let t = self.resolve(to)?;
                let (fl, tl) = (Loc::ws(&f), Loc::ws(&t));
                match (vfs.kind(&fl)?.present(), vfs.kind(&tl)?.present()) {
                    (false, true) => {}
                    (true, false) => return Ok(()), // The move never happened.
                    (true, true) => {
                        plan.conflicts.push((
                            from.clone(),
                            format!("was created again after cowork moved it to {to}"),
                        ));
                        if !force {
                            return Ok(());
                        }
                        plan.steps.push(aside(&f));
                        vfs.push(Override::Gone(fl.clone()));
                    }
                    (false, false) => {
                        plan.conflicts.push((
                            to.clone(),
                            format!("was moved or deleted after cowork moved it there from {from}"),
                        ));
                        return Ok(());
                    }
                }
                plan.steps.push(Step::Transfer {
                    from: tl.clone(),
                    to: fl.clone(),
                });
                vfs.push(Override::Moved { from: tl, to: fl });
                plan.restored(from);
            }
        }
        Ok(())
    }

    fn loc_dir(&self, base: Base) -> Result<&Dir, FsError> {
        match base {
            Base::Root(i) => self.dir(i),
            Base::State => Ok(&self.state),
        }
    }

    fn loc_shown(&self, loc: &Loc) -> String {
        match loc.base {
            Base::Root(root) => self.display(&WsPath {
                root,
                rel: loc.rel.clone(),
            }),
            Base::State => self.state_path.join(&loc.rel).display().to_string(),
        }
    }

    /// Parent folder handle and final name of a location; missing folders are created when
    /// `create` (undo puts things back where they were, parents included).
    fn loc_parent(&self, loc: &Loc, create: bool) -> Result<(Dir, String), FsError> {
        let comps = loc.components();
        let shown = self.loc_shown(loc);
        let Some((last, parents)) = comps.split_last() else {
            return Err(FsError::InvalidPath {
                path: shown,
                reason: "a root folder cannot be undone".into(),
            });
        };
        let base = self.loc_dir(loc.base)?;
        let dir = if create {
            create_dir_chain(base, parents)
        } else {
            open_dir_chain(base, parents)
        }
        .map_err(|e| FsError::io("open the folder of", shown.clone(), e))?;
        Ok((dir, last.to_string()))
    }

    fn apply(
        &self,
        guard: &std::sync::MutexGuard<'_, ()>,
        step: Step,
        report: &mut UndoReport,
    ) -> Result<(), FsError> {
        match step {
            Step::Remove { at, expect } => {
                let shown = self.display(&at);
                let (dir, name) = self.loc_parent(&Loc::ws(&at), false)?;
                match expect {
                    Some(hash) => {
                        // Re-check right before removing: the person may have saved in between.
                        let now = confined::hash_file_in(&dir, &name)
                            .map_err(|e| FsError::io("read", shown.clone(), e))?;
                        if now != hash {
                            return Err(FsError::Conflict {
                                path: shown,
                                reason: format!(
                                    "{CHANGED} (just now, during the undo); run the undo again"
                                ),
                            });
                        }
                        dir.remove_file(&name)
                            .map_err(|e| FsError::io("remove", shown, e))
                    }
                    None => dir
                        .remove_dir(&name)
                        .map_err(|e| FsError::io("remove folder", shown, e)),
                }
            }
            Step::Restore { at, blob } => {
                let shown = self.display(&at);
                let bytes = self.load_backup(&blob)?;
                let (dir, name) = self.loc_parent(&Loc::ws(&at), true)?;
                let permissions = match lstat(&dir, &name)
                    .map_err(|e| FsError::io("inspect", shown.clone(), e))?
                {
                    Some(m) if kind_of(&m) == EntryKind::File => Some(m.permissions()),
                    Some(_) => {
                        return Err(FsError::Conflict {
                            path: shown,
                            reason: "changed during the undo; run the undo again".into(),
                        });
                    }
                    None => None,
                };
                atomic_write(&dir, &name, &bytes, permissions)
                    .map_err(|e| FsError::io("restore", shown, e))
            }
            Step::Transfer { from, to } => {
                let shown = self.loc_shown(&to);
                let (src, src_name) = self.loc_parent(&from, false)?;
                let (dst, dst_name) = self.loc_parent(&to, true)?;
                if lstat(&dst, &dst_name)
                    .map_err(|e| FsError::io("inspect", shown.clone(), e))?
                    .is_some()
                {
                    return Err(FsError::Conflict {
                        path: shown,
                        reason: "was created during the undo; run the undo again".into(),
                    });
                }
                transfer(&src, &src_name, &dst, &dst_name, &shown)?;
                if from.base == Base::State {
                    self.prune_trash(&from);
                }
                Ok(())
            }
            Step::Aside { at, task, action } => self.set_aside(guard, &at, &task, &action, report),
        }
    }

    /// Keep the person's current version of `at` (force): a single-link file goes to the
    /// backups, anything else is moved into the trash. Either way it is reported.
    fn set_aside(
        &self,
        guard: &std::sync::MutexGuard<'_, ()>,
        at: &WsPath,
        task: &str,
        action: &str,
        report: &mut UndoReport,
    ) -> Result<(), FsError> {
        let shown = self.display(at);
        let (dir, name) = self.loc_parent(&Loc::ws(at), false)?;
        let Some(meta) =
            lstat(&dir, &name).map_err(|e| FsError::io("inspect", shown.clone(), e))?
        else {
            return Ok(());
        };
        if kind_of(&meta) == EntryKind::File && meta.nlink() == 1 {
            let bytes = confined::read_all(&dir, &[name.as_str()])
                .map_err(|e| FsError::io("read", shown.clone(), e))?;
            let hash = self.store_backup(&bytes)?;
            dir.remove_file(&name)
                .map_err(|e| FsError::io("remove", shown.clone(), e))?;
            report.forced_backups.push((shown, hash));
            return Ok(());
        }
        let mut comps = vec![
            TRASH_DIR.to_string(),
            crate::names::sanitize_component(task),
            format!("undo-forced-{}", crate::names::sanitize_component(action)),
        ];
        if at.root != 0 {
            comps.push(format!("@{}", self.root_name(at.root)));
        }
        comps.extend(at.components().iter().map(|c| c.to_string()));
        let (trash_dir, trash_name, trash_rel) = self.free_state_slot(comps)?;
        self.append_locked(
            guard,
            &[Record::ForcedTrash {
                ts: now_rfc3339(),
                task: task.to_string(),
                action: action.to_string(),
                original: shown.clone(),
                trash: trash_rel.clone(),
            }],
        )?;
        transfer(&dir, &name, &trash_dir, &trash_name, &shown)?;
        report.forced_backups.push((shown, trash_rel));
        Ok(())
    }

    /// Remove folders of the trash left empty by a restore (best effort, never the trash itself).
    fn prune_trash(&self, slot: &Loc) {
        let mut comps: Vec<&str> = slot.components();
        comps.pop();
        while comps.len() > 1 {
            let Some((last, parents)) = comps.split_last() else {
                break;
            };
            let Ok(parent) = open_dir_chain(&self.state, parents) else {
                break;
            };
            if parent.remove_dir(last).is_err() {
                break;
            }
            comps.pop();
        }
    }
}

/// The task and its actions (in journal order) that `target` names.
fn select(
    tasks: &[crate::journal::TaskRecord],
    target: &UndoTarget,
) -> Result<(String, Vec<ActionRecord>), FsError> {
    let pending = |t: &crate::journal::TaskRecord| -> Vec<ActionRecord> {
        t.actions.iter().filter(|a| !a.undone).cloned().collect()
    };
    match target {
        UndoTarget::LastTask => tasks
            .iter()
            .rev()
            .find(|t| t.actions.iter().any(|a| !a.undone))
            .map(|t| (t.task.clone(), pending(t)))
            .ok_or_else(|| FsError::NothingToUndo {
                detail: "no task has changed files in this workspace since the last undo".into(),
            }),
        UndoTarget::Task(id) => {
            let t = tasks
                .iter()
                .find(|t| &t.task == id)
                .ok_or_else(|| FsError::UnknownTask { task: id.clone() })?;
            let actions = pending(t);
            if actions.is_empty() {
                return Err(FsError::NothingToUndo {
                    detail: format!("task {id} was already undone"),
                });
            }
            Ok((t.task.clone(), actions))
        }
        UndoTarget::Action(id) => {
            for t in tasks.iter().rev() {
                if let Some(a) = t.actions.iter().find(|a| &a.action == id && !a.undone) {
                    return Ok((t.task.clone(), vec![a.clone()]));
                }
            }
            if tasks
                .iter()
                .any(|t| t.actions.iter().any(|a| &a.action == id))
            {
                return Err(FsError::NothingToUndo {
                    detail: format!("action {id} was already undone"),
                });
            }
            Err(FsError::UnknownAction { action: id.clone() })
        }
    }
}
