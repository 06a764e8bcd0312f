//! One sheet's cells → the Table shown: which range (the used range's first rows, or the
//! range asked for), merged cells, header row, formulas, and where the next chunk starts.

use cowork_docmodel::{
    CellFormula, CellRange, ReadOptions, Table, Truncation, cell_name, column_name,
};

use crate::cells::CellValue;
use crate::collect::{Keep, Kept};

/// Columns shown at most (a sheet can have 16 384).
pub(crate) const MAX_COLS: u32 = 256;
/// Rows shown at most when a range is asked for (without one, `max_sheet_rows`).
pub(crate) const RANGE_MAX_ROWS: u32 = 10_000;
/// Cells cleared at most for merged regions: hostile files can stack overlapping merges.
const MERGE_WORK_LIMIT: u64 = 5_000_000;

/// Which cells to keep while streaming a sheet, for these options.
pub(crate) fn keep_for(opts: &ReadOptions) -> Keep {
    match opts.range.map(ordered) {
        // Only what can be shown: "A:Z" on a million-row sheet keeps 10 000 rows, not all.
        Some(r) => Keep::Range(CellRange {
            last_row: r
                .last_row
                .min(r.first_row.saturating_add(RANGE_MAX_ROWS - 1)),
            last_col: r.last_col.min(r.first_col.saturating_add(MAX_COLS - 1)),
            ..r
        }),
        None => Keep::Window {
            rows: rows_per_chunk(opts),
        },
    }
}

/// The range with its corners in order (the fields are public: a caller may build one
/// upside down without going through `CellRange::parse`).
fn ordered(r: CellRange) -> CellRange {
    CellRange {
        first_row: r.first_row.min(r.last_row),
        first_col: r.first_col.min(r.last_col),
        last_row: r.first_row.max(r.last_row),
        last_col: r.first_col.max(r.last_col),
    }
}

fn rows_per_chunk(opts: &ReadOptions) -> u32 {
    u32::try_from(opts.max_sheet_rows.max(1)).unwrap_or(u32::MAX)
}

/// What part of a sheet is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Plan {
    /// The sheet has no non-empty cell.
    Empty,
    /// The range asked for holds nothing; the sheet's used range is given.
    EmptyRange {
        used: CellRange,
    },
    Show(View),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct View {
    pub(crate) shown: CellRange,
    pub(crate) used: CellRange,
    /// The chunk after this one, when rows are left below.
    pub(crate) next: Option<CellRange>,
}

impl View {
    fn is_partial(&self) -> bool {
        let (s, u) = (self.shown, self.used);
        s.first_row > u.first_row
            || s.last_row < u.last_row
            || s.first_col > u.first_col
            || s.last_col < u.last_col
    }
}

/// Decide the range shown from the used range and the options.
pub(crate) fn plan(used: Option<CellRange>, opts: &ReadOptions) -> Plan {
    let Some(used) = used else {
        return Plan::Empty;
    };
    let (shown, height) = match opts.range.map(ordered) {
        // The range keeps its own top-left corner (so the origin is the one asked for) and is
        // cut at the used range's bottom-right.
        Some(r) => {
            if r.first_row > used.last_row || r.first_col > used.last_col {
                return Plan::EmptyRange { used };
            }
            let last_row = r
                .last_row
                .min(used.last_row)
                .min(r.first_row.saturating_add(RANGE_MAX_ROWS - 1));
            let last_col = r
                .last_col
                .min(used.last_col)
                .min(r.first_col.saturating_add(MAX_COLS - 1));
            let shown = CellRange {
                last_row,
                last_col,
                ..r
            };
            if shown.last_row < used.first_row || shown.last_col < used.first_col {
                return Plan::EmptyRange { used };
            }
            (shown, last_row - r.first_row + 1)
        }
        None => {
            let height = rows_per_chunk(opts);
            let shown = CellRange {
                last_row: used.last_row.min(used.first_row.saturating_add(height - 1)),
                last_col: used
                    .last_col
                    .min(used.first_col.saturating_add(MAX_COLS - 1)),
                ..used
            };
            (shown, height)
        }
    };
    let next = (shown.last_row < used.last_row).then(|| CellRange {
        first_row: shown.last_row + 1,
        last_row: used.last_row.min(shown.last_row.saturating_add(height)),
        ..shown
    });
    Plan::Show(View { shown, used, next })
}

