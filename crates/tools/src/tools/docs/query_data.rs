//! query_data: read-only SQL over the workspace's data files (CSV/TSV, XLSX/XLS/ODS sheets, JSON
//! arrays), each loaded as a table into an in-memory SQLite engine. The numbers in a report are
//! computed by a query, not guessed by the model.

use cowork_data::{DataEngine, EngineLimits, QueryResult};
use cowork_fs::{ActionTxn, EntryKind, WsPath};
use cowork_protocol::{ActionKind, Effect, Preview, Provenance};
use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{OutputTarget, output_target};
use crate::format::human_size;
use crate::input::{parse, schema};
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec, paths};

const NAME: &str = "query_data";
/// Data files taken from one folder at most.
const MAX_FOLDER_FILES: usize = 50;
const DATA_EXTS: [&str; 8] = ["csv", "tsv", "tab", "xlsx", "xlsm", "xls", "ods", "json"];

/// Run a read-only SQL query over data files.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// Data files (CSV, TSV, XLSX/XLS/ODS, JSON array of objects) or folders holding them,
    /// relative to the workspace. Each file is a table named after the file (`sales_2024.csv`
    /// → `sales_2024`); each sheet of a workbook is `<file>_<sheet>`.
    files: Vec<String>,
    /// One SQLite SELECT statement (CTEs and window functions work). Omit it to see the tables
    /// and their columns first.
    #[serde(default)]
    sql: Option<String>,
    /// Also save the result as a file: `.csv` or `.md`.
    #[serde(default)]
    save_as: Option<String>,
    /// Replace `save_as` if it exists (a backup is kept).
    #[serde(default)]
    overwrite: bool,
}

/// The `query_data` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueryData;

struct Plan {
    input: Input,
    files: Vec<(WsPath, String)>,
    target: Option<OutputTarget>,
}

fn plan(input: &serde_json::Value, ctx: &ToolContext) -> Result<Plan, ToolError> {
    let input: Input = parse(NAME, input)?;
    if input.files.is_empty() {
        return Err(ToolError::invalid(
            "`files` is empty: name the data files (or folders) to query",
        ));
    }
    if input.save_as.is_some() && input.sql.is_none() {
        return Err(ToolError::invalid(
            "`save_as` needs `sql`: there is no result to save without a query",
        ));
    }
    let mut files = Vec::new();
    for path in &input.files {
        let p = paths::resolve(ctx, path)?;
        let meta = paths::existing(ctx, &p)?;
        match meta.kind {
            EntryKind::Dir => {
                let (entries, _) = ctx.ws.list(&p, false, None, 10_000)?;
                let data = entries.into_iter().filter(|entry| {
                    let ext = entry
                        .path
                        .extension()
                        .map(|e| e.trim_start_matches('.').to_ascii_lowercase());
                    matches!(entry.kind, EntryKind::File)
                        && ext.is_some_and(|e| DATA_EXTS.contains(&e.as_str()))
                });
                for entry in data.take(MAX_FOLDER_FILES) {
                    files.push((entry.path, entry.display));
                }
            }
            EntryKind::File => {
                let shown = ctx.ws.display(&p);
                files.push((p, shown));
            }
            EntryKind::Symlink | EntryKind::Other => {
                return Err(ToolError::invalid(format!(
                    "`{path}` is not a regular file or folder"
                )));
            }
        }
    }
    if files.is_empty() {
        return Err(ToolError::invalid(format!(
            "no data files found in {}; query_data reads {}",
            input.files.join(", "),
            DATA_EXTS.map(|e| format!(".{e}")).join(", ")
        )));
    }
    let target = match &input.save_as {
        Some(path) => Some(output_target(
            ctx,
            NAME,
            path,
            &["csv", "md"],
            input.overwrite,
        )?),
        None => None,
    };
    Ok(Plan {
        input,
        files,
        target,
    })
}

fn load(ctx: &ToolContext, plan: &Plan) -> Result<DataEngine, ToolError> {
    let mut engine =
        DataEngine::new(EngineLimits::default()).map_err(|e| ToolError::Failed(e.to_string()))?;
    for (p, shown) in &plan.files {
        let bytes = ctx.ws.read(p, ctx.max_read_bytes)?;
        engine
            .load(shown, &bytes)
            .map_err(|e| ToolError::Failed(format!("cannot load `{shown}` as a table: {e}")))?;
    }
    Ok(engine)
}

impl Tool for QueryData {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description: "Answer questions about data files with one read-only SQL SELECT (SQLite: \
                          GROUP BY, CTEs, window functions, date functions). Use it for totals, \
                          averages, growth and rankings instead of computing numbers yourself. Call \
                          it without `sql` first to see the table and column names. `save_as` writes \
                          the result as CSV or Markdown."
                .to_string(),
            kind: ActionKind::DataExtract,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let plan = plan(input, ctx)?;
        let names: Vec<&str> = plan.files.iter().map(|(_, s)| s.as_str()).collect();
        let mut effects: Vec<Effect> = names
            .iter()
            .map(|s| Effect::Read {
                path: s.to_string(),
            })
            .collect();
        let preview = match &plan.input.sql {
            Some(sql) => Preview::Text {
                text: sql.clone(),
                truncated: false,
            },
            None => Preview::None,
        };
        let what = match &plan.input.sql {
            Some(_) => "queries",
            None => "lists the tables of",
        };
        let mut prepared = Prepared {
            kind: ActionKind::DataExtract,
            effects: Vec::new(),
            description: format!("query {}", names.join(", ")),
            consequence: format!("{what} {} read-only", names.join(", ")),
            preview,
            folders: Vec::new(),
        };
        if let Some(target) = &plan.target {
            let saved = target.prepared("query result", 0, "the query's rows", Preview::None);
            effects.extend(saved.effects);
            prepared.kind = ActionKind::FileWrite;
            prepared.consequence = format!("{}; then {}", prepared.consequence, saved.consequence);
        }
        prepared.effects = effects;
        Ok(prepared)
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let plan = plan(input, ctx)?;
        let engine = load(ctx, &plan)?;
        let sources = plan
            .files
            .iter()
            .map(|(_, s)| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let provenance = Provenance::Untrusted {
            source: format!("data:{sources}"),
        };
        let Some(sql) = &plan.input.sql else {
            return Ok(ToolOutput {
                content: engine.schema_text(),
                provenance,
                changes: Vec::new(),
                plan: None,
            });
        };
        let result = engine
            .query(sql)
            .map_err(|e| ToolError::invalid(e.to_string()))?;
        let mut content = describe(&result);
        let mut changes = Vec::new();
        if let Some(target) = &plan.target {
            let bytes = if target.shown.to_ascii_lowercase().ends_with(".md") {
                result.to_markdown().into_bytes()
            } else {
                result.to_csv().into_bytes()
            };
            let rows = format!("{} rows", result.rows.len());
            let saved = target.write(txn, "query result", &bytes, &rows)?;
            content.push_str(&format!(
                "\n{} ({})",
                saved.content,
                human_size(bytes.len() as u64)
            ));
            changes = saved.changes;
        }
        Ok(ToolOutput {
            content,
            provenance,
            changes,
            plan: None,
        })
    }
}

fn describe(result: &QueryResult) -> String {
    let mut out = result.to_markdown();
    if result.truncated {
        out.push_str(&format!(
            "\n[result cut to {} rows of {} seen; aggregate or add LIMIT/OFFSET to see the rest]",
            result.rows.len(),
            result.total_rows_seen
        ));
    }
    out
}
