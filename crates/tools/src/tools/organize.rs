//! organize: a batch of moves and new folders, validated as a whole before anything runs.
//!
//! The plan is checked against a simulation of the tree: each op sees the results of the ops
//! before it (a folder made in op 1 exists for op 2; a file moved away in op 2 is gone for op 3).

use std::collections::HashMap;

use cowork_fs::{ActionTxn, EntryKind, WsPath};
use cowork_protocol::{ActionKind, Effect, OutputChange, Preview, Provenance};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::format::plural;
use crate::input::{parse, schema};
use crate::tools::kind_word;
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec, paths};

const NAME: &str = "organize";
/// More ops than this is better split into several actions a person can review.
const MAX_OPS: usize = 1000;

/// Move files and create folders in one reviewed batch.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// The operations, applied in order.
    ops: Vec<Op>,
}

/// One operation of the batch.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "lowercase", deny_unknown_fields)]
enum Op {
    /// Move `from` to `to` (into `to` when it is a folder).
    Move { from: String, to: String },
    /// Create the folder `path` (and missing parents).
    Mkdir { path: String },
}

/// The `organize` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct Organize;

/// An op resolved and checked against the simulated tree.
enum Step {
    Mkdir {
        path: WsPath,
        exists: bool,
    },
    Move {
        from: WsPath,
        to: WsPath,
        is_dir: bool,
    },
}

/// The simulated tree: the real workspace seen through the steps validated so far.
struct Sim<'c, 'w> {
    ctx: &'c ToolContext<'w>,
    steps: Vec<Step>,
}

impl Sim<'_, '_> {
    /// The kind of entry at `x` after all steps so far; None when nothing is there.
    fn state(&self, x: &WsPath) -> Result<Option<EntryKind>, ToolError> {
        let mut cur = x.clone();
        // Walk back through the steps, mapping `cur` to where its content was before each one.
        for step in self.steps.iter().rev() {
            match step {
                Step::Mkdir { path, .. } => {
                    // mkdir -p makes the folder and all its ancestors.
                    if paths::is_within(path, &cur) {
                        return Ok(Some(EntryKind::Dir));
                    }
                }
                Step::Move { from, to, .. } => {
                    if paths::is_within(&cur, to) {
                        let suffix = &cur.rel()[to.rel().len()..];
                        cur = paths::at(self.ctx, from.root(), &format!("{}{suffix}", from.rel()))?;
                    } else if paths::is_within(&cur, from) {
                        return Ok(None);
                    }
                }
            }
        }
        Ok(self.ctx.ws.metadata(&cur)?.map(|m| m.kind))
    }

    /// Check that the nearest existing ancestor of `p` is a folder (so mkdir -p / a move can make
    /// or use the path), naming the op on failure. Returns the first missing parent, if any.
    fn check_parents(&self, n: usize, p: &WsPath) -> Result<Option<WsPath>, ToolError> {
        let mut missing = None;
        let mut cur = paths::parent(self.ctx, p)?;
        while let Some(dir) = cur {
            match self.state(&dir)? {
                Some(EntryKind::Dir) => return Ok(missing),
                Some(kind) => {
                    return Err(ToolError::invalid(format!(
                        "op {n}: `{}` is a {}, not a folder",
                        self.ctx.ws.display(&dir),
                        kind_word(&kind)
                    )));
                }
                None => missing = Some(dir.clone()),
            }
            cur = paths::parent(self.ctx, &dir)?;
        }
        Ok(missing)
    }
}

/// Resolve and validate the whole plan.
fn plan(input: &serde_json::Value, ctx: &ToolContext) -> Result<Vec<Step>, ToolError> {
    let input: Input = parse(NAME, input)?;
    if input.ops.is_empty() {
        return Err(ToolError::invalid(
            "`ops` is empty; give at least one {\"op\":\"move\",…} or {\"op\":\"mkdir\",…}",
        ));
    }
    if input.ops.len() > MAX_OPS {
        return Err(ToolError::invalid(format!(
            "{} ops is too many for one batch (at most {MAX_OPS}); split the work",
            input.ops.len()
        )));
    }
    let mut sim = Sim {
        ctx,
        steps: Vec::new(),
    };
    // Target path -> op number, to name the earlier op in a collision.
    let mut targets: HashMap<WsPath, usize> = HashMap::new();
    for (i, op) in input.ops.iter().enumerate() {
        let n = i + 1;
        let at = |e: ToolError| op_error(n, e);
        let step = match op {
            Op::Mkdir { path } => {
                let path = paths::resolve(ctx, path).map_err(at)?;
                let exists = match sim.state(&path)? {
                    None => false,
                    Some(EntryKind::Dir) => true,
                    Some(kind) => {
                        return Err(ToolError::invalid(format!(
                            "op {n}: `{}` already exists as a {}",
                            ctx.ws.display(&path),
                            kind_word(&kind)
                        )));
                    }
                };
                sim.check_parents(n, &path)?;
                Step::Mkdir { path, exists }
            }
            Op::Move { from, to } => validate_move(&sim, &targets, n, from, to)?,
        };
        if let Step::Move { to, .. } = &step {
            targets.insert(to.clone(), n);
        }
        sim.steps.push(step);
    }
    Ok(sim.steps)
}

/// A path of op `n` that cannot be used: say which op, so the model fixes the right one.
fn op_error(n: usize, e: ToolError) -> ToolError {
    match e {
        ToolError::InvalidInput(m) => ToolError::InvalidInput(format!("op {n}: {m}")),
        other => ToolError::InvalidInput(format!("op {n}: {other}")),
    }
}

