//! From rows of cells to a typed SQLite table: find the header (skipping title lines above it),
//! drop note lines and a "Total" line below the data, infer each column's type, then create the
//! table and insert every row with one prepared statement.

use std::collections::HashSet;
use std::ops::ControlFlow;

use rusqlite::Connection;

use crate::error::DataError;
use crate::infer::{self, ColumnStats, ColumnType, Raw};
use crate::names;
use crate::parse;

/// Rows that can be walked more than once (CSV is re-parsed, sheets and JSON are in memory), so
/// a multi-million-row file is never held twice.
/// Called with each row's cells in file order; `Break` stops the walk early.
pub(crate) type RowVisitor<'f> = dyn FnMut(&[Raw<'_>]) -> Result<ControlFlow<()>, DataError> + 'f;

pub(crate) trait RowSource {
    fn each_row(&self, f: &mut RowVisitor<'_>) -> Result<(), DataError>;
}

/// Where the column names come from.
#[derive(Debug, Clone)]
pub(crate) enum Header {
    /// A row of the data (the first full-width row, after any title lines).
    Detect,
    /// Names known from elsewhere (JSON object keys); every row is data.
    Given(Vec<String>),
}

#[derive(Debug, Clone)]
pub(crate) struct PlannedColumn {
    pub name: String,
    pub original: String,
    /// Position of the column's cells in each source row.
    pub index: usize,
    pub ty: ColumnType,
}

#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub columns: Vec<PlannedColumn>,
    /// Source rows `start..end` (excluding blank ones) are the data.
    start: usize,
    end: usize,
    counts: Vec<u32>,
    pub warnings: Vec<String>,
}

/// SQLite's default SQLITE_MAX_COLUMN.
const MAX_COLUMNS: usize = 2000;
/// Rows kept as text to choose the header from.
const HEAD_ROWS: usize = 60;

