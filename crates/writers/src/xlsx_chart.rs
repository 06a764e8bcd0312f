//! Native Excel charts in a workbook, drawn from cell ranges, and resolving the range
//! references a spec may use ("Sheet1!B2:B13", "B2:B13", "B", or a column's header text).

use rust_xlsxwriter::{Chart, ChartType, Worksheet};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::DocError;
use crate::chart::ChartKind;
use crate::xlsx::{SheetSpec, SpreadsheetSpec, werr};

/// A native Excel chart whose data stays linked to the cells (it updates when they change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SheetChart {
    /// bar (vertical), horizontal_bar, line, pie or scatter.
    pub kind: ChartKind,
    /// Chart title.
    #[serde(default)]
    pub title: Option<String>,
    /// Where the category labels are (scatter: the x values). A column of this sheet by
    /// letter ("A") or header text ("Month") means its data rows; or a range "A2:A13", or
    /// one on another sheet "'Sales 2024'!A2:A13".
    #[serde(default)]
    pub categories: Option<String>,
    /// The data series, each a column or range written like `categories`.
    pub series: Vec<SheetSeries>,
    /// Top-left cell of the chart, e.g. "H2" (default: right of the data, charts stacked).
    #[serde(default)]
    pub anchor: Option<String>,
    /// Title of the category (x) axis.
    #[serde(default)]
    pub x_title: Option<String>,
    /// Title of the value (y) axis.
    #[serde(default)]
    pub y_title: Option<String>,
    /// Width in pixels (default 576).
    #[serde(default)]
    pub width: Option<u32>,
    /// Height in pixels (default 320).
    #[serde(default)]
    pub height: Option<u32>,
}

/// One series of a sheet chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SheetSeries {
    /// Legend name (default: the column's header).
    #[serde(default)]
    pub name: Option<String>,
    /// The values: a column letter ("B"), a header ("Revenue"), "B2:B13" or "Sheet2!B2:B13".
    pub values: String,
}

/// A resolved rectangular range on a named sheet (0-based, inclusive).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Area {
    pub sheet: String,
    pub r1: u32,
    pub c1: u16,
    pub r2: u32,
    pub c2: u16,
}

/// Add chart number `k` of sheet `index` to its worksheet.
pub(crate) fn insert(
    ws: &mut Worksheet,
    spec: &SpreadsheetSpec,
    index: usize,
    k: usize,
    chart: &SheetChart,
) -> Result<(), DocError> {
    let sheet = &spec.sheets[index];
    let what = format!(
        "sheet '{}' chart {} ({})",
        sheet.name,
        k + 1,
        chart.title.as_deref().unwrap_or("untitled")
    );
    let fail = |detail: String| werr(format!("{what}: {detail}"));
    if chart.series.is_empty() {
        return Err(fail(
            "it has no series; give at least one, e.g. {\"values\": \"B\"}".into(),
        ));
    }
    let mut c = Chart::new(match chart.kind {
        ChartKind::Bar => ChartType::Column,
        ChartKind::HorizontalBar => ChartType::Bar,
        ChartKind::Line => ChartType::Line,
        ChartKind::Pie => ChartType::Pie,
        ChartKind::Scatter => ChartType::Scatter,
    });
    let categories = chart
        .categories
        .as_deref()
        .map(|r| resolve(spec, index, r))
        .transpose()
        .map_err(fail)?;
    for s in &chart.series {
        let values = resolve(spec, index, &s.values).map_err(fail)?;
        if values.c1 != values.c2 && values.r1 != values.r2 {
            return Err(fail(format!(
                "series '{}' is a block of several rows and columns; give one column or row per series",
                s.values
            )));
        }
        let series = c.add_series();
        series.set_values((
            values.sheet.as_str(),
            values.r1,
            values.c1,
            values.r2,
            values.c2,
        ));
        if let Some(cat) = &categories {
            series.set_categories((cat.sheet.as_str(), cat.r1, cat.c1, cat.r2, cat.c2));
        }
        match &s.name {
            Some(name) => {
                series.set_name(name.as_str());
            }
            // A column with a header row: name the series after the header cell.
            None if values.c1 == values.c2 && values.r1 == 1 && has_header(spec, &values.sheet) => {
                series.set_name((values.sheet.as_str(), 0, values.c1));
            }
            None => {}
        }
    }
    if let Some(title) = &chart.title {
        c.title().set_name(title);
    }
    if let Some(t) = &chart.x_title {
        c.x_axis().set_name(t);
    }
    if let Some(t) = &chart.y_title {
        c.y_axis().set_name(t);
    }
    if chart.series.len() == 1 && chart.kind != ChartKind::Pie {
        c.legend().set_hidden();
    }
    c.set_width(chart.width.unwrap_or(576).clamp(100, 4000));
    c.set_height(chart.height.unwrap_or(320).clamp(80, 4000));
    let (row, col) = match &chart.anchor {
        Some(a) => {
            parse_cell(a).ok_or_else(|| fail(format!("anchor '{a}' is not a cell like H2")))?
        }
        // Right of the data, one chart below the other (~17 rows of 20 px per chart).
        None => {
            let width = sheet
                .rows
                .iter()
                .map(Vec::len)
                .max()
                .unwrap_or(0)
                .max(sheet.columns.len());
            (1 + 17 * k as u32, (width + 1).min(16_000) as u16)
        }
    };
    ws.insert_chart(row, col, &c)
        .map_err(|e| fail(e.to_string()))?;
    Ok(())
}

