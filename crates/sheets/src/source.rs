//! The workbook behind one interface, whatever the file format: sheet list, properties,
//! cells streamed into a [`Collector`], formulas and merged regions. calamine does the parsing.
//!
//! xlsx cells are streamed with their style ids so each value is shown with its own number
//! format; xls and ods come as whole ranges (calamine has no streaming or styles for them).

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{Dimensions, Ods, Reader, SheetType, SheetVisible, Xls, Xlsx};
use cowork_docmodel::{CellFormula, CellRange, DocError, Format, cell_name};

use crate::cells::Raw;
use crate::collect::Collector;
use crate::numfmt::NumFmt;
use crate::xlsxparts;

type Bytes<'a> = Cursor<&'a [u8]>;

/// An open workbook.
pub(crate) enum Book<'a> {
    Xlsx {
        book: Box<Xlsx<Bytes<'a>>>,
        /// Number format of every style id, parsed once per workbook.
        formats: Option<Vec<NumFmt>>,
        bytes: &'a [u8],
        /// Sheet name → worksheet entry, read once when merges are first needed.
        paths: Option<HashMap<String, String>>,
    },
    Xls(Box<Xls<Bytes<'a>>>),
    Ods(Box<Ods<Bytes<'a>>>),
}

/// What the sheet list says about one sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SheetInfo {
    pub(crate) name: String,
    /// A worksheet (cells); chart, dialog and macro sheets have none to show.
    pub(crate) has_cells: bool,
    pub(crate) kind: &'static str,
    pub(crate) hidden: bool,
}