/// Reads the source twice (shape, then types) and decides the table's columns.
pub(crate) fn plan(
    file: &str,
    src: &dyn RowSource,
    header: Header,
    max_rows: usize,
) -> Result<Plan, DataError> {
    let shape = scan_shape(file, src, max_rows)?;
    let mut warnings = Vec::new();
    let (header_row, start, names) = match header {
        Header::Given(names) => (None, 0, names),
        Header::Detect => choose_header(&shape, &mut warnings),
    };
    let end = data_end(&shape, start, &mut warnings);
    let width = shape.width.max(names.len());
    if width == 0 {
        return Err(DataError::not_loadable(
            file,
            "it contains no data (no non-empty cell)",
        ));
    }
    if width > MAX_COLUMNS {
        return Err(DataError::not_loadable(
            file,
            format!(
                "it has {width} columns, more than the {MAX_COLUMNS} SQLite accepts; select fewer columns first"
            ),
        ));
    }
    let mut stats = vec![ColumnStats::default(); width];
    let mut idx = 0usize;
    src.each_row(&mut |cells| {
        let row = idx;
        idx += 1;
        if row >= end {
            return Ok(ControlFlow::Break(()));
        }
        if row >= start && shape.counts.get(row).is_some_and(|c| *c > 0) {
            for (s, cell) in stats.iter_mut().zip(cells) {
                s.observe(*cell);
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    let rows = (start..end)
        .filter(|r| shape.counts.get(*r).is_some_and(|c| *c > 0))
        .count();
    if rows > max_rows {
        return Err(too_many_rows(file, rows, max_rows));
    }
    let mut taken = HashSet::new();
    let mut columns = Vec::new();
    for (index, s) in stats.iter().enumerate() {
        let original = names
            .get(index)
            .map(|n| n.trim().to_string())
            .unwrap_or_default();
        let ty = s.decide();
        // An unnamed column with nothing in it is layout (a leading blank column), not data.
        if original.is_empty() && s.is_empty() {
            continue;
        }
        let base = names::sanitize(&original).unwrap_or_else(|| format!("col_{}", index + 1));
        columns.push(PlannedColumn {
            name: names::unique(base, &mut taken),
            original,
            index,
            ty,
        });
    }
    if let Some(h) = header_row
        && h > 0
    {
        warnings.push(format!("skipped {h} line(s) above the header row"));
    }
    Ok(Plan {
        columns,
        start,
        end,
        counts: shape.counts,
        warnings,
    })
}

fn too_many_rows(file: &str, rows: usize, max: usize) -> DataError {
    DataError::TooLarge {
        file: file.to_string(),
        what: format!("{rows} rows"),
        limit: format!("{max} rows"),
    }
}

struct Shape {
    /// Non-empty cells per source row.
    counts: Vec<u32>,
    /// Cells of the first rows, as text, and whether each looks like a value (number/date).
    head: Vec<Vec<(String, bool)>>,
    /// Rows whose first cell says "Total".
    total_rows: Vec<usize>,
    width: usize,
}

fn scan_shape(file: &str, src: &dyn RowSource, max_rows: usize) -> Result<Shape, DataError> {
    let mut shape = Shape {
        counts: Vec::new(),
        head: Vec::new(),
        total_rows: Vec::new(),
        width: 0,
    };
    // Title and note lines are few: stop scanning well before a file that is too big is read whole.
    let hard_stop = max_rows.saturating_add(HEAD_ROWS);
    let mut too_big = false;
    src.each_row(&mut |cells| {
        let row = shape.counts.len();
        if row >= hard_stop {
            too_big = true;
            return Ok(ControlFlow::Break(()));
        }
        let mut count = 0u32;
        for (i, c) in cells.iter().enumerate() {
            if !c.is_blank() {
                count += 1;
                shape.width = shape.width.max(i + 1);
            }
        }
        shape.counts.push(count);
        if row < HEAD_ROWS {
            shape.head.push(
                cells
                    .iter()
                    .map(|c| (c.display().into_owned(), is_value(c)))
                    .collect(),
            );
        }
        if is_total_row(cells) {
            shape.total_rows.push(row);
        }
        Ok(ControlFlow::Continue(()))
    })?;
    if too_big {
        return Err(too_many_rows(file, hard_stop, max_rows));
    }
    Ok(shape)
}

fn is_value(c: &Raw<'_>) -> bool {
    match c {
        Raw::Int(_) | Raw::Float(_) | Raw::DateTime(_) => true,
        Raw::Text(t) => {
            parse::parse_number(t).is_some()
                || parse::parse_date(t, parse::DAY_FIRST | parse::MONTH_FIRST).is_some()
        }
        Raw::Empty | Raw::Bool(_) | Raw::Error(_) => false,
    }
}

fn is_total_row(cells: &[Raw<'_>]) -> bool {
    const TOTALS: &[&str] = &["total", "totals", "grand total", "sum", "subtotal"];
    match cells.iter().find(|c| !c.is_blank()) {
        Some(Raw::Text(t)) => {
            let t = t.trim().trim_end_matches(':');
            TOTALS.iter().any(|k| t.eq_ignore_ascii_case(k))
        }
        _ => false,
    }
}

/// The header is the first row (among the first few) with at least three cells, or as many as
/// the typical row when that is fewer; rows above it are titles. A header made only of numbers or dates is data: columns get
/// positional names.
fn choose_header(shape: &Shape, warnings: &mut Vec<String>) -> (Option<usize>, usize, Vec<String>) {
    let nonblank: Vec<(usize, u32)> = shape
        .counts
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| *c > 0)
        .take(200)
        .collect();
    let mut freq = std::collections::HashMap::<u32, usize>::new();
    for (_, c) in &nonblank {
        *freq.entry(*c).or_default() += 1;
    }
    let typical = freq
        .iter()
        .max_by_key(|(count, n)| (**n, **count))
        .map_or(0, |(count, _)| *count);
    // Title and filter lines hold one or two cells above a wider table; a header may have
    // gaps, so three cells (or the typical width, if smaller) are enough.
    let needed = typical.clamp(1, 3);
    let Some(header) = nonblank
        .iter()
        .take(HEAD_ROWS)
        .find(|(_, c)| *c >= needed)
        .or(nonblank.first())
        .map(|(r, _)| *r)
    else {
        return (None, 0, Vec::new());
    };
    let cells = shape.head.get(header).cloned().unwrap_or_default();
    let has_more = nonblank.len() > 1;
    if has_more && cells.iter().filter(|(t, _)| !t.is_empty()).all(|(_, v)| *v) {
        warnings
            .push("the first row holds values, not names: columns are named col_1, col_2 …".into());
        return (None, header, Vec::new());
    }
    let names = cells.into_iter().map(|(t, _)| t).collect();
    (Some(header), header + 1, names)
}

/// End (exclusive) of the data: drops a short block of one-cell note lines after a blank line,
/// and a final "Total" row that would otherwise be counted twice by SUM.
fn data_end(shape: &Shape, start: usize, warnings: &mut Vec<String>) -> usize {
    let counts = &shape.counts;
    let Some(last) = counts.iter().rposition(|c| *c > 0).filter(|l| *l >= start) else {
        return start;
    };
    let mut end = last + 1;
    let mut block = last;
    while block > start && counts.get(block - 1).is_some_and(|c| *c > 0) {
        block -= 1;
    }
    let typical_wide = counts
        .get(start..block)
        .is_some_and(|r| r.iter().any(|c| *c >= 2));
    if block > start
        && end - block <= 3
        && typical_wide
        && counts
            .get(block..end)
            .is_some_and(|b| b.iter().all(|c| *c == 1))
    {
        warnings.push(format!(
            "ignored {} note line(s) below the data",
            end - block
        ));
        end = block;
        while end > start && counts.get(end - 1).is_some_and(|c| *c == 0) {
            end -= 1;
        }
    }
    if let Some(&t) = shape.total_rows.last()
        && t + 1 == end
        && t > start
    {
        warnings.push("ignored the final \"Total\" row so that sums are not doubled".into());
        end = t;
    }
    end
}

/// Creates the table and inserts the planned rows (the caller holds the transaction).
pub(crate) fn create_and_insert(
    conn: &Connection,
    file: &str,
    table: &str,
    plan: &Plan,
    src: &dyn RowSource,
) -> Result<usize, DataError> {
    let fail =
        |e: rusqlite::Error| DataError::not_loadable(file, format!("SQLite refused the data: {e}"));
    let defs: Vec<String> = plan
        .columns
        .iter()
        .map(|c| format!("{} {}", names::quote(&c.name), c.ty.sql_type.declared()))
        .collect();
    conn.execute(
        &format!("CREATE TABLE {} ({})", names::quote(table), defs.join(", ")),
        [],
    )
    .map_err(fail)?;
    let marks = vec!["?"; plan.columns.len()].join(", ");
    let mut insert = conn
        .prepare(&format!(
            "INSERT INTO {} VALUES ({marks})",
            names::quote(table)
        ))
        .map_err(fail)?;
    let mut idx = 0usize;
    let mut inserted = 0usize;
    src.each_row(&mut |cells| {
        let row = idx;
        idx += 1;
        if row >= plan.end {
            return Ok(ControlFlow::Break(()));
        }
        if row < plan.start || plan.counts.get(row).is_none_or(|c| *c == 0) {
            return Ok(ControlFlow::Continue(()));
        }
        for (pos, col) in plan.columns.iter().enumerate() {
            let raw = cells.get(col.index).copied().unwrap_or(Raw::Empty);
            insert
                .raw_bind_parameter(pos + 1, infer::convert(raw, &col.ty))
                .map_err(fail)?;
        }
        insert.raw_execute().map_err(fail)?;
        inserted += 1;
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(inserted)
}