fn validate_move(
    sim: &Sim,
    targets: &HashMap<WsPath, usize>,
    n: usize,
    from: &str,
    to: &str,
) -> Result<Step, ToolError> {
    let ctx = sim.ctx;
    let at = |e: ToolError| op_error(n, e);
    let from = paths::resolve(ctx, from).map_err(at)?;
    let mut to = paths::resolve(ctx, to).map_err(at)?;
    let from_shown = ctx.ws.display(&from);
    if from.rel().is_empty() {
        return Err(ToolError::invalid(format!(
            "op {n}: `{from_shown}` is a root folder and cannot be moved"
        )));
    }
    let Some(kind) = sim.state(&from)? else {
        // Never existed: suggest a close name. Existed but an earlier op moved it: say so.
        return Err(if ctx.ws.metadata(&from)?.is_none() {
            at(paths::not_found(ctx, &from))
        } else {
            ToolError::invalid(format!(
                "op {n}: `{from_shown}` was already moved away by an earlier op"
            ))
        });
    };
    // Like `mv`: moving onto a folder moves into it.
    if to != from && matches!(sim.state(&to)?, Some(EntryKind::Dir)) {
        to = paths::join(ctx, &to, paths::file_name(&from))?;
    }
    let to_shown = ctx.ws.display(&to);
    if to == from {
        return Err(ToolError::invalid(format!(
            "op {n}: `{from_shown}` is already there; drop this op"
        )));
    }
    if paths::is_within(&to, &from) {
        return Err(ToolError::invalid(format!(
            "op {n}: cannot move the folder `{from_shown}` into itself (`{to_shown}`)"
        )));
    }
    if let Some(existing) = sim.state(&to)? {
        return Err(ToolError::invalid(match targets.get(&to) {
            Some(earlier) => format!(
                "op {n}: `{to_shown}` is already the target of op {earlier}; every target must be different"
            ),
            None => format!(
                "op {n}: `{to_shown}` already exists ({}); choose another name — organize never replaces anything",
                kind_word(&existing)
            ),
        }));
    }
    if let Some(missing) = sim.check_parents(n, &to)? {
        let shown = ctx.ws.display(&missing);
        return Err(ToolError::invalid(format!(
            "op {n}: the folder `{shown}` does not exist at this point; add {{\"op\":\"mkdir\",\"path\":\"{shown}\"}} before this op"
        )));
    }
    Ok(Step::Move {
        from,
        to,
        is_dir: matches!(kind, EntryKind::Dir),
    })
}

impl Tool for Organize {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description: "Reorganize files in one reviewed batch: a list of {op:\"mkdir\", path} \
                          and {op:\"move\", from, to} applied in order. The whole plan is checked \
                          first (sources exist, no target exists or repeats); nothing is replaced."
                .to_string(),
            kind: ActionKind::FileMove,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let steps = plan(input, ctx)?;
        let mut effects = Vec::new();
        let mut ops = Vec::new();
        let (mut files, mut folders, mut created) = (0, 0, 0);
        let mut new_folders = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            match step {
                Step::Mkdir { path, exists } => {
                    let shown = ctx.ws.display(path);
                    new_folders.push(shown.clone());
                    effects.push(Effect::Create {
                        path: shown.clone(),
                        bytes: 0,
                    });
                    let note = if *exists { " (exists already)" } else { "" };
                    ops.push(format!("{}. mkdir {shown}{note}", i + 1));
                    if !exists {
                        created += 1;
                    }
                }
                Step::Move { from, to, is_dir } => {
                    let (from, to) = (ctx.ws.display(from), ctx.ws.display(to));
                    ops.push(format!("{}. move {from} -> {to}", i + 1));
                    effects.push(Effect::Move { from, to });
                    if *is_dir {
                        folders += 1;
                    } else {
                        files += 1;
                    }
                }
            }
        }
        let mut parts = Vec::new();
        if files > 0 || folders == 0 {
            parts.push(format!("moves {}", plural(files, "file", "files")));
        }
        if folders > 0 {
            parts.push(format!("moves {}", plural(folders, "folder", "folders")));
        }
        if created > 0 {
            parts.push(format!("creates {}", plural(created, "folder", "folders")));
        }
        Ok(Prepared {
            kind: ActionKind::FileMove,
            folders: new_folders,
            effects,
            description: format!("organize ({})", plural(steps.len(), "op", "ops")),
            consequence: format!("{}; reversible: undo moves them back", parts.join(", ")),
            preview: Preview::Ops { ops },
        })
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        // Validate again: the tree may have changed since prepare.
        let steps = plan(input, ctx)?;
        let mut changes = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            let result = match step {
                Step::Mkdir { exists: true, .. } => Ok(()),
                Step::Mkdir {
                    path,
                    exists: false,
                } => {
                    let r = txn.make_dir(path);
                    changes.push((ctx.ws.display(path), OutputChange::Created));
                    r
                }
                Step::Move { from, to, .. } => {
                    let r = txn.move_path(from, to);
                    changes.push((ctx.ws.display(to), OutputChange::Moved));
                    r
                }
            };
            if let Err(e) = result {
                if i == 0 {
                    return Err(e.into());
                }
                return Err(ToolError::Failed(format!(
                    "op {} failed: {e}; ops 1-{i} were done and `cowork undo` reverts them",
                    i + 1
                )));
            }
        }
        Ok(ToolOutput {
            content: format!("organized: {} done", plural(steps.len(), "op", "ops")),
            provenance: Provenance::Trusted,
            changes,
            plan: None,
        })
    }
}