/// The table of a view: cells as displayed, merged regions emptied but for their top-left
/// cell, a header row when the first row is all text, formulas, truncation.
pub(crate) fn build(
    view: &View,
    cells: Vec<Kept>,
    formulas: Vec<CellFormula>,
    merges: &[CellRange],
    warnings: &mut Vec<String>,
) -> Table {
    let s = view.shown;
    let height = (s.last_row - s.first_row + 1) as usize;
    let width = (s.last_col - s.first_col + 1) as usize;
    let mut rows = vec![vec![String::new(); width]; height];
    let mut first_row_text = true;
    let mut first_row_filled = false;
    for cell in cells {
        if !s.contains(cell.row, cell.col) {
            continue;
        }
        if cell.row == s.first_row {
            first_row_filled = true;
            first_row_text &= matches!(cell.value, CellValue::Text(_));
        }
        if let Some(slot) = rows
            .get_mut((cell.row - s.first_row) as usize)
            .and_then(|r| r.get_mut((cell.col - s.first_col) as usize))
        {
            *slot = cell.display;
        }
    }
    clear_merged(&mut rows, s, merges, warnings);
    let header_rows = usize::from(
        s.first_row == view.used.first_row && first_row_filled && first_row_text && height > 1,
    );
    if s.last_col < view.used.last_col && s.first_col == view.used.first_col {
        warnings.push(format!(
            "only columns {}–{} of {}–{} are shown; read the others with a range such as {}",
            column_name(s.first_col),
            column_name(s.last_col),
            column_name(view.used.first_col),
            column_name(view.used.last_col),
            CellRange {
                first_col: s.last_col.saturating_add(1),
                last_col: view.used.last_col.min(s.last_col.saturating_add(MAX_COLS)),
                ..s
            }
            .to_a1()
        ));
    }
    let truncated = view.is_partial().then(|| Truncation {
        total_rows: span(view.used.first_row, view.used.last_row),
        total_cols: span(view.used.first_col, view.used.last_col),
        shown: s.to_a1(),
        next: view.next.map(|n| n.to_a1()),
    });
    Table {
        caption: None,
        rows,
        header_rows,
        origin: Some(cell_name(s.first_row, s.first_col)),
        formulas,
        truncated,
    }
}

/// How many rows (columns) from `first` to `last` inclusive, without overflow.
fn span(first: u32, last: u32) -> usize {
    usize::try_from(u64::from(last.saturating_sub(first)) + 1).unwrap_or(usize::MAX)
}

/// Empty every cell of a merged region but its top-left one, within the view: the value is
/// shown once, where the spreadsheet shows it.
fn clear_merged(
    rows: &mut [Vec<String>],
    s: CellRange,
    merges: &[CellRange],
    warnings: &mut Vec<String>,
) {
    let mut work: u64 = 0;
    for m in merges {
        let (r0, r1) = (m.first_row.max(s.first_row), m.last_row.min(s.last_row));
        let (c0, c1) = (m.first_col.max(s.first_col), m.last_col.min(s.last_col));
        if r0 > r1 || c0 > c1 {
            continue;
        }
        work += u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
        if work > MERGE_WORK_LIMIT {
            warnings.push("too many overlapping merged cells; some were left as stored".into());
            return;
        }
        for r in r0..=r1 {
            for c in c0..=c1 {
                if (r, c) == (m.first_row, m.first_col) {
                    continue;
                }
                if let Some(slot) = rows
                    .get_mut((r - s.first_row) as usize)
                    .and_then(|row| row.get_mut((c - s.first_col) as usize))
                {
                    slot.clear();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(a1: &str) -> CellRange {
        CellRange::parse(a1).unwrap()
    }

    #[test]
    fn window_and_next_chunk() {
        let opts = ReadOptions {
            max_sheet_rows: 200,
            ..ReadOptions::default()
        };
        let Plan::Show(v) = plan(Some(range("A1:H50000")), &opts) else {
            panic!("a view")
        };
        assert_eq!(v.shown.to_a1(), "A1:H200");
        assert_eq!(v.next.map(|n| n.to_a1()).as_deref(), Some("A201:H400"));
    }

    #[test]
    fn range_keeps_its_origin_and_is_cut_at_the_used_range() {
        let opts = ReadOptions {
            range: Some(range("A1:Z10")),
            ..ReadOptions::default()
        };
        let Plan::Show(v) = plan(Some(range("B3:D40")), &opts) else {
            panic!("a view")
        };
        assert_eq!(v.shown.to_a1(), "A1:D10");
        assert_eq!(v.next.map(|n| n.to_a1()).as_deref(), Some("A11:D20"));
        let far = ReadOptions {
            range: Some(range("A100:B200")),
            ..ReadOptions::default()
        };
        assert!(matches!(
            plan(Some(range("B3:D40")), &far),
            Plan::EmptyRange { .. }
        ));
    }

    #[test]
    fn merged_cells_show_once() {
        let used = range("A1:C3");
        let view = View {
            shown: used,
            used,
            next: None,
        };
        let cells = (0..3)
            .flat_map(|r| (0..3).map(move |c| (r, c)))
            .map(|(row, col)| Kept {
                row,
                col,
                value: CellValue::Text("v".into()),
                display: "v".into(),
            })
            .collect();
        let mut warnings = Vec::new();
        let t = build(&view, cells, Vec::new(), &[range("A1:B2")], &mut warnings);
        assert_eq!(t.rows[0], ["v", "", "v"]);
        assert_eq!(t.rows[1], ["", "", "v"]);
        assert_eq!(t.header_rows, 1);
        assert!(t.truncated.is_none());
    }
}
