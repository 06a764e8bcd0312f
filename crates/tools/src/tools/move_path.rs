//! move_path: move or rename a file or folder (into a folder when `to` is one).

use cowork_fs::{ActionTxn, EntryKind, WsPath};
use cowork_protocol::{ActionKind, Effect, OutputChange, Preview, Provenance};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::format::human_size;
use crate::input::{parse, schema};
use crate::tools::kind_word;
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec, paths};

const NAME: &str = "move_path";

/// Move or rename.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// The file or folder to move.
    from: String,
    /// The new path; when it is an existing folder, the entry moves into it.
    to: String,
}

/// The `move_path` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct MovePath;

struct Plan {
    from: WsPath,
    to: WsPath,
    from_shown: String,
    to_shown: String,
    kind: EntryKind,
    size: u64,
    /// A missing folder to create first for `to` (mkdir -p).
    mkdir: Option<WsPath>,
}

fn plan(input: &serde_json::Value, ctx: &ToolContext) -> Result<Plan, ToolError> {
    let input: Input = parse(NAME, input)?;
    let from = paths::resolve(ctx, &input.from)?;
    let mut to = paths::resolve(ctx, &input.to)?;
    if from.rel().is_empty() {
        return Err(ToolError::invalid(format!(
            "`{}` is a root folder of the workspace and cannot be moved",
            ctx.ws.display(&from)
        )));
    }
    let meta = paths::existing(ctx, &from)?;
    // Like `mv`: moving onto an existing folder moves into it.
    if let Some(target) = ctx.ws.metadata(&to)?
        && matches!(target.kind, EntryKind::Dir)
        && to != from
    {
        to = paths::join(ctx, &to, paths::file_name(&from))?;
    }
    let from_shown = ctx.ws.display(&from);
    let to_shown = ctx.ws.display(&to);
    if to == from {
        return Err(ToolError::invalid(format!(
            "`{from_shown}` is already there; nothing to move"
        )));
    }
    if paths::is_within(&to, &from) {
        return Err(ToolError::invalid(format!(
            "cannot move the folder `{from_shown}` into itself (`{to_shown}`)"
        )));
    }
    if let Some(existing) = ctx.ws.metadata(&to)? {
        return Err(ToolError::invalid(format!(
            "`{to_shown}` already exists ({}); choose another name — move_path never replaces anything",
            kind_word(&existing.kind)
        )));
    }
    let mkdir = match paths::parent(ctx, &to)? {
        Some(parent) => match ctx.ws.metadata(&parent)? {
            None => Some(parent),
            Some(m) if matches!(m.kind, EntryKind::Dir) => None,
            Some(m) => {
                return Err(ToolError::invalid(format!(
                    "`{}` is a {}, not a folder; choose another target",
                    ctx.ws.display(&parent),
                    kind_word(&m.kind)
                )));
            }
        },
        None => None,
    };
    Ok(Plan {
        from,
        to,
        from_shown,
        to_shown,
        kind: meta.kind,
        size: meta.size,
        mkdir,
    })
}

impl Tool for MovePath {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description: "Move or rename a file or folder. When `to` is an existing folder the \
                          entry moves into it; an existing file is never replaced. Missing \
                          folders are created."
                .to_string(),
            kind: ActionKind::FileMove,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let plan = plan(input, ctx)?;
        let mut effects = Vec::new();
        let mut ops = Vec::new();
        let mut creates = String::new();
        let mut folders = Vec::new();
        if let Some(dir) = &plan.mkdir {
            let shown = ctx.ws.display(dir);
            folders.push(shown.clone());
            effects.push(Effect::Create {
                path: shown.clone(),
                bytes: 0,
            });
            ops.push(format!("1. mkdir {shown}"));
            creates = format!(", creating folder {shown}");
        }
        effects.push(Effect::Move {
            from: plan.from_shown.clone(),
            to: plan.to_shown.clone(),
        });
        ops.push(format!(
            "{}. move {} -> {}",
            ops.len() + 1,
            plan.from_shown,
            plan.to_shown
        ));
        let what = match plan.kind {
            EntryKind::Dir => format!("the folder {}", plan.from_shown),
            EntryKind::File | EntryKind::Symlink | EntryKind::Other => {
                format!("{} ({})", plan.from_shown, human_size(plan.size))
            }
        };
        Ok(Prepared {
            kind: ActionKind::FileMove,
            folders,
            effects,
            description: format!("move {} to {}", plan.from_shown, plan.to_shown),
            consequence: format!(
                "moves {what} to {}{creates}; reversible: undo moves it back",
                plan.to_shown
            ),
            preview: Preview::Ops { ops },
        })
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let plan = plan(input, ctx)?;
        if let Some(dir) = &plan.mkdir {
            txn.make_dir(dir)?;
        }
        txn.move_path(&plan.from, &plan.to)?;
        Ok(ToolOutput {
            content: format!("moved {} to {}", plan.from_shown, plan.to_shown),
            provenance: Provenance::Trusted,
            changes: vec![(plan.to_shown, OutputChange::Moved)],
            plan: None,
        })
    }
}
