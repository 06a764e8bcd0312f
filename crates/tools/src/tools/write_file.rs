//! write_file: create a file, or replace one when `overwrite` is set (a backup is kept).

use cowork_fs::{ActionTxn, EntryKind, EntryMeta, WsPath};
use cowork_protocol::{ActionKind, Effect, OutputChange, Preview, Provenance};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::format::{human_size, text_preview, unified_diff};
use crate::input::{parse, schema};
use crate::readers::TextReader;
use crate::tools::kind_word;
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec, paths};

const NAME: &str = "write_file";

/// Write a whole file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// File to write, relative to the workspace (`@NAME/…` for another root). Missing folders
    /// are created.
    path: String,
    /// The complete new content (UTF-8 text).
    content: String,
    /// Replace the file if it exists (a backup is kept). Default false: an existing file is an error.
    #[serde(default)]
    overwrite: bool,
}

/// The `write_file` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteFile;

struct Plan {
    input: Input,
    p: WsPath,
    shown: String,
    /// The file being replaced, when there is one.
    existing: Option<EntryMeta>,
}

fn plan(input: &serde_json::Value, ctx: &ToolContext) -> Result<Plan, ToolError> {
    let input: Input = parse(NAME, input)?;
    let p = paths::resolve(ctx, &input.path)?;
    let shown = ctx.ws.display(&p);
    if p.rel().is_empty() {
        return Err(ToolError::invalid(format!(
            "`{shown}` is a root folder; give a file path inside it"
        )));
    }
    let existing = ctx.ws.metadata(&p)?;
    match existing.as_ref().map(|m| &m.kind) {
        None => {}
        Some(EntryKind::File) if input.overwrite => {}
        Some(EntryKind::File) => {
            let size = existing.as_ref().map(|m| m.size).unwrap_or(0);
            return Err(ToolError::invalid(format!(
                "`{shown}` already exists ({}); set `overwrite: true` to replace it (a backup is \
                 kept), or use edit_file to change part of it",
                human_size(size)
            )));
        }
        Some(kind @ (EntryKind::Dir | EntryKind::Symlink | EntryKind::Other)) => {
            return Err(ToolError::invalid(format!(
                "`{shown}` is a {}, not a regular file; choose another path",
                kind_word(kind)
            )));
        }
    }
    Ok(Plan {
        input,
        p,
        shown,
        existing,
    })
}

/// The missing folder nearest the root on the way to `p`, if any: it is created with the file.
fn first_missing_folder(ctx: &ToolContext, p: &WsPath) -> Result<Option<String>, ToolError> {
    let mut missing = None;
    let mut cur = paths::parent(ctx, p)?;
    while let Some(dir) = cur {
        if ctx.ws.metadata(&dir)?.is_some() {
            break;
        }
        missing = Some(ctx.ws.display(&dir));
        cur = paths::parent(ctx, &dir)?;
    }
    Ok(missing)
}

impl Tool for WriteFile {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description: "Create a file with the given content. An existing file is only replaced \
                          with overwrite: true (a backup is kept); to change part of a file use \
                          edit_file."
                .to_string(),
            kind: ActionKind::FileWrite,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let plan = plan(input, ctx)?;
        let new = &plan.input.content;
        let shown = &plan.shown;
        let Some(old_meta) = &plan.existing else {
            let folder = match first_missing_folder(ctx, &plan.p)? {
                Some(f) => format!(" in a new folder {f}"),
                None => String::new(),
            };
            return Ok(Prepared {
                kind: ActionKind::FileWrite,
                folders: Vec::new(),
                effects: vec![Effect::Create {
                    path: shown.clone(),
                    bytes: new.len() as u64,
                }],
                description: format!("create {shown}"),
                consequence: format!(
                    "creates {shown} ({}){folder}; reversible: undo removes it",
                    human_size(new.len() as u64)
                ),
                preview: text_preview(new),
            });
        };
        // Show what changes when the old version is text we can read; otherwise the new text.
        let old_text = if old_meta.size <= ctx.max_read_bytes {
            ctx.ws
                .read(&plan.p, ctx.max_read_bytes)
                .ok()
                .and_then(|b| TextReader::decode(&b).ok())
        } else {
            None
        };
        let preview = match old_text {
            Some(old) => Preview::Diff {
                unified: unified_diff(shown, &old, new),
            },
            None => text_preview(new),
        };
        Ok(Prepared {
            kind: ActionKind::FileWrite,
            folders: Vec::new(),
            effects: vec![Effect::Modify {
                path: shown.clone(),
            }],
            description: format!("overwrite {shown}"),
            consequence: format!(
                "overwrites {shown} ({}) with {}; reversible: backup kept",
                human_size(old_meta.size),
                human_size(new.len() as u64)
            ),
            preview,
        })
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let plan = plan(input, ctx)?;
        let bytes = plan.input.content.as_bytes();
        txn.write_file(&plan.p, bytes, plan.input.overwrite)?;
        let size = human_size(bytes.len() as u64);
        let (content, change) = match &plan.existing {
            None => (
                format!("created {} ({size})", plan.shown),
                OutputChange::Created,
            ),
            Some(_) => (
                format!(
                    "overwrote {} ({size}); the previous version is backed up",
                    plan.shown
                ),
                OutputChange::Modified,
            ),
        };
        Ok(ToolOutput {
            content,
            provenance: Provenance::Trusted,
            changes: vec![(plan.shown, change)],
            plan: None,
        })
    }
}
