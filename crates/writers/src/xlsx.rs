//! Spreadsheets (xlsx) with typed cells, number/date formats, live formulas, tables with
//! autofilter, frozen headers, column widths, several sheets and native Excel charts, written
//! with rust_xlsxwriter.

use rust_xlsxwriter::{Format, FormatBorder, Formula, Table, TableColumn, Workbook, Worksheet};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::DocError;
use crate::xlsx_eval::{Cell, Evaluator, Grid, check_formula, is_date_format, parse_iso_date};

pub use crate::xlsx_chart::{SheetChart, SheetSeries};

/// A workbook: one or more sheets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SpreadsheetSpec {
    /// The sheets, in tab order. At least one.
    pub sheets: Vec<SheetSpec>,
}

/// One worksheet: a header row from `columns`, then `rows` of data below it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SheetSpec {
    /// Sheet (tab) name: 1–31 characters, none of : \ / ? * [ ], unique in the workbook.
    pub name: String,
    /// Column headers and formats, left to right (column A first). Empty = no header row.
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
    /// Data rows below the header. Each cell is a number, true/false, text, or null (empty).
    /// Text starting with "=" is a live formula in English Excel syntax, e.g. "=SUM(B2:B13)"
    /// or "=B2*C2" (row 1 is the header, so data starts at row 2). To store text that starts
    /// with "=", write "'=" instead. ISO dates ("2025-03-31", "2025-03-31 14:30") become real
    /// dates, shown with the column's date format or as yyyy-mm-dd.
    #[serde(default)]
    pub rows: Vec<Vec<CellInput>>,
    /// Keep the header row visible while scrolling (default true).
    #[serde(default = "yes")]
    pub freeze_header: bool,
    /// Add filter buttons to the header row (default true).
    #[serde(default = "yes")]
    pub autofilter: bool,
    /// Format the data as an Excel table (banded rows, filter buttons, structured range).
    /// Headers must then be unique and non-empty.
    #[serde(default)]
    pub table: bool,
    /// Native Excel charts drawn from this workbook's cells.
    #[serde(default)]
    pub charts: Vec<SheetChart>,
    /// A totals row below the data with live formulas (e.g. =SUM(B2:B13)).
    #[serde(default)]
    pub totals: Option<TotalsSpec>,
}

fn yes() -> bool {
    true
}

/// A column's header and display settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ColumnSpec {
    /// Header text in row 1.
    pub header: String,
    /// Column width in characters (default: fitted to the content, 8–60).
    #[serde(default)]
    pub width: Option<f64>,
    /// Excel number format for the data cells, e.g. "#,##0.00", "0.0%", "yyyy-mm-dd",
    /// "$#,##0". Numbers given as text in a numeric column are stored as numbers.
    #[serde(default)]
    pub format: Option<String>,
}

/// One cell value: a number, true/false, text (a formula when it starts with "="), or null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CellInput {
    /// An empty cell.
    Null,
    /// TRUE or FALSE.
    Bool(bool),
    /// A number.
    Number(f64),
    /// Text; "=..." is a formula, an ISO date becomes a date.
    Text(String),
}

/// A totals row under the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TotalsSpec {
    /// Label written in the first column (default "Total").
    #[serde(default = "total_label")]
    pub label: String,
    /// sum (default), average, min, max or count.
    #[serde(default)]
    pub function: TotalFunction,
    /// Columns to total, by header text or letter ("B"). Empty = every column whose data
    /// cells are all numbers or formulas (except the first column, which holds the label).
    #[serde(default)]
    pub columns: Vec<String>,
}

fn total_label() -> String {
    "Total".into()
}

/// The function of a totals row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TotalFunction {
    #[default]
    Sum,
    Average,
    Min,
    Max,
    Count,
}

impl TotalFunction {
    fn name(self) -> &'static str {
        match self {
            TotalFunction::Sum => "SUM",
            TotalFunction::Average => "AVERAGE",
            TotalFunction::Min => "MIN",
            TotalFunction::Max => "MAX",
            TotalFunction::Count => "COUNT",
        }
    }
}

