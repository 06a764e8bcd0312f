//! extract_tables: the tables of any document (PDF, docx, pptx, html, xlsx …) saved as CSV or
//! as a workbook with one sheet per table.

use cowork_docmodel::{Block, PageRange, PartKind, ReadOptions, Table};
use cowork_fs::ActionTxn;
use cowork_protocol::{ActionKind, Effect, Preview};
use cowork_writers::xlsx::{CellInput, ColumnSpec, SheetSpec, SpreadsheetSpec, write_xlsx};
use schemars::JsonSchema;
use serde::Deserialize;

use super::common::{OutputTarget, output_target, read_document};
use crate::input::{parse, schema};
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec};

const NAME: &str = "extract_tables";

/// Save a document's tables as CSV or XLSX.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// The document whose tables to extract, relative to the workspace.
    path: String,
    /// Where to save them: a `.xlsx` (one sheet per table) or a `.csv` (one table).
    output: String,
    /// Only tables on these pages/slides: "3", "2-5".
    #[serde(default)]
    pages: Option<String>,
    /// For a .csv output: which table (1-based, in document order). Required when there are several.
    #[serde(default)]
    table: Option<usize>,
    /// Replace `output` if it exists (a backup is kept).
    #[serde(default)]
    overwrite: bool,
}

/// The `extract_tables` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExtractTables;

struct Found {
    /// "page 3", "slide 2", "sheet Q1", "" for flowing documents.
    place: String,
    table: Table,
}

struct Plan {
    source: String,
    target: OutputTarget,
    bytes: Vec<u8>,
    lines: Vec<String>,
    count: usize,
}

fn plan(input: &serde_json::Value, ctx: &ToolContext) -> Result<Plan, ToolError> {
    let input: Input = parse(NAME, input)?;
    let target = output_target(ctx, NAME, &input.output, &["xlsx", "csv"], input.overwrite)?;
    let mut opts = ReadOptions {
        max_sheet_rows: 100_000,
        ..ReadOptions::default()
    };
    if let Some(pages) = &input.pages {
        opts.pages = Some(PageRange::parse(pages).map_err(|e| ToolError::invalid(e.to_string()))?);
    }
    let read = read_document(ctx, &input.path, &opts)?;
    let mut found = Vec::new();
    for part in &read.doc.parts {
        let place = match part.kind {
            PartKind::Page => format!("page {}", part.number),
            PartKind::Slide => format!("slide {}", part.number),
            PartKind::Sheet => format!("sheet {}", part.name.clone().unwrap_or_default()),
            PartKind::Section | PartKind::Message | PartKind::Event => String::new(),
        };
        for block in &part.blocks {
            if let Block::Table(table) = block
                && !table.rows.is_empty()
            {
                found.push(Found {
                    place: place.clone(),
                    table: table.clone(),
                });
            }
        }
    }
    if found.is_empty() {
        return Err(ToolError::invalid(format!(
            "`{}` has no tables{} (tables drawn as plain text in a PDF are not detected); read it with read_document",
            read.shown,
            input
                .pages
                .as_ref()
                .map(|p| format!(" on pages {p}"))
                .unwrap_or_default()
        )));
    }
    let lines: Vec<String> = found
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let cols = f.table.rows.iter().map(Vec::len).max().unwrap_or(0);
            let at = if f.place.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.place)
            };
            format!(
                "table {}{at}: {} rows × {cols} columns",
                i + 1,
                f.table.rows.len()
            )
        })
        .collect();
    let csv = target.shown.to_ascii_lowercase().ends_with(".csv");
    let bytes = if csv {
        let index = match (input.table, found.len()) {
            (Some(n), count) if n >= 1 && n <= count => n - 1,
            (None, 1) => 0,
            (_, count) => {
                return Err(ToolError::invalid(format!(
                    "`{}` has {count} tables; a .csv holds one: set `table` (1–{count}), or write a .xlsx to get them all:\n{}",
                    read.shown,
                    lines.join("\n")
                )));
            }
        };
        cowork_writers::csv_md::write_csv(&found[index].table.rows)
    } else {
        let sheets = found.iter().enumerate().map(|(i, f)| sheet(i, f)).collect();
        write_xlsx(&SpreadsheetSpec { sheets }).map_err(|e| ToolError::Failed(e.to_string()))?
    };
    Ok(Plan {
        source: read.shown,
        target,
        bytes,
        count: if csv { 1 } else { found.len() },
        lines,
    })
}

/// One table as a sheet: header row as columns when the table has one; numbers as numbers.
fn sheet(index: usize, found: &Found) -> SheetSpec {
    let rows = &found.table.rows;
    let (columns, body) = if found.table.header_rows > 0 {
        let header = rows.first().cloned().unwrap_or_default();
        let cols = header
            .into_iter()
            .map(|h| ColumnSpec {
                header: h,
                width: None,
                format: None,
            })
            .collect();
        (cols, &rows[1.min(rows.len())..])
    } else {
        (Vec::new(), &rows[..])
    };
    SheetSpec {
        name: format!("Table {}", index + 1),
        columns,
        rows: body
            .iter()
            .map(|r| r.iter().map(|c| cell(c)).collect())
            .collect(),
        freeze_header: found.table.header_rows > 0,
        autofilter: found.table.header_rows > 0,
        table: false,
        charts: Vec::new(),
        totals: None,
    }
}

fn cell(text: &str) -> CellInput {
    let t = text.trim();
    if t.is_empty() {
        return CellInput::Null;
    }
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() => CellInput::Number(n),
        // Text that looks like a formula must stay text: extracted data never computes.
        _ if t.starts_with('=') => CellInput::Text(format!("'{t}")),
        _ => CellInput::Text(t.to_string()),
    }
}

impl Tool for ExtractTables {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description:
                "Save the tables of a document (PDF, Word, PowerPoint, HTML, spreadsheet, \
                          mail) as a .xlsx workbook (one sheet per table) or one table as .csv."
                    .to_string(),
            kind: ActionKind::FileWrite,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let plan = plan(input, ctx)?;
        let detail = format!("{} tables from {}", plan.count, plan.source);
        let mut prepared = plan.target.prepared(
            "table file",
            plan.bytes.len(),
            &detail,
            Preview::Ops { ops: plan.lines },
        );
        prepared
            .effects
            .insert(0, Effect::Read { path: plan.source });
        Ok(prepared)
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let plan = plan(input, ctx)?;
        let detail = format!("{} tables from {}", plan.count, plan.source);
        plan.target.write(txn, "table file", &plan.bytes, &detail)
    }
}
