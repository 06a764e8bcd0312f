//! make_dir: create a folder (and missing parents).

use cowork_fs::{ActionTxn, EntryKind, WsPath};
use cowork_protocol::{ActionKind, Effect, OutputChange, Preview, Provenance};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::input::{parse, schema};
use crate::tools::kind_word;
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec, paths};

const NAME: &str = "make_dir";

/// Create a folder.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// The folder to create; missing parent folders are created too.
    path: String,
}

/// The `make_dir` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct MakeDir;

fn plan(input: &serde_json::Value, ctx: &ToolContext) -> Result<(WsPath, String, bool), ToolError> {
    let input: Input = parse(NAME, input)?;
    let p = paths::resolve(ctx, &input.path)?;
    let shown = ctx.ws.display(&p);
    let exists = match ctx.ws.metadata(&p)? {
        None => false,
        Some(m) if matches!(m.kind, EntryKind::Dir) => true,
        Some(m) => {
            return Err(ToolError::invalid(format!(
                "`{shown}` already exists as a {}; choose another folder name",
                kind_word(&m.kind)
            )));
        }
    };
    Ok((p, shown, exists))
}

impl Tool for MakeDir {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description: "Create a folder, with any missing parent folders. An existing folder is \
                          left as it is."
                .to_string(),
            kind: ActionKind::FileWrite,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let (_, shown, exists) = plan(input, ctx)?;
        let consequence = if exists {
            format!("the folder {shown} already exists; nothing changes")
        } else {
            format!("creates the folder {shown}; reversible: undo removes it")
        };
        Ok(Prepared {
            kind: ActionKind::FileWrite,
            folders: vec![shown.clone()],
            effects: vec![Effect::Create {
                path: shown.clone(),
                bytes: 0,
            }],
            description: format!("create folder {shown}"),
            consequence,
            preview: Preview::Ops {
                ops: vec![format!("1. mkdir {shown}")],
            },
        })
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let (p, shown, exists) = plan(input, ctx)?;
        if exists {
            return Ok(ToolOutput {
                content: format!("the folder {shown} already exists"),
                provenance: Provenance::Trusted,
                changes: Vec::new(),
                plan: None,
            });
        }
        txn.make_dir(&p)?;
        Ok(ToolOutput {
            content: format!("created the folder {shown}"),
            provenance: Provenance::Trusted,
            changes: vec![(shown, OutputChange::Created)],
            plan: None,
        })
    }
}