impl<'a> Book<'a> {
    /// Open `bytes` as a workbook of `format` (xlsx, xls or ods).
    pub(crate) fn open(bytes: &'a [u8], format: Format) -> Result<Book<'a>, DocError> {
        let cursor = Cursor::new(bytes);
        match format {
            Format::Xls => Xls::new(cursor)
                .map(|b| Book::Xls(Box::new(b)))
                .map_err(|e| match e {
                    calamine::XlsError::Password => encrypted(format),
                    e => DocError::corrupt(format, e),
                }),
            Format::Ods => Ods::new(cursor)
                .map(|b| Book::Ods(Box::new(b)))
                .map_err(|e| match e {
                    calamine::OdsError::Password => encrypted(format),
                    e => DocError::corrupt(format, e),
                }),
            _ => Xlsx::new(cursor)
                .map(|b| Book::Xlsx {
                    book: Box::new(b),
                    formats: None,
                    bytes,
                    paths: None,
                })
                .map_err(|e| match e {
                    calamine::XlsxError::Password => encrypted(format),
                    e => DocError::corrupt(format, e),
                }),
        }
    }

    fn metadata_sheets(&self) -> &[calamine::Sheet] {
        match self {
            Book::Xlsx { book, .. } => book.sheets_metadata(),
            Book::Xls(b) => b.sheets_metadata(),
            Book::Ods(b) => b.sheets_metadata(),
        }
    }

    /// Every sheet, in workbook order.
    pub(crate) fn sheets(&self) -> Vec<SheetInfo> {
        self.metadata_sheets()
            .iter()
            .map(|s| {
                let kind = match s.typ {
                    SheetType::WorkSheet => "worksheet",
                    SheetType::ChartSheet => "chart sheet",
                    SheetType::DialogSheet => "dialog sheet",
                    SheetType::MacroSheet => "macro sheet",
                    SheetType::Vba => "VBA module",
                };
                SheetInfo {
                    name: s.name.clone(),
                    has_cells: s.typ == SheetType::WorkSheet,
                    kind,
                    hidden: match s.visible {
                        SheetVisible::Visible => false,
                        SheetVisible::Hidden | SheetVisible::VeryHidden => true,
                    },
                }
            })
            .collect()
    }

    /// Whether dates count from 1904 (old Mac workbooks).
    pub(crate) fn is_1904(&self) -> bool {
        match self {
            Book::Xlsx { book, .. } => book.has_1904_epoch(),
            Book::Xls(b) => b.has_1904_epoch(),
            // ODS stores dates as ISO text; calamine converts them without an epoch choice.
            Book::Ods(_) => false,
        }
    }

    /// Document properties worth showing (title, author, dates, application).
    pub(crate) fn properties(&mut self) -> BTreeMap<String, String> {
        let props = match self {
            Book::Xlsx { book, .. } => book.workbook_properties().ok(),
            Book::Xls(b) => b.workbook_properties().ok(),
            Book::Ods(b) => b.workbook_properties().ok(),
        };
        let mut out = BTreeMap::new();
        let Some(p) = props else { return out };
        let fields = [
            ("title", p.title),
            ("author", p.creator),
            ("last_modified_by", p.last_modified_by),
            ("created", p.created),
            ("modified", p.modified),
            ("subject", p.subject),
            ("description", p.description),
            ("keywords", p.keywords),
            ("application", p.application),
        ];
        for (key, value) in fields {
            if let Some(v) = value.map(|v| v.trim().to_string())
                && !v.is_empty()
            {
                out.insert(key.to_string(), v);
            }
        }
        out
    }

    /// Stream the cells of sheet `name` into `collector`. On an error part-way the cells read
    /// so far stay in the collector and the error says what stopped the read.
    pub(crate) fn cells(&mut self, name: &str, collector: &mut Collector) -> Result<(), String> {
        match self {
            Book::Xlsx { book, formats, .. } => {
                let mut reader = book
                    .worksheet_cells_reader(name)
                    .map_err(|e| e.to_string())?;
                let formats = formats.get_or_insert_with(|| {
                    reader
                        .styles()
                        .iter()
                        .map(|s| match &s.number_format {
                            Some(n) => NumFmt::for_style(&n.format_code, n.format_id),
                            None => NumFmt::general(),
                        })
                        .collect()
                });
                loop {
                    match reader.next_cell_with_style_id() {
                        Ok(Some((cell, style))) => {
                            let (row, col) = cell.get_position();
                            let raw = Raw::from_ref(cell.get_value());
                            collector.push(row, col, raw, formats.get(style));
                        }
                        Ok(None) => return Ok(()),
                        Err(e) => return Err(e.to_string()),
                    }
                }
            }
            Book::Xls(b) => {
                let range = b.worksheet_range(name).map_err(|e| e.to_string())?;
                push_range(&range, collector);
                Ok(())
            }
            Book::Ods(b) => {
                let range = b.worksheet_range(name).map_err(|e| e.to_string())?;
                push_range(&range, collector);
                Ok(())
            }
        }
    }

    /// The formulas of the cells of `view`, row by row, as "=SUM(B2:B13)".
    pub(crate) fn formulas(
        &mut self,
        name: &str,
        view: CellRange,
    ) -> Result<Vec<CellFormula>, String> {
        let mut out = Vec::new();
        match self {
            Book::Xlsx { book, .. } => {
                let mut reader = book
                    .worksheet_cells_reader(name)
                    .map_err(|e| e.to_string())?;
                while let Some(cell) = reader.next_cell_with_formula().map_err(|e| e.to_string())? {
                    let (row, col) = cell.pos;
                    // Rows come in order: nothing past the view needs reading (a huge sheet
                    // shown by its first rows is not parsed twice to the end).
                    if row > view.last_row {
                        break;
                    }
                    if let Some(f) = cell.formula
                        && view.contains(row, col)
                    {
                        push_formula(&mut out, row, col, &f);
                    }
                }
            }
            Book::Xls(b) => {
                let range = b.worksheet_formula(name).map_err(|e| e.to_string())?;
                formulas_in(&range, view, &mut out);
            }
            Book::Ods(b) => {
                let range = b.worksheet_formula(name).map_err(|e| e.to_string())?;
                formulas_in(&range, view, &mut out);
            }
        }
        Ok(out)
    }

    /// The merged regions of sheet `name` that meet `view`.
    pub(crate) fn merges(&mut self, name: &str, view: CellRange) -> Result<Vec<CellRange>, String> {
        let dims = match self {
            Book::Xlsx {
                book, bytes, paths, ..
            } => {
                let paths = paths.get_or_insert_with(|| xlsxparts::sheet_paths(bytes));
                if let Some(path) = paths.get(name) {
                    let mut found = Vec::new();
                    xlsxparts::merges(bytes, path, view, &mut found)?;
                    return Ok(found);
                }
                // An unusual package layout: let calamine find the sheet.
                book.merge_cells_by_sheet_name(name)
                    .map_err(|e| e.to_string())?
            }
            Book::Xls(b) => b
                .merge_cells_by_sheet_name(name)
                .map_err(|e| e.to_string())?,
            // calamine does not read ODS merges (covered cells come empty anyway).
            Book::Ods(_) => Vec::new(),
        };
        Ok(dims.iter().map(to_range).collect())
    }
}

fn encrypted(format: Format) -> DocError {
    DocError::Encrypted {
        format: format.to_string(),
    }
}

fn to_range(d: &Dimensions) -> CellRange {
    CellRange {
        first_row: d.start.0.min(d.end.0),
        first_col: d.start.1.min(d.end.1),
        last_row: d.start.0.max(d.end.0),
        last_col: d.start.1.max(d.end.1),
    }
}

fn push_range(range: &calamine::Range<calamine::Data>, collector: &mut Collector) {
    let Some((r0, c0)) = range.start() else {
        return;
    };
    for (r, c, value) in range.used_cells() {
        let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
            continue;
        };
        collector.push(
            r0.saturating_add(r),
            c0.saturating_add(c),
            Raw::from_data(value),
            None,
        );
    }
}

fn formulas_in(range: &calamine::Range<String>, view: CellRange, out: &mut Vec<CellFormula>) {
    let Some((r0, c0)) = range.start() else {
        return;
    };
    for (r, c, f) in range.used_cells() {
        let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
            continue;
        };
        let (row, col) = (r0.saturating_add(r), c0.saturating_add(c));
        if view.contains(row, col) {
            push_formula(out, row, col, f);
        }
    }
}

fn push_formula(out: &mut Vec<CellFormula>, row: u32, col: u32, text: &str) {
    // ODS writes "of:=SUM([.A1:.A3])"; xlsx and xls formulas come without the "=".
    let text = text.trim();
    let text = text.strip_prefix("of:").unwrap_or(text);
    if text.is_empty() {
        return;
    }
    let formula = if text.starts_with('=') {
        text.to_string()
    } else {
        format!("={text}")
    };
    out.push(CellFormula {
        cell: cell_name(row, col),
        formula,
    });
}
