//! Gathering a sheet's cells while they stream by: the used range of every non-empty cell,
//! and only the cells that will be shown (a huge sheet never sits in memory as a whole
//! when only its first rows are displayed).

use cowork_docmodel::CellRange;

use crate::cells::{CellValue, Raw, convert};
use crate::numfmt::NumFmt;

/// Which cells to keep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Keep {
    /// Every cell (typed values for other crates).
    All,
    /// The first `rows` rows of the used range.
    Window { rows: u32 },
    /// The cells inside a range.
    Range(CellRange),
}

/// A kept cell: position, typed value, text as shown (empty unless display was asked for).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Kept {
    pub(crate) row: u32,
    pub(crate) col: u32,
    pub(crate) value: CellValue,
    pub(crate) display: String,
}

/// Receives the cells of one sheet.
#[derive(Debug)]
pub(crate) struct Collector {
    keep: Keep,
    display: bool,
    is_1904: bool,
    first_row_seen: Option<u32>,
    used: Option<CellRange>,
    pub(crate) cells: Vec<Kept>,
}

impl Collector {
    pub(crate) fn new(keep: Keep, display: bool, is_1904: bool) -> Collector {
        Collector {
            keep,
            display,
            is_1904,
            first_row_seen: None,
            used: None,
            cells: Vec::new(),
        }
    }

    /// The used range: the smallest rectangle holding every non-empty cell.
    pub(crate) fn used(&self) -> Option<CellRange> {
        self.used
    }

    /// Take one cell (0-based position) with its number format, if the file has one.
    pub(crate) fn push(&mut self, row: u32, col: u32, raw: Raw<'_>, fmt: Option<&NumFmt>) {
        if raw.is_empty() {
            return;
        }
        self.used = Some(match self.used {
            None => CellRange {
                first_row: row,
                first_col: col,
                last_row: row,
                last_col: col,
            },
            Some(u) => CellRange {
                first_row: u.first_row.min(row),
                first_col: u.first_col.min(col),
                last_row: u.last_row.max(row),
                last_col: u.last_col.max(col),
            },
        });
        let first = *self.first_row_seen.get_or_insert(row);
        let keep = match self.keep {
            Keep::All => true,
            // Rows normally arrive in order, so the window starts at the first row seen; a row
            // arriving out of order above it is kept too, since it moves the window up.
            Keep::Window { rows } => row < first.saturating_add(rows),
            Keep::Range(r) => r.contains(row, col),
        };
        if !keep {
            return;
        }
        let (value, display) = convert(raw, fmt, self.is_1904, self.display);
        self.cells.push(Kept {
            row,
            col,
            value,
            display,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_first_rows_and_tracks_the_used_range() {
        let mut c = Collector::new(Keep::Window { rows: 2 }, true, false);
        for row in 3..10 {
            c.push(row, 1, Raw::Int(i64::from(row)), None);
        }
        c.push(12, 4, Raw::Text(""), None); // empty: does not count
        c.push(11, 3, Raw::Text("x"), None);
        let used = c.used().unwrap();
        assert_eq!((used.first_row, used.first_col), (3, 1));
        assert_eq!((used.last_row, used.last_col), (11, 3));
        assert_eq!(c.cells.len(), 2);
        assert_eq!(c.cells[1].display, "4");
    }
}
