//! Workbooks (XLSX, XLS, ODS): every non-empty sheet becomes a table. Cells come typed from
//! `cowork_sheets::read_cells` (numbers, booleans, ISO dates), so nothing is re-parsed from
//! displayed text except text cells.

use std::ops::ControlFlow;

use cowork_docmodel::Format;

use self::shim::{CellValue, SheetCells, read_cells};
use crate::error::DataError;
use crate::infer::Raw;
use crate::table::RowSource;

pub(crate) struct Sheet {
    pub name: String,
    cells: SheetCells,
}

impl Sheet {
    pub fn rows(&self) -> SheetRows<'_> {
        SheetRows { sheet: self }
    }
}

pub(crate) struct SheetRows<'a> {
    sheet: &'a Sheet,
}

fn raw(c: &CellValue) -> Raw<'_> {
    match c {
        CellValue::Empty => Raw::Empty,
        CellValue::Int(i) => Raw::Int(*i),
        CellValue::Float(f) => Raw::Float(*f),
        CellValue::Bool(b) => Raw::Bool(*b),
        CellValue::Text(t) => Raw::Text(t),
        CellValue::DateTime(d) => Raw::DateTime(d),
        CellValue::Error(e) => Raw::Error(e),
    }
}

impl RowSource for SheetRows<'_> {
    fn each_row(
        &self,
        f: &mut dyn FnMut(&[Raw<'_>]) -> Result<ControlFlow<()>, DataError>,
    ) -> Result<(), DataError> {
        for row in &self.sheet.cells.rows {
            let cells: Vec<Raw<'_>> = row.iter().map(raw).collect();
            if f(&cells)?.is_break() {
                break;
            }
        }
        Ok(())
    }
}

/// Reads every sheet; sheets without any value are left out.
pub(crate) fn read(file: &str, bytes: &[u8], format: Format) -> Result<Vec<Sheet>, DataError> {
    let sheets = read_cells(bytes, format, None).map_err(|e| DataError::not_loadable(file, e))?;
    let sheets: Vec<Sheet> = sheets
        .into_iter()
        .filter(|s| s.rows.iter().flatten().any(|c| !matches!(c, CellValue::Empty)))
        .map(|cells| Sheet {
            name: cells.name.clone(),
            cells,
        })
        .collect();
    if sheets.is_empty() {
        return Err(DataError::not_loadable(file, "no sheet of the workbook holds any value"));
    }
    Ok(sheets)
}

/// Stand-in for `cowork_sheets::read_cells` (same signature and types) until that crate
/// exposes it.
mod shim {
    use calamine::{Data, Reader};
    use cowork_docmodel::{DocError, Format};

    #[derive(Debug, Clone, PartialEq)]
    pub enum CellValue {
        Empty,
        Int(i64),
        Float(f64),
        Bool(bool),
        Text(String),
        DateTime(String),
        Error(String),
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct SheetCells {
        pub name: String,
        pub rows: Vec<Vec<CellValue>>,
    }

    pub fn read_cells(bytes: &[u8], format: Format, sheet: Option<&str>) -> Result<Vec<SheetCells>, DocError> {
        let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| DocError::corrupt(format, e))?;
        let mut out = Vec::new();
        for name in book.sheet_names() {
            if sheet.is_some_and(|s| s != name) {
                continue;
            }
            let range = book.worksheet_range(&name).map_err(|e| DocError::corrupt(format, e))?;
            let rows = range
                .rows()
                .map(|r| r.iter().map(cell).collect())
                .collect();
            out.push(SheetCells { name, rows });
        }
        Ok(out)
    }

    fn cell(d: &Data) -> CellValue {
        match d {
            Data::Empty => CellValue::Empty,
            Data::Int(i) => CellValue::Int(*i),
            Data::Float(f) => CellValue::Float(*f),
            Data::Bool(b) => CellValue::Bool(*b),
            Data::String(s) => CellValue::Text(s.clone()),
            Data::DateTimeIso(s) | Data::DurationIso(s) => CellValue::DateTime(s.clone()),
            Data::DateTime(dt) => serial_to_iso(dt.as_f64()).map_or(CellValue::Float(dt.as_f64()), CellValue::DateTime),
            Data::Error(e) => CellValue::Error(e.to_string()),
        }
    }

    fn serial_to_iso(serial: f64) -> Option<String> {
        if !(1.0..2_958_466.0).contains(&serial) {
            return None;
        }
        let days = serial.floor() as i64;
        let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
        // Days since 1899-12-30 → civil date (Howard Hinnant's algorithm).
        let z = days - 25_569 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Some(format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        ))
    }
}
