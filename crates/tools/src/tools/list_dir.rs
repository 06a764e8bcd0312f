//! list_dir: what a folder holds, one concise line per entry.

use cowork_fs::{ActionTxn, EntryKind, EntryMeta};
use cowork_protocol::{ActionKind, Effect, Preview, Provenance};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::format::{human_size, short_time};
use crate::input::{parse, schema};
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec, paths};

const NAME: &str = "list_dir";
const DEFAULT_LIMIT: usize = 500;
const MAX_LIMIT: usize = 5000;

/// List the entries of a folder.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// Folder to list, relative to the workspace (`@NAME/…` for another root). Default `.`.
    #[serde(default = "dot")]
    path: String,
    /// Also list everything below subfolders.
    #[serde(default)]
    recursive: bool,
    /// Only files whose path relative to `path` matches this glob, e.g. `**/*.md`.
    #[serde(default)]
    glob: Option<String>,
    /// At most this many entries (default 500, at most 5000).
    #[serde(default)]
    limit: Option<usize>,
}

fn dot() -> String {
    ".".to_string()
}

/// The `list_dir` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListDir;

impl Tool for ListDir {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description: "List a folder of the workspace: one line per entry with type, size, \
                          modification time and path. Use recursive and glob to look deeper."
                .to_string(),
            kind: ActionKind::FileRead,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let input: Input = parse(NAME, input)?;
        let p = paths::resolve(ctx, &input.path)?;
        paths::existing(ctx, &p)?;
        let shown = ctx.ws.display(&p);
        let mut how = Vec::new();
        if input.recursive {
            how.push("recursive".to_string());
        }
        if let Some(glob) = &input.glob {
            how.push(format!("files matching {glob}"));
        }
        let how = if how.is_empty() {
            String::new()
        } else {
            format!(" ({})", how.join(", "))
        };
        Ok(Prepared {
            kind: ActionKind::FileRead,
            folders: Vec::new(),
            effects: vec![Effect::Read {
                path: shown.clone(),
            }],
            description: format!("list {shown}"),
            consequence: format!("lists {shown}{how}"),
            preview: Preview::None,
        })
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        _txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let input: Input = parse(NAME, input)?;
        let p = paths::resolve(ctx, &input.path)?;
        let meta = paths::existing(ctx, &p)?;
        let shown = ctx.ws.display(&p);
        let limit = input.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let content = match meta.kind {
            EntryKind::Dir => {
                let (entries, truncated) =
                    ctx.ws
                        .list(&p, input.recursive, input.glob.as_deref(), limit)?;
                render(&shown, &entries, truncated, limit)
            }
            // A file (or link) lists as itself, which is what `ls FILE` does too.
            EntryKind::File | EntryKind::Symlink | EntryKind::Other => line(&meta),
        };
        Ok(ToolOutput {
            content,
            // File names are chosen by whoever filled the folder: data, not instructions.
            provenance: Provenance::Untrusted {
                source: format!("listing:{shown}"),
            },
            changes: Vec::new(),
            plan: None,
        })
    }
}

fn render(shown: &str, entries: &[EntryMeta], truncated: bool, limit: usize) -> String {
    if entries.is_empty() {
        return format!("{shown} is empty (or nothing matches)");
    }
    let mut out: Vec<String> = entries.iter().map(line).collect();
    if truncated {
        out.push(format!(
            "… stopped at {limit} entries; narrow the listing with `path` or `glob`, or raise `limit`"
        ));
    }
    out.join("\n")
}

/// `file     2.1 KB  2026-11-22 01:33  notes/a.md`
fn line(e: &EntryMeta) -> String {
    let (kind, size, suffix) = match e.kind {
        EntryKind::File => ("file", human_size(e.size), ""),
        EntryKind::Dir => ("dir", "-".to_string(), "/"),
        EntryKind::Symlink => ("link", "-".to_string(), ""),
        EntryKind::Other => ("other", "-".to_string(), ""),
    };
    format!(
        "{kind:<5} {size:>9}  {}  {}{suffix}",
        short_time(e.modified),
        e.display
    )
}