pub(crate) fn werr(detail: impl std::fmt::Display) -> DocError {
    DocError::write("xlsx", detail)
}

/// Excel's row limit, counting the header row.
const MAX_ROWS: usize = 1_048_576;
/// Excel's column limit.
const MAX_COLS: usize = 16_384;

/// Write the workbook and return the xlsx bytes.
pub fn write_xlsx(spec: &SpreadsheetSpec) -> Result<Vec<u8>, DocError> {
    if spec.sheets.is_empty() {
        return Err(werr("the workbook has no sheets; give at least one sheet"));
    }
    check_sheet_names(spec)?;
    let mut wb = Workbook::new();
    let header_format = Format::new()
        .set_bold()
        .set_background_color(0xDDEBF7)
        .set_border_bottom(FormatBorder::Thin);
    for (index, sheet) in spec.sheets.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name)
            .map_err(|e| werr(format!("sheet name '{}': {e}", sheet.name)))?;
        write_sheet(ws, sheet, &header_format)?;
        for (k, chart) in sheet.charts.iter().enumerate() {
            crate::xlsx_chart::insert(ws, spec, index, k, chart)?;
        }
    }
    let bytes = wb
        .save_to_buffer()
        .map_err(|e| werr(format!("assembling the workbook: {e}")))?;
    // Only workbooks with formulas can hold placeholders; skip the re-zip otherwise.
    let has_formulas = spec.sheets.iter().any(|s| {
        s.totals.is_some()
            || s.rows
                .iter()
                .flatten()
                .any(|c| matches!(c, CellInput::Text(t) if t.starts_with('=')))
    });
    if has_formulas {
        strip_uncached(bytes)
    } else {
        Ok(bytes)
    }
}

fn check_sheet_names(spec: &SpreadsheetSpec) -> Result<(), DocError> {
    let mut seen = std::collections::HashSet::new();
    for sheet in &spec.sheets {
        let name = &sheet.name;
        let len = name.chars().count();
        if len == 0 || len > 31 {
            return Err(werr(format!(
                "sheet name '{name}' must have 1 to 31 characters"
            )));
        }
        if name.contains([':', '\\', '/', '?', '*', '[', ']'])
            || name.starts_with('\'')
            || name.ends_with('\'')
        {
            return Err(werr(format!(
                "sheet name '{name}' may not contain : \\ / ? * [ ] or start/end with an apostrophe"
            )));
        }
        if !seen.insert(name.to_lowercase()) {
            return Err(werr(format!(
                "two sheets are named '{name}'; sheet names must be unique (ignoring case)"
            )));
        }
        if sheet.rows.len() + usize::from(!sheet.columns.is_empty()) + 1 > MAX_ROWS {
            return Err(werr(format!(
                "sheet '{name}' has {} rows; Excel holds at most {MAX_ROWS} — split the data",
                sheet.rows.len()
            )));
        }
        let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
        if width.max(sheet.columns.len()) > MAX_COLS {
            return Err(werr(format!(
                "sheet '{name}' has more than {MAX_COLS} columns"
            )));
        }
    }
    Ok(())
}

/// A column's formats, built once.
struct ColFormats {
    /// The spec's number format, if any.
    number: Option<Format>,
    /// Format for dates in this column: the column's own when it is a date format.
    date: Format,
    datetime: Format,
    numeric: bool,
}

fn column_formats(columns: &[ColumnSpec], width: usize) -> Vec<ColFormats> {
    (0..width)
        .map(|c| {
            let fmt = columns.get(c).and_then(|col| col.format.as_deref());
            let is_date = fmt.is_some_and(is_date_format);
            let own = fmt.map(|f| Format::new().set_num_format(f));
            ColFormats {
                date: match (&own, is_date) {
                    (Some(f), true) => f.clone(),
                    _ => Format::new().set_num_format("yyyy-mm-dd"),
                },
                datetime: match (&own, is_date) {
                    (Some(f), true) => f.clone(),
                    _ => Format::new().set_num_format("yyyy-mm-dd hh:mm"),
                },
                numeric: fmt.is_some() && !is_date && fmt != Some("@"),
                number: own,
            }
        })
        .collect()
}

