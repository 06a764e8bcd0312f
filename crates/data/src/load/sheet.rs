//! Workbooks (XLSX, XLS, ODS): every non-empty sheet becomes a table. Cells come typed from
//! `cowork_sheets::read_cells` (numbers, booleans, ISO dates), so nothing is re-parsed from
//! displayed text except text cells.

use cowork_docmodel::Format;

use crate::error::DataError;
use crate::infer::Raw;
use crate::table::{RowSource, RowVisitor};
use cowork_sheets::{CellValue, SheetCells, read_cells};

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
    fn each_row(&self, f: &mut RowVisitor<'_>) -> Result<(), DataError> {
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
        .filter(|s| {
            s.rows
                .iter()
                .flatten()
                .any(|c| !matches!(c, CellValue::Empty))
        })
        .map(|cells| Sheet {
            name: cells.name.clone(),
            cells,
        })
        .collect();
    if sheets.is_empty() {
        return Err(DataError::not_loadable(
            file,
            "no sheet of the workbook holds any value",
        ));
    }
    Ok(sheets)
}