fn has_header(spec: &SpreadsheetSpec, sheet: &str) -> bool {
    spec.sheets
        .iter()
        .any(|s| s.name == sheet && !s.columns.is_empty())
}

/// The data rows of a sheet (0-based, inclusive), or an error when it has none.
fn data_rows(sheet: &SheetSpec) -> Result<(u32, u32), String> {
    let first = u32::from(!sheet.columns.is_empty());
    if sheet.rows.is_empty() {
        return Err(format!("sheet '{}' has no data rows to chart", sheet.name));
    }
    Ok((first, first + sheet.rows.len() as u32 - 1))
}

/// 0-based column of `key` in `sheet`: a header text (exact, then ignoring case) or a letter.
pub(crate) fn column_of(sheet: &SheetSpec, key: &str) -> Result<usize, DocError> {
    find_column(sheet, key).ok_or_else(|| {
        let headers: Vec<&str> = sheet.columns.iter().map(|c| c.header.as_str()).collect();
        werr(format!(
            "sheet '{}' has no column '{key}'; use a letter (B) or one of the headers {headers:?}",
            sheet.name
        ))
    })
}

fn find_column(sheet: &SheetSpec, key: &str) -> Option<usize> {
    let key = key.trim();
    if let Some(i) = sheet.columns.iter().position(|c| c.header == key) {
        return Some(i);
    }
    if let Some(i) = sheet
        .columns
        .iter()
        .position(|c| c.header.eq_ignore_ascii_case(key))
    {
        return Some(i);
    }
    if !key.is_empty() && key.len() <= 3 && key.chars().all(|c| c.is_ascii_alphabetic()) {
        return cowork_docmodel::column_index(&key.to_ascii_uppercase()).map(|c| c as usize);
    }
    None
}

/// Resolve a range reference used by a chart of sheet `index`.
pub(crate) fn resolve(spec: &SpreadsheetSpec, index: usize, text: &str) -> Result<Area, String> {
    let text = text.trim().trim_start_matches('=');
    let (sheet_name, range) = match split_sheet(text) {
        Some((sheet, range)) => (Some(sheet), range),
        None => (None, text),
    };
    let sheet = match &sheet_name {
        Some(name) => spec
            .sheets
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let names: Vec<&str> = spec.sheets.iter().map(|s| s.name.as_str()).collect();
                format!("range '{text}' names sheet '{name}', which is not in the workbook (sheets: {names:?})")
            })?,
        None => spec.sheets.get(index).ok_or("no such sheet")?,
    };
    // A header text or a lone column letter means that column's data rows.
    if let Some(col) = find_column(sheet, range) {
        let (r1, r2) = data_rows(sheet)?;
        let c = u16::try_from(col).map_err(|_| format!("column '{range}' is out of range"))?;
        return Ok(Area {
            sheet: sheet.name.clone(),
            r1,
            c1: c,
            r2,
            c2: c,
        });
    }
    let cr = cowork_docmodel::CellRange::parse(range).map_err(|_| {
        format!(
            "'{text}' is not a column letter, a header of sheet '{}', or a range like B2:B13",
            sheet.name
        )
    })?;
    // Whole columns ("B:B") stop at the data.
    let (r1, r2) = if cr.first_row == 0 && cr.last_row == cowork_docmodel::MAX_ROW {
        data_rows(sheet)?
    } else {
        (cr.first_row, cr.last_row)
    };
    let c1 = u16::try_from(cr.first_col).map_err(|_| format!("'{text}' is out of range"))?;
    let c2 = u16::try_from(cr.last_col).map_err(|_| format!("'{text}' is out of range"))?;
    if cr.first_col == 0 && cr.last_col == cowork_docmodel::MAX_COL {
        return Err(format!(
            "'{text}': whole rows cannot be charted; give a range like B2:M2"
        ));
    }
    Ok(Area {
        sheet: sheet.name.clone(),
        r1,
        c1,
        r2,
        c2,
    })
}

