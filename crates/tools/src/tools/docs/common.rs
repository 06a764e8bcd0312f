//! What the document tools share: reading a workspace file as a document, and planning /
//! writing one output file (create, or overwrite with a backup) through the transaction.

use cowork_docmodel::{DocError, Document, ReadOptions};
use cowork_fs::{ActionTxn, EntryKind, EntryMeta, WsPath};
use cowork_protocol::{ActionKind, Effect, OutputChange, Preview, Provenance};

use crate::format::human_size;
use crate::tools::kind_word;
use crate::{Prepared, ToolContext, ToolError, ToolOutput, paths};

/// A workspace file read as a document.
pub(crate) struct ReadDoc {
    pub doc: Document,
    pub shown: String,
}

/// Read the file at `path` (a workspace path) into a [`Document`].
pub(crate) fn read_document(
    ctx: &ToolContext,
    path: &str,
    opts: &ReadOptions,
) -> Result<ReadDoc, ToolError> {
    let p = paths::resolve(ctx, path)?;
    let meta = paths::existing(ctx, &p)?;
    let shown = ctx.ws.display(&p);
    if matches!(meta.kind, EntryKind::Dir) {
        return Err(ToolError::invalid(format!(
            "`{shown}` is a folder; use list_dir to see what it holds"
        )));
    }
    let bytes = ctx.ws.read(&p, ctx.max_read_bytes)?;
    let doc =
        cowork_docs::read_bytes(&bytes, Some(&shown), opts).map_err(|e| doc_error(&shown, e))?;
    Ok(ReadDoc { doc, shown })
}

/// A document engine error as the model should see it, naming the file.
pub(crate) fn doc_error(shown: &str, e: DocError) -> ToolError {
    match e {
        DocError::Unsupported { .. } => ToolError::Unsupported(format!("`{shown}`: {e}")),
        DocError::InvalidOption { detail } => ToolError::invalid(detail),
        other => ToolError::Failed(format!("`{shown}`: {other}")),
    }
}

/// Where a document tool writes, checked before anything runs.
pub(crate) struct OutputTarget {
    pub p: WsPath,
    pub shown: String,
    pub existing: Option<EntryMeta>,
    pub overwrite: bool,
}

/// Resolve an output path: its extension must be one of `exts` (lowercase, no dot); an existing
/// file is only replaced with `overwrite`.
pub(crate) fn output_target(
    ctx: &ToolContext,
    tool: &str,
    path: &str,
    exts: &[&str],
    overwrite: bool,
) -> Result<OutputTarget, ToolError> {
    let p = paths::resolve(ctx, path)?;
    let shown = ctx.ws.display(&p);
    if p.rel().is_empty() {
        return Err(ToolError::invalid(format!(
            "`{shown}` is a root folder; give a file path inside it"
        )));
    }
    let ext = p
        .extension()
        .map(|e| e.trim_start_matches('.').to_ascii_lowercase());
    if !ext.as_deref().is_some_and(|e| exts.contains(&e)) {
        return Err(ToolError::invalid(format!(
            "{tool} writes {} files; give `{shown}` one of these extensions",
            exts.iter()
                .map(|e| format!(".{e}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let existing = ctx.ws.metadata(&p)?;
    match existing.as_ref().map(|m| &m.kind) {
        None => {}
        Some(EntryKind::File) if overwrite => {}
        Some(EntryKind::File) => {
            return Err(ToolError::invalid(format!(
                "`{shown}` already exists; set `overwrite: true` to replace it (a backup is kept), or choose another name"
            )));
        }
        Some(kind @ (EntryKind::Dir | EntryKind::Symlink | EntryKind::Other)) => {
            return Err(ToolError::invalid(format!(
                "`{shown}` is a {}, not a regular file; choose another path",
                kind_word(kind)
            )));
        }
    }
    Ok(OutputTarget {
        p,
        shown,
        existing,
        overwrite,
    })
}

impl OutputTarget {
    /// The prepared action for writing `bytes` here: `what` is e.g. "spreadsheet" and `detail`
    /// a short summary ("2 sheets, 14 rows, 1 chart").
    pub fn prepared(&self, what: &str, bytes: usize, detail: &str, preview: Preview) -> Prepared {
        let size = human_size(bytes as u64);
        match &self.existing {
            None => Prepared {
                kind: ActionKind::FileWrite,
                effects: vec![Effect::Create {
                    path: self.shown.clone(),
                    bytes: bytes as u64,
                }],
                description: format!("create {what} {}", self.shown),
                consequence: format!(
                    "creates {} ({size}; {detail}); reversible: undo removes it",
                    self.shown
                ),
                preview,
                folders: Vec::new(),
            },
            Some(old) => Prepared {
                kind: ActionKind::FileWrite,
                effects: vec![Effect::Modify {
                    path: self.shown.clone(),
                }],
                description: format!("overwrite {what} {}", self.shown),
                consequence: format!(
                    "overwrites {} ({}) with a new {what} ({size}; {detail}); reversible: backup kept",
                    self.shown,
                    human_size(old.size)
                ),
                preview,
                folders: Vec::new(),
            },
        }
    }

    /// Write `bytes` through the transaction and say what happened.
    pub fn write(
        &self,
        txn: &mut ActionTxn<'_>,
        what: &str,
        bytes: &[u8],
        detail: &str,
    ) -> Result<ToolOutput, ToolError> {
        txn.write_file(&self.p, bytes, self.overwrite)?;
        let size = human_size(bytes.len() as u64);
        let (verb, change) = match self.existing {
            None => ("created", OutputChange::Created),
            Some(_) => ("overwrote", OutputChange::Modified),
        };
        Ok(ToolOutput {
            content: format!("{verb} {what} {} ({size}; {detail})", self.shown),
            provenance: Provenance::Trusted,
            changes: vec![(self.shown.clone(), change)],
            plan: None,
        })
    }
}