/// Turn the spec's cells into what will be stored: formulas checked, dates parsed, numbers
/// given as text in numeric columns converted.
fn convert_rows(sheet: &SheetSpec, formats: &[ColFormats]) -> Result<Vec<Vec<Cell>>, DocError> {
    let header_rows = u32::from(!sheet.columns.is_empty());
    sheet
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, input)| {
                    let cell = || cowork_docmodel::cell_name(header_rows + r as u32, c as u32);
                    Ok(match input {
                        CellInput::Null => Cell::Empty,
                        CellInput::Bool(b) => Cell::Bool(*b),
                        CellInput::Number(v) if v.is_finite() => Cell::Number(*v),
                        CellInput::Number(_) => {
                            return Err(werr(format!(
                                "sheet '{}' cell {}: not a finite number",
                                sheet.name,
                                cell()
                            )));
                        }
                        CellInput::Text(t) => {
                            if let Some(body) = t.strip_prefix('=') {
                                check_formula(body).map_err(|why| {
                                    werr(format!(
                                        "sheet '{}' cell {}: formula {t} is not valid: {why}",
                                        sheet.name,
                                        cell()
                                    ))
                                })?;
                                Cell::Formula(body.to_string())
                            } else if let Some(rest) = t.strip_prefix("'=") {
                                Cell::Text(format!("={rest}"))
                            } else if let Some((serial, time)) = parse_iso_date(t.trim()) {
                                Cell::Date(serial, time)
                            } else if let Some(v) = formats
                                .get(c)
                                .filter(|f| f.numeric)
                                .and_then(|_| t.trim().parse::<f64>().ok())
                                .filter(|v| v.is_finite())
                            {
                                Cell::Number(v)
                            } else {
                                Cell::Text(t.clone())
                            }
                        }
                    })
                })
                .collect()
        })
        .collect()
}

