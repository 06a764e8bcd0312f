//! delete_path: move a file or folder to cowork's trash (never a permanent delete, C2).

use cowork_fs::{ActionTxn, EntryKind, WsPath};
use cowork_protocol::{ActionKind, Effect, OutputChange, Preview, Provenance};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::format::{human_size, plural};
use crate::input::{parse, schema};
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec, paths};

const NAME: &str = "delete_path";
/// Entries counted to describe a folder's size; beyond this the count is shown as "at least".
const COUNT_LIMIT: usize = 10_000;

/// Delete (to the trash).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// The file or folder to move to the trash.
    path: String,
}

/// The `delete_path` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeletePath;

fn plan(
    input: &serde_json::Value,
    ctx: &ToolContext,
) -> Result<(WsPath, String, EntryKind, u64), ToolError> {
    let input: Input = parse(NAME, input)?;
    let p = paths::resolve(ctx, &input.path)?;
    let shown = ctx.ws.display(&p);
    if p.rel().is_empty() {
        return Err(ToolError::invalid(format!(
            "`{shown}` is a root folder of the workspace and cannot be deleted"
        )));
    }
    let meta = paths::existing(ctx, &p)?;
    Ok((p, shown, meta.kind, meta.size))
}

impl Tool for DeletePath {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description: "Move a file or folder to cowork's trash; `cowork undo` restores it. \
                          Nothing is deleted permanently."
                .to_string(),
            kind: ActionKind::FileDelete,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let (p, shown, kind, size) = plan(input, ctx)?;
        let what = match kind {
            EntryKind::Dir => {
                // The person should see how much a folder delete takes away.
                let (entries, truncated) = ctx.ws.list(&p, true, None, COUNT_LIMIT)?;
                let files: Vec<_> = entries
                    .iter()
                    .filter(|e| !matches!(e.kind, EntryKind::Dir))
                    .collect();
                let bytes: u64 = files.iter().map(|e| e.size).sum();
                let at_least = if truncated { "at least " } else { "" };
                format!(
                    "the folder {shown} with {at_least}{} ({at_least}{})",
                    plural(files.len(), "file", "files"),
                    human_size(bytes)
                )
            }
            EntryKind::File | EntryKind::Symlink | EntryKind::Other => {
                format!("{shown} ({})", human_size(size))
            }
        };
        Ok(Prepared {
            kind: ActionKind::FileDelete,
            folders: Vec::new(),
            effects: vec![Effect::Delete {
                path: shown.clone(),
            }],
            description: format!("delete {shown} (to trash)"),
            consequence: format!("moves {what} to the trash; reversible: restore with cowork undo"),
            preview: Preview::Ops {
                ops: vec![format!("1. delete {shown} (to trash)")],
            },
        })
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let (p, shown, _, _) = plan(input, ctx)?;
        txn.delete(&p)?;
        Ok(ToolOutput {
            content: format!("moved {shown} to the trash (cowork undo restores it)"),
            provenance: Provenance::Trusted,
            changes: vec![(shown, OutputChange::Deleted)],
            plan: None,
        })
    }
}
