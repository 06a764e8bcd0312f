//! A workbook → a Document: one Part per selected sheet, each holding its Table.

use cowork_docmodel::{
    Block, CellRange, Chunk, DocError, Document, Format, Part, PartKind, ReadOptions,
};

use crate::collect::{Collector, Keep};
use crate::source::{Book, SheetInfo};
use crate::table::{self, Plan};
use crate::{guard, sheet_index};

pub(crate) fn read(bytes: &[u8], format: Format, opts: &ReadOptions) -> Result<Document, DocError> {
    let parse_as = guard::check(bytes, format, opts)?;
    let mut book = Book::open(bytes, parse_as)?;
    let sheets = book.sheets();
    let mut doc = Document::new(format);
    doc.total_parts = Some(sheets.len());
    let mut props = book.properties();
    doc.title = props.remove("title");
    doc.metadata = props;
    doc.metadata
        .insert("sheet_count".into(), sheets.len().to_string());
    doc.metadata.insert(
        "sheet_names".into(),
        sheets
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    let hidden: Vec<&str> = sheets
        .iter()
        .filter(|s| s.hidden)
        .map(|s| s.name.as_str())
        .collect();
    if !hidden.is_empty() {
        doc.metadata
            .insert("hidden_sheets".into(), hidden.join(", "));
    }

    let selected: Vec<usize> = match &opts.sheet {
        Some(name) => vec![sheet_index(&sheets, name)?],
        None => (0..sheets.len())
            .filter(|i| opts.wants_part(i + 1))
            .collect(),
    };
    let is_1904 = book.is_1904();
    for &i in &selected {
        let Some(info) = sheets.get(i) else { continue };
        let part = read_sheet(&mut book, info, i + 1, opts, is_1904, &mut doc);
        doc.parts.push(part);
    }
    // Sheets past max_parts (no page range given) are left for the next chunk.
    if doc.next.is_none()
        && opts.sheet.is_none()
        && opts.pages.is_none()
        && sheets.len() > opts.max_parts
    {
        doc.next = Some(Chunk::Pages {
            first: opts.max_parts + 1,
            last: sheets.len().min(opts.max_parts.saturating_mul(2)),
        });
    }
    Ok(doc)
}

fn read_sheet(
    book: &mut Book<'_>,
    info: &SheetInfo,
    number: usize,
    opts: &ReadOptions,
    is_1904: bool,
    doc: &mut Document,
) -> Part {
    let mut part = Part::new(PartKind::Sheet, number);
    part.name = Some(info.name.clone());
    if info.hidden {
        doc.warn(
            Some(number),
            format!("sheet `{}` is hidden in the workbook", info.name),
        );
    }
    if !info.has_cells {
        part.blocks
            .push(Block::paragraph(format!("({} without cells)", info.kind)));
        return part;
    }
    let mut collector = Collector::new(table::keep_for(opts), true, is_1904);
    if let Err(e) = book.cells(&info.name, &mut collector) {
        doc.warn(
            Some(number),
            format!(
                "sheet `{}`: reading its cells stopped ({e}); what was read before is shown",
                info.name
            ),
        );
    }
    let view = match table::plan(collector.used(), opts) {
        Plan::Empty => {
            part.blocks.push(Block::paragraph("(empty sheet)"));
            return part;
        }
        Plan::EmptyRange { used } => {
            let asked = opts.range.map(|r| r.to_a1()).unwrap_or_default();
            part.blocks.push(Block::paragraph(format!(
                "(no cells in range {asked}; this sheet's data is in {})",
                used.to_a1()
            )));
            return part;
        }
        Plan::Show(view) => view,
    };
    let formulas = book.formulas(&info.name, view.shown).unwrap_or_else(|e| {
        doc.warn(
            Some(number),
            format!("sheet `{}`: formulas could not be read ({e})", info.name),
        );
        Vec::new()
    });
    let merges = book.merges(&info.name, view.shown).unwrap_or_else(|e| {
        doc.warn(
            Some(number),
            format!(
                "sheet `{}`: merged cells could not be read ({e})",
                info.name
            ),
        );
        Vec::new()
    });
    let mut warnings = Vec::new();
    let table = table::build(&view, collector.cells, formulas, &merges, &mut warnings);
    for w in warnings {
        doc.warn(Some(number), format!("sheet `{}`: {w}", info.name));
    }
    if doc.next.is_none()
        && let Some(next) = view.next
    {
        doc.next = Some(Chunk::Range {
            sheet: info.name.clone(),
            range: next.to_a1(),
        });
    }
    part.blocks.push(Block::Table(table));
    part
}

/// Every cell of the used range, typed, for [`crate::read_cells`].
pub(crate) fn cells(
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
) -> Result<Vec<crate::SheetCells>, DocError> {
    let opts = ReadOptions::default();
    let parse_as = guard::check(bytes, format, &opts)?;
    let mut book = Book::open(bytes, parse_as)?;
    let sheets = book.sheets();
    let selected: Vec<usize> = match sheet {
        Some(name) => vec![sheet_index(&sheets, name)?],
        None => (0..sheets.len()).collect(),
    };
    let is_1904 = book.is_1904();
    let mut out = Vec::new();
    for i in selected {
        let Some(info) = sheets.get(i) else { continue };
        if !info.has_cells {
            continue;
        }
        let mut collector = Collector::new(Keep::All, false, is_1904);
        book.cells(&info.name, &mut collector)
            .map_err(|e| DocError::corrupt(parse_as, format!("sheet `{}`: {e}", info.name)))?;
        let rows = match collector.used() {
            Some(used) => dense(&info.name, used, collector.cells)?,
            None => Vec::new(),
        };
        out.push(crate::SheetCells {
            name: info.name.clone(),
            rows,
        });
    }
    Ok(out)
}

/// Cells of a dense table at most: a stray cell at XFD1048576 must not allocate 17 billion.
const MAX_DENSE_CELLS: u64 = 20_000_000;

fn dense(
    name: &str,
    used: CellRange,
    cells: Vec<crate::collect::Kept>,
) -> Result<Vec<Vec<crate::CellValue>>, DocError> {
    let height = u64::from(used.last_row - used.first_row) + 1;
    let width = u64::from(used.last_col - used.first_col) + 1;
    if height * width > MAX_DENSE_CELLS {
        return Err(DocError::TooLarge {
            what: format!(
                "sheet `{name}` ({} rows × {width} columns, range {})",
                height,
                used.to_a1()
            ),
            limit: format!("{MAX_DENSE_CELLS} cells"),
        });
    }
    let mut rows = vec![vec![crate::CellValue::Empty; width as usize]; height as usize];
    for cell in cells {
        if let Some(slot) = rows
            .get_mut((cell.row - used.first_row) as usize)
            .and_then(|r| r.get_mut((cell.col - used.first_col) as usize))
        {
            *slot = cell.value;
        }
    }
    Ok(rows)
}
