//! From a file's bytes to row sources: detect the kind of file by its content (the name only
//! breaks ties), decode text, and hand each table-to-be to `table.rs`.

mod csv;
mod json;
mod sheet;

use cowork_docmodel::Format;

use crate::error::DataError;
use crate::table::{Header, RowSource};

/// A parsed file, owning what its row sources borrow.
pub(crate) enum Input {
    Csv(csv::CsvText),
    Sheets(Vec<sheet::Sheet>),
    Json(Vec<json::JsonTable>),
}

/// One table-to-be of a file.
pub(crate) struct Part<'a> {
    /// Added to the file's name for the table name (sheet name, JSON key).
    pub suffix: Option<String>,
    pub sheet: Option<String>,
    pub header: Header,
    pub rows: Box<dyn RowSource + 'a>,
}

/// Parses the bytes of `file` into one or more tables' worth of rows.
pub(crate) fn read(file: &str, bytes: &[u8]) -> Result<Input, DataError> {
    if bytes.is_empty() {
        return Err(DataError::not_loadable(file, "the file is empty"));
    }
    if let Some(format) = spreadsheet_format(bytes) {
        return sheet::read(file, bytes, format).map(Input::Sheets);
    }
    if let Some(kind) = binary_kind(bytes) {
        return Err(DataError::not_loadable(
            file,
            format!(
                "it is {kind}, not a data file; query_data reads CSV, TSV, XLSX, XLS, ODS and JSON (use read_document or extract_tables for other documents)"
            ),
        ));
    }
    let text = decode_text(bytes);
    let ext = file.rsplit('.').next().map(str::to_ascii_lowercase);
    let looks_json = text.trim_start().starts_with(['[', '{']);
    if looks_json || ext.as_deref() == Some("json") || ext.as_deref() == Some("jsonl") {
        match json::read(&text) {
            Ok(tables) => return Ok(Input::Json(tables)),
            // A CSV whose first cell starts with '[' is still a CSV.
            Err(e) if ext.as_deref() == Some("json") || ext.as_deref() == Some("jsonl") => {
                return Err(DataError::not_loadable(file, e));
            }
            Err(_) => {}
        }
    }
    if text.contains('\0') {
        return Err(DataError::not_loadable(
            file,
            "it is a binary file, not CSV/TSV/JSON text or a spreadsheet",
        ));
    }
    let tab_hint = matches!(ext.as_deref(), Some("tsv" | "tab"));
    Ok(Input::Csv(csv::CsvText::new(file, text, tab_hint)))
}

impl Input {
    pub fn parts(&self) -> Vec<Part<'_>> {
        match self {
            Input::Csv(c) => vec![Part {
                suffix: None,
                sheet: None,
                header: Header::Detect,
                rows: Box::new(c.rows()),
            }],
            Input::Sheets(sheets) => sheets
                .iter()
                .map(|s| Part {
                    suffix: Some(s.name.clone()),
                    sheet: Some(s.name.clone()),
                    header: Header::Detect,
                    rows: Box::new(s.rows()),
                })
                .collect(),
            Input::Json(tables) => tables
                .iter()
                .map(|t| Part {
                    suffix: t.key.clone(),
                    sheet: None,
                    header: Header::Given(t.columns.clone()),
                    rows: Box::new(t.rows()),
                })
                .collect(),
        }
    }

    /// True for workbooks, whose single sheet also gets the workbook's own name.
    pub fn is_workbook(&self) -> bool {
        matches!(self, Input::Sheets(_))
    }
}

/// Spreadsheet containers by signature: OOXML/ODF zip, or the OLE compound file of .xls.
fn spreadsheet_format(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04") {
        // ODF stores an uncompressed "mimetype" entry first.
        let head = bytes.get(..200).unwrap_or(bytes);
        let ods = head
            .windows(b"opendocument.spreadsheet".len())
            .any(|w| w == b"opendocument.spreadsheet");
        return Some(if ods { Format::Ods } else { Format::Xlsx });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(Format::Xls);
    }
    None
}

fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"SQLite format 3\0", "an SQLite database"),
        (b"\x1F\x8B", "a gzip archive"),
    ];
    SIGNATURES
        .iter()
        .find(|(sig, _)| bytes.starts_with(sig))
        .map(|(_, kind)| *kind)
}

/// Text in whatever encoding it was saved (BOM, UTF-8, UTF-16, or chardetng's guess such as
/// Shift-JIS or windows-1252), decoded the same way the document reader does.
fn decode_text(bytes: &[u8]) -> String {
    cowork_textdocs::decode_text(bytes).text
}
