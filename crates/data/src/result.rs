//! A query's answer, bounded in rows, cell length and bytes, and its renderings: Markdown for
//! the model, CSV, and plain rows for create_spreadsheet / create_chart.

use rusqlite::types::ValueRef;
use serde_json::Value;

use crate::error::DataError;
use crate::infer::format_float;

/// The rows a query returned (at most `max_rows`, within `max_result_bytes`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueryResult {
    pub columns: Vec<String>,
    /// Each cell is null, a number or a string (blobs are described, not returned).
    pub rows: Vec<Vec<Value>>,
    /// True when rows were left out because of `max_rows` or `max_result_bytes`.
    pub truncated: bool,
    /// Rows the query produced as far as the engine counted: exact unless `truncated`, then a
    /// lower bound (counting stops after [`COUNT_AHEAD`] more rows or at the time limit).
    pub total_rows_seen: usize,
}

/// How many rows past the limit are still counted for `total_rows_seen`.
pub const COUNT_AHEAD: usize = 100_000;

/// Bounds applied while collecting.
pub(crate) struct Bounds {
    pub max_rows: usize,
    pub max_cell_chars: usize,
    pub max_result_bytes: usize,
}

/// Steps through the statement's rows; an interruption after the limit was reached (the
/// deadline hit while only counting) ends the count instead of failing the query.
pub(crate) fn collect(
    stmt: &mut rusqlite::Statement<'_>,
    bounds: &Bounds,
    map_err: &dyn Fn(rusqlite::Error) -> DataError,
) -> Result<QueryResult, DataError> {
    let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let width = columns.len();
    let mut out = QueryResult {
        columns,
        rows: Vec::new(),
        truncated: false,
        total_rows_seen: 0,
    };
    let mut bytes = out.columns.iter().map(|c| c.len() + 3).sum::<usize>();
    let mut rows = stmt.raw_query();
    loop {
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) if out.truncated => {
                let _ = e;
                break;
            }
            Err(e) => return Err(map_err(e)),
        };
        out.total_rows_seen += 1;
        if out.truncated {
            if out.total_rows_seen >= bounds.max_rows.saturating_add(COUNT_AHEAD) {
                break;
            }
            continue;
        }
        if out.rows.len() >= bounds.max_rows {
            out.truncated = true;
            continue;
        }
        let mut cells = Vec::with_capacity(width);
        let mut row_bytes = 2;
        for i in 0..width {
            let v = match row.get_ref(i) {
                Ok(v) => json_value(v, bounds.max_cell_chars),
                Err(e) => return Err(map_err(e)),
            };
            row_bytes += value_bytes(&v) + 1;
            cells.push(v);
        }
        if bytes + row_bytes > bounds.max_result_bytes && !out.rows.is_empty() {
            out.truncated = true;
            continue;
        }
        bytes += row_bytes;
        out.rows.push(cells);
    }
    Ok(out)
}

fn json_value(v: ValueRef<'_>, max_chars: usize) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f)
            .map_or_else(|| Value::String(f.to_string()), Value::Number),
        ValueRef::Text(t) => Value::String(clip(&String::from_utf8_lossy(t), max_chars)),
        ValueRef::Blob(b) => Value::String(format!("<binary, {} bytes>", b.len())),
    }
}

/// Cuts long text at `max` characters and says how long it was.
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!(
            "{}… [cut, {} characters in all]",
            &s[..cut],
            s.chars().count()
        ),
        None => s.to_string(),
    }
}

fn value_bytes(v: &Value) -> usize {
    match v {
        Value::Null => 4,
        Value::Bool(_) => 5,
        Value::Number(n) => n.to_string().len(),
        Value::String(s) => s.len() + 2,
        Value::Array(_) | Value::Object(_) => v.to_string().len(),
    }
}

/// A cell as text: empty for NULL, integral floats without ".0".
fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => format_float(f),
            (None, None) => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        Value::Array(_) | Value::Object(_) => v.to_string(),
    }
}

impl QueryResult {
    /// A Markdown table, with a last line saying when rows were left out.
    pub fn to_markdown(&self) -> String {
        let esc = |s: String| s.replace('|', "\\|").replace(['\r', '\n'], " ");
        let mut out = String::new();
        if self.columns.is_empty() {
            return "(no columns)\n".into();
        }
        out.push_str("| ");
        out.push_str(
            &self
                .columns
                .iter()
                .map(|c| esc(c.clone()))
                .collect::<Vec<_>>()
                .join(" | "),
        );
        out.push_str(" |\n|");
        for _ in &self.columns {
            out.push_str(" --- |");
        }
        out.push('\n');
        for row in &self.rows {
            out.push_str("| ");
            out.push_str(
                &row.iter()
                    .map(|v| esc(cell_text(v)))
                    .collect::<Vec<_>>()
                    .join(" | "),
            );
            out.push_str(" |\n");
        }
        if self.rows.is_empty() {
            out.push_str("\n(no rows)\n");
        } else if self.truncated {
            let more = if self.total_rows_seen >= self.rows.len() + COUNT_AHEAD {
                "at least "
            } else {
                ""
            };
            out.push_str(&format!(
                "\n(showing {} of {more}{} rows; aggregate or add LIMIT/WHERE to see the rest)\n",
                self.rows.len(),
                self.total_rows_seen
            ));
        }
        out
    }

    /// RFC 4180 CSV with a header line.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to a Vec cannot fail; a failure would only lose the row, never panic.
        let _ = w.write_record(&self.columns);
        for row in &self.rows {
            let _ = w.write_record(row.iter().map(cell_text));
        }
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// The result as a document table (header row first), e.g. for `extract_tables` or a
    /// Markdown report; a truncated result says how many rows the query had.
    pub fn to_table(&self) -> cowork_docmodel::Table {
        let rows = self.to_rows();
        let last_row = u32::try_from(rows.len().saturating_sub(1)).unwrap_or(u32::MAX);
        let last_col = u32::try_from(self.columns.len().saturating_sub(1)).unwrap_or(u32::MAX);
        cowork_docmodel::Table {
            caption: None,
            rows,
            header_rows: 1,
            origin: None,
            formulas: Vec::new(),
            truncated: self.truncated.then(|| cowork_docmodel::Truncation {
                total_rows: self.total_rows_seen + 1,
                total_cols: self.columns.len(),
                shown: format!("A1:{}", cowork_docmodel::cell_name(last_row, last_col)),
                next: None,
            }),
        }
    }

    /// The header row followed by the data rows, every cell as text (NULL → "").
    pub fn to_rows(&self) -> Vec<Vec<String>> {
        let mut rows = Vec::with_capacity(self.rows.len() + 1);
        rows.push(self.columns.clone());
        rows.extend(self.rows.iter().map(|r| r.iter().map(cell_text).collect()));
        rows
    }
}