fn write_sheet(ws: &mut Worksheet, sheet: &SheetSpec, header: &Format) -> Result<(), DocError> {
    let name = &sheet.name;
    let at = |r: u32, c: u16| {
        format!(
            "sheet '{name}' cell {}",
            cowork_docmodel::cell_name(r, u32::from(c))
        )
    };
    let width = sheet
        .rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(sheet.columns.len());
    let formats = column_formats(&sheet.columns, width);
    let cells = convert_rows(sheet, &formats)?;
    let header_rows = u32::from(!sheet.columns.is_empty());
    for (c, col) in sheet.columns.iter().enumerate() {
        let c16 = c as u16;
        ws.write_string_with_format(0, c16, &col.header, header)
            .map_err(|e| werr(format!("{}: {e}", at(0, c16))))?;
    }
    let mut eval = Evaluator::new(Grid {
        header_rows,
        rows: &cells,
        totals: sheet.totals.is_some(),
    });
    for (r, row) in cells.iter().enumerate() {
        let r32 = header_rows + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c16 = c as u16;
            let f = &formats[c.min(formats.len().saturating_sub(1))];
            let done = match cell {
                Cell::Empty => continue,
                Cell::Number(v) => match &f.number {
                    Some(fmt) => ws.write_number_with_format(r32, c16, *v, fmt),
                    None => ws.write_number(r32, c16, *v),
                },
                Cell::Date(v, time) => {
                    let fmt = if *time { &f.datetime } else { &f.date };
                    ws.write_number_with_format(r32, c16, *v, fmt)
                }
                Cell::Bool(b) => ws.write_boolean(r32, c16, *b),
                Cell::Text(t) => ws.write_string(r32, c16, t),
                Cell::Formula(body) => {
                    let formula = with_result(Formula::new(body), eval.eval(body));
                    match &f.number {
                        Some(fmt) => ws.write_formula_with_format(r32, c16, formula, fmt),
                        None => ws.write_formula(r32, c16, formula),
                    }
                }
            };
            done.map(|_| ())
                .map_err(|e| werr(format!("{}: {e}", at(r32, c16))))?;
        }
    }
    let last_data_row = header_rows + cells.len() as u32;
    if let Some(totals) = &sheet.totals {
        write_totals(ws, sheet, totals, &cells, &formats, &mut eval)?;
    }
    // Column widths: the spec's, or fitted to the header and the first rows.
    for c in 0..width {
        let w = sheet
            .columns
            .get(c)
            .and_then(|col| col.width)
            .unwrap_or_else(|| fitted_width(sheet, &cells, c));
        ws.set_column_width(c as u16, w.clamp(1.0, 255.0))
            .map_err(|e| werr(format!("sheet '{name}' column width: {e}")))?;
    }
    if header_rows == 1 {
        if sheet.freeze_header {
            ws.set_freeze_panes(1, 0)
                .map_err(|e| werr(format!("sheet '{name}' freeze panes: {e}")))?;
        }
        let last_col = (sheet.columns.len() - 1) as u16;
        if sheet.table && !cells.is_empty() {
            let columns: Vec<TableColumn> = sheet
                .columns
                .iter()
                .map(|c| TableColumn::new().set_header(&c.header))
                .collect();
            check_table_headers(sheet)?;
            let table = Table::new()
                .set_columns(&columns)
                .set_autofilter(sheet.autofilter);
            ws.add_table(0, 0, last_data_row - 1, last_col, &table)
                .map_err(|e| werr(format!("sheet '{name}' table: {e}")))?;
            // The table draws its own header; put the bold header back for readers that
            // ignore table styles.
            for (c, col) in sheet.columns.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, &col.header, header)
                    .map_err(|e| werr(format!("{}: {e}", at(0, c as u16))))?;
            }
        } else if sheet.autofilter {
            ws.autofilter(0, 0, last_data_row.max(1) - 1, last_col)
                .map_err(|e| werr(format!("sheet '{name}' autofilter: {e}")))?;
        }
    }
    Ok(())
}

/// Marks a formula whose result was not computed here; its cached value is removed from the
/// sheet XML after saving. rust_xlsxwriter would otherwise store 0, and LibreOffice (which by
/// default does not recalculate xlsx files on load) would show 0 instead of the result.
const NO_CACHE: &str = "cowork-uncached-result";

fn with_result(formula: Formula, value: Option<f64>) -> Formula {
    match value {
        Some(v) => formula.set_result(format_result(v)),
        None => formula.set_result(NO_CACHE),
    }
}

/// Drop the placeholder cached values (and their t="str") from every worksheet part.
fn strip_uncached(bytes: Vec<u8>) -> Result<Vec<u8>, DocError> {
    let marker = format!("<v>{NO_CACHE}</v>");
    crate::package::rewrite_parts(&bytes, "xlsx", |name, data| {
        if !name.starts_with("xl/worksheets/") {
            return None;
        }
        let xml = std::str::from_utf8(data).ok()?;
        if !xml.contains(&marker) {
            return None;
        }
        let mut out = String::with_capacity(xml.len());
        let mut rest = xml;
        while let Some(at) = rest.find(&marker) {
            let (before, after) = rest.split_at(at);
            // The cell's start tag is the last "<c " before the marker.
            match before.rfind("<c ") {
                Some(tag) => {
                    let (head, cell) = before.split_at(tag);
                    out.push_str(head);
                    let end = cell.find('>').unwrap_or(cell.len());
                    out.push_str(&cell[..end].replacen(" t=\"str\"", "", 1));
                    out.push_str(&cell[end..]);
                }
                None => out.push_str(before),
            }
            rest = &after[marker.len()..];
        }
        out.push_str(rest);
        Some(out.into_bytes())
    })
}

