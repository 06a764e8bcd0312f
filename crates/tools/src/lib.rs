//! cowork's built-in file tools (DESIGN.md §3, §8, §12).
//!
//! Every tool works in two steps. [`Tool::prepare`] parses the model's input, resolves its paths
//! inside the [`Workspace`] and computes — before anything runs — the action kind, the effects, a
//! one-line description, the consequence and a preview (C5). [`Tool::execute`] then performs it,
//! with every mutation going through a [`cowork_fs::ActionTxn`] that only allows the declared
//! effects, so a tool cannot act beyond what the person approved.

mod error;
mod format;
mod input;
mod paths;
mod readers;
mod registry;
mod tools;

use cowork_fs::{ActionTxn, WorkspaceView};
use cowork_protocol::{ActionKind, Effect, OutputChange, Preview, Provenance};

pub use error::ToolError;
pub use format::{human_size, text_preview, unified_diff};
pub use readers::{Reader, ReaderRegistry, TextReader};
pub use registry::Registry;
pub use tools::{
    CreateChart, CreateDocument, CreatePresentation, CreateSpreadsheet, DeletePath, DocumentReader,
    EditFile, ExtractTables, ListDir, MakeDir, MovePath, Organize, QueryData, ReadDocument,
    ReadFile, SearchFiles, UpdatePlan, WriteFile, parse_plan,
};

/// How a tool presents itself to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: String,
    pub kind: ActionKind,
    /// JSON Schema of the input (generated from the input struct with schemars).
    pub input_schema: serde_json::Value,
}

/// What a tool will do for a concrete input, computed BEFORE it runs (DESIGN §3, C5).
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub kind: ActionKind,
    /// Effects on workspace display paths (`a/b.md`, `@NAME/x`).
    pub effects: Vec<Effect>,
    /// One line naming the action: "edit notes/report.md".
    pub description: String,
    /// Computed facts: "overwrites report.md (12.0 KB); reversible: backup kept".
    pub consequence: String,
    pub preview: Preview,
    /// Display paths among the effects that are folders this action creates (a `Create` with
    /// no bytes is otherwise indistinguishable from an empty file), so policy treats them as folders.
    pub folders: Vec<String>,
}

/// The result of a tool run.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// What the model sees.
    pub content: String,
    /// `Untrusted{source:"file:notes.md"}` for file contents and search hits; `Trusted` for our own
    /// metadata (listings) and confirmations of writes.
    pub provenance: Provenance,
    /// Files created, modified, moved (the new path) or deleted, by display path.
    pub changes: Vec<(String, OutputChange)>,
    /// A new plan for the task (only `update_plan` sets it); the core announces it as `plan_updated`.
    pub plan: Option<Vec<cowork_protocol::PlanStep>>,
}

/// What a tool may use while it prepares and runs.
pub struct ToolContext<'a> {
    /// Read-only: tools change files only through the transaction `execute` receives.
    pub ws: WorkspaceView<'a>,
    /// No read (file contents for read_file, search or previews) goes over this many bytes.
    pub max_read_bytes: u64,
}

/// A tool the model can call.
pub trait Tool: Send + Sync {
    fn spec(&self) -> ToolSpec;
    /// Parse + validate input (serde, deny_unknown_fields) and resolve paths; errors are
    /// [`ToolError::InvalidInput`] with a message the model can act on.
    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError>;
    /// Run it. All mutations go through `txn`, which only allows the declared effects.
    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError>;
}
