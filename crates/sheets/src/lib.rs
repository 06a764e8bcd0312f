//! Spreadsheet reader (xlsx, xls, ods): every sheet as a table with values as displayed,
//! formulas, merged cells, ranges.
//!
//! - [`read_spreadsheet`] gives a [`Document`] with one [`cowork_docmodel::Part`] per sheet
//!   (kind Sheet, name = sheet name, number = position), each holding a Table of the sheet's
//!   used range — cells formatted as the spreadsheet shows them (dates, percentages,
//!   currencies, thousands separators), formulas beside their values, merged cells shown once.
//!   A sheet longer than `max_sheet_rows` is summarized: its first rows, its dimensions, and
//!   the range of the next chunk (`Document::next`). `opts.sheet` / `opts.range` read one
//!   sheet / one range.
//! - [`read_cells`] gives typed cells ([`CellValue`]) of whole sheets, for loading them as
//!   tables (the SQL engine).
//!
//! Parsing is calamine's; number formats are ours (module `numfmt`); zip sizes are checked against
//! `max_expanded_bytes` before calamine inflates anything, and a panic inside calamine is
//! returned as [`DocError::ReaderPanicked`].

mod cells;
mod collect;
mod guard;
mod numfmt;
mod read;
mod source;
mod table;
mod xlsxparts;

use std::panic::{AssertUnwindSafe, catch_unwind};

pub use cells::{CellValue, SheetCells};
use cowork_docmodel::{DocError, Document, Format, ReadOptions};

/// Read a workbook (`format` is Xlsx, Xls or Ods) into a Document: one Sheet part per
/// selected sheet with its table as displayed.
///
/// Errors: `InvalidOption` for an unknown `opts.sheet` (the message lists the sheets),
/// `Encrypted` for a password-protected file, `TooLarge` past the input or decompression
/// budget, `Corrupt` for a damaged file, `ReaderPanicked` if the parser panicked.
pub fn read_spreadsheet(
    bytes: &[u8],
    format: Format,
    opts: &ReadOptions,
) -> Result<Document, DocError> {
    guarded(format, || read::read(bytes, format, opts))
}

/// Typed cells of every sheet (or of the sheet named `sheet`, case-insensitive), each sheet
/// as the rows of its used range. Chart sheets are skipped.
pub fn read_cells(
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
) -> Result<Vec<SheetCells>, DocError> {
    guarded(format, || read::cells(bytes, format, sheet))
}

/// Run `f`, turning a panic (calamine indexes into buffers it read from the file) into an error.
fn guarded<T>(format: Format, f: impl FnOnce() -> Result<T, DocError>) -> Result<T, DocError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic without a message".into());
        Err(DocError::ReaderPanicked {
            format: format.to_string(),
            detail,
        })
    })
}

/// Index of the sheet called `name`: exact match first, then case-insensitive. An unknown
/// name is an error listing the sheets there are.
fn sheet_index(sheets: &[source::SheetInfo], name: &str) -> Result<usize, DocError> {
    let wanted = name.trim();
    sheets
        .iter()
        .position(|s| s.name == wanted)
        .or_else(|| {
            let lower = wanted.to_lowercase();
            sheets.iter().position(|s| s.name.to_lowercase() == lower)
        })
        .ok_or_else(|| DocError::InvalidOption {
            detail: format!(
                "there is no sheet named `{wanted}`; the sheets are: {}",
                sheets
                    .iter()
                    .map(|s| format!("`{}`", s.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error() {
        let err = guarded::<()>(Format::Xlsx, || panic!("index out of bounds")).unwrap_err();
        assert!(
            matches!(&err, DocError::ReaderPanicked { detail, .. } if detail.contains("index out of bounds")),
            "{err:?}"
        );
    }
}