/// A cached result as Excel stores it: shortest round-trip decimal.
fn format_result(v: f64) -> String {
    // Summing decimals leaves binary noise (0.1+0.2); 15 significant digits is what Excel keeps.
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    format!("{rounded}")
}

fn check_table_headers(sheet: &SheetSpec) -> Result<(), DocError> {
    let mut seen = std::collections::HashSet::new();
    for col in &sheet.columns {
        if col.header.trim().is_empty() || !seen.insert(col.header.to_lowercase()) {
            return Err(werr(format!(
                "sheet '{}': a table needs unique, non-empty column headers ('{}' is empty or repeated); rename it or set table: false",
                sheet.name, col.header
            )));
        }
    }
    Ok(())
}

fn write_totals(
    ws: &mut Worksheet,
    sheet: &SheetSpec,
    totals: &TotalsSpec,
    cells: &[Vec<Cell>],
    formats: &[ColFormats],
    eval: &mut Evaluator,
) -> Result<(), DocError> {
    let header_rows = u32::from(!sheet.columns.is_empty());
    if cells.is_empty() {
        return Err(werr(format!(
            "sheet '{}' has a totals row but no data rows to total",
            sheet.name
        )));
    }
    let first = header_rows;
    let last = header_rows + cells.len() as u32 - 1;
    let row = last + 1;
    let width = formats.len();
    let cols: Vec<usize> = if totals.columns.is_empty() {
        (1..width)
            .filter(|&c| {
                cells
                    .iter()
                    .any(|r| !matches!(r.get(c), None | Some(Cell::Empty)))
                    && cells.iter().all(|r| {
                        matches!(
                            r.get(c),
                            None | Some(Cell::Empty | Cell::Number(_) | Cell::Formula(_))
                        )
                    })
            })
            .collect()
    } else {
        totals
            .columns
            .iter()
            .map(|key| crate::xlsx_chart::column_of(sheet, key))
            .collect::<Result<_, _>>()?
    };
    let bold = Format::new().set_bold().set_border_top(FormatBorder::Thin);
    if !cols.contains(&0) {
        ws.write_string_with_format(row, 0, &totals.label, &bold)
            .map_err(|e| werr(format!("sheet '{}' totals: {e}", sheet.name)))?;
    }
    for c in cols {
        let letter = cowork_docmodel::column_name(c as u32);
        let body = format!(
            "{}({letter}{}:{letter}{})",
            totals.function.name(),
            first + 1,
            last + 1
        );
        let mut fmt = formats
            .get(c)
            .and_then(|f| f.number.clone())
            .unwrap_or_default();
        fmt = fmt.set_bold().set_border_top(FormatBorder::Thin);
        let formula = with_result(Formula::new(&body), eval.eval(&body));
        ws.write_formula_with_format(row, c as u16, formula, &fmt)
            .map_err(|e| werr(format!("sheet '{}' totals: {e}", sheet.name)))?;
    }
    Ok(())
}

/// A width in characters that fits the header and the first 200 rows (8–60).
fn fitted_width(sheet: &SheetSpec, cells: &[Vec<Cell>], c: usize) -> f64 {
    let header = sheet
        .columns
        .get(c)
        .map(|col| col.header.chars().count() + 2)
        .unwrap_or(0);
    let content = cells
        .iter()
        .take(200)
        .filter_map(|row| row.get(c))
        .map(|cell| match cell {
            Cell::Empty => 0,
            Cell::Number(_) | Cell::Formula(_) => 12,
            Cell::Date(_, time) => {
                if *time {
                    16
                } else {
                    10
                }
            }
            Cell::Bool(_) => 5,
            Cell::Text(t) => t.lines().map(|l| l.chars().count()).max().unwrap_or(0),
        })
        .max()
        .unwrap_or(0);
    (header.max(content) as f64 + 1.0).clamp(8.0, 60.0)
}