/// "'Q1 (EU)'!A2:A5" → ("Q1 (EU)", "A2:A5"); "Sheet1!B:B" → ("Sheet1", "B:B").
fn split_sheet(text: &str) -> Option<(String, &str)> {
    if let Some(rest) = text.strip_prefix('\'') {
        // Quoted name: '' is an escaped apostrophe.
        let mut name = String::new();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().map(|(_, c)| *c) == Some('\'') {
                    name.push('\'');
                    chars.next();
                    continue;
                }
                let after = &rest[i + 1..];
                return after.strip_prefix('!').map(|range| (name, range));
            }
            name.push(c);
        }
        return None;
    }
    let (sheet, range) = text.rsplit_once('!')?;
    Some((sheet.to_string(), range))
}

/// "H2" → (row 1, col 7).
fn parse_cell(text: &str) -> Option<(u32, u16)> {
    let cr = cowork_docmodel::CellRange::parse(text).ok()?;
    if cr.first_row != cr.last_row || cr.first_col != cr.last_col {
        return None;
    }
    Some((cr.first_row, u16::try_from(cr.first_col).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xlsx::{CellInput, ColumnSpec};

    fn spec() -> SpreadsheetSpec {
        let sheet = |name: &str| SheetSpec {
            name: name.into(),
            columns: vec![
                ColumnSpec {
                    header: "Month".into(),
                    width: None,
                    format: None,
                },
                ColumnSpec {
                    header: "Revenue".into(),
                    width: None,
                    format: None,
                },
            ],
            rows: vec![
                vec![CellInput::Text("Jan".into()), CellInput::Number(1.0)],
                vec![CellInput::Text("Feb".into()), CellInput::Number(2.0)],
            ],
            freeze_header: true,
            autofilter: true,
            table: false,
            charts: vec![],
            totals: None,
        };
        SpreadsheetSpec {
            sheets: vec![sheet("Data"), sheet("Q1 (EU)")],
        }
    }

    #[test]
    fn resolves_every_reference_style() {
        let s = spec();
        let area = |r1, c1, r2, c2, sheet: &str| Area {
            sheet: sheet.into(),
            r1,
            c1,
            r2,
            c2,
        };
        assert_eq!(resolve(&s, 0, "B").unwrap(), area(1, 1, 2, 1, "Data"));
        assert_eq!(resolve(&s, 0, "revenue").unwrap(), area(1, 1, 2, 1, "Data"));
        assert_eq!(resolve(&s, 0, "A2:A3").unwrap(), area(1, 0, 2, 0, "Data"));
        assert_eq!(
            resolve(&s, 0, "'Q1 (EU)'!$B$2:$B$3").unwrap(),
            area(1, 1, 2, 1, "Q1 (EU)")
        );
        assert_eq!(
            resolve(&s, 1, "Data!B:B").unwrap(),
            area(1, 1, 2, 1, "Data")
        );
        let e = resolve(&s, 0, "Nope!A1:A2").unwrap_err();
        assert!(e.contains("not in the workbook"), "{e}");
        assert!(resolve(&s, 0, "Total Sales").is_err());
        assert!(resolve(&s, 0, "2:3").is_err());
        assert_eq!(parse_cell("H2"), Some((1, 7)));
        assert_eq!(parse_cell("H2:H3"), None);
    }
}
