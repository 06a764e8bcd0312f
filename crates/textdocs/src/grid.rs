//! Which rows and columns of a grid (CSV, JSON records) a read shows, the way sheets do:
//! the first `max_sheet_rows` rows (plus the header) without a range, else the range asked
//! for; and the A1 range that continues it.

use cowork_docmodel::{CellRange, ReadOptions, Table, Truncation, cell_name};

/// Rows an explicit range may show at once: a guard against `A:C` on a huge file.
pub const MAX_RANGE_ROWS: usize = 100_000;

/// The window of a grid to show.
#[derive(Debug, Clone)]
pub struct Window {
    first_row: usize,
    /// Inclusive; already capped.
    last_row: usize,
    first_col: usize,
    last_col: usize,
    /// Rows per chunk, for the `next` range.
    page: usize,
    has_header: bool,
}

impl Window {
    /// The window for these options; `has_header` when row 0 holds column names.
    pub fn new(opts: &ReadOptions, has_header: bool) -> Window {
        match opts.range {
            Some(CellRange {
                first_row,
                first_col,
                last_row,
                last_col,
            }) => {
                let first_row = first_row as usize;
                let height = (last_row as usize)
                    .saturating_sub(first_row)
                    .saturating_add(1)
                    .min(MAX_RANGE_ROWS);
                Window {
                    first_row,
                    last_row: first_row + height - 1,
                    first_col: first_col as usize,
                    last_col: last_col as usize,
                    page: height,
                    has_header,
                }
            }
            None => {
                let rows = opts.max_sheet_rows.max(1);
                Window {
                    first_row: 0,
                    last_row: rows - 1 + usize::from(has_header),
                    first_col: 0,
                    last_col: usize::MAX,
                    page: rows,
                    has_header,
                }
            }
        }
    }

    /// Whether row `index` (0-based) is shown as data.
    pub fn wants(&self, index: usize) -> bool {
        index >= self.first_row && index <= self.last_row
    }

    /// Whether no row after `index` can be shown (lets a reader stop collecting early).
    pub fn past(&self, index: usize) -> bool {
        index > self.last_row
    }

    /// The header row is shown on top of a range that starts below it.
    pub fn wants_header_copy(&self) -> bool {
        self.has_header && self.first_row > 0
    }

    /// The shown columns of one row.
    pub fn cut(&self, row: &[String]) -> Vec<String> {
        let end = row.len().min(self.last_col.saturating_add(1));
        row.get(self.first_col..end)
            .map(<[String]>::to_vec)
            .unwrap_or_default()
    }

    /// The table for the collected rows, given the grid's full size; and the A1 range of the
    /// next chunk when rows are left after the window.
    pub fn finish(
        &self,
        header: Option<Vec<String>>,
        rows: Vec<Vec<String>>,
        total_rows: usize,
        total_cols: usize,
    ) -> (Table, Option<String>) {
        let mut table = Table::default();
        let shown_last_row = self.last_row.min(total_rows.saturating_sub(1));
        let shown_last_col = self.last_col.min(total_cols.saturating_sub(1));
        let mut all_rows = Vec::with_capacity(rows.len() + 1);
        if let Some(header) = header.filter(|_| self.wants_header_copy()) {
            all_rows.push(header);
            table.header_rows = 1;
        } else if self.has_header && self.first_row == 0 {
            table.header_rows = 1;
        }
        all_rows.extend(rows);
        table.rows = all_rows;
        table.origin = Some(cell_name(to_u32(self.first_row), to_u32(self.first_col)));
        let whole = self.first_row == 0
            && self.first_col == 0
            && shown_last_row + 1 >= total_rows
            && shown_last_col + 1 >= total_cols;
        if whole || total_rows == 0 || self.first_row >= total_rows {
            return (table, None);
        }
        let next = (shown_last_row + 1 < total_rows).then(|| {
            let start = shown_last_row + 1;
            let end = (start + self.page - 1).min(total_rows - 1);
            format!(
                "{}:{}",
                cell_name(to_u32(start), to_u32(self.first_col)),
                cell_name(to_u32(end), to_u32(shown_last_col))
            )
        });
        table.truncated = Some(Truncation {
            total_rows,
            total_cols,
            shown: format!(
                "{}:{}",
                cell_name(to_u32(self.first_row), to_u32(self.first_col)),
                cell_name(to_u32(shown_last_row), to_u32(shown_last_col))
            ),
            next: next.clone(),
        });
        (table, next)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_rows_then_next_range() {
        let opts = ReadOptions {
            max_sheet_rows: 2,
            ..ReadOptions::default()
        };
        let w = Window::new(&opts, true);
        assert!(w.wants(2) && !w.wants(3));
        let rows = vec![vec!["h".to_string()], vec!["1".into()], vec!["2".into()]];
        let (table, next) = w.finish(None, rows, 10, 1);
        assert_eq!(table.header_rows, 1);
        assert_eq!(next.as_deref(), Some("A4:A5"));
        assert_eq!(table.truncated.unwrap().shown, "A1:A3");
    }

    #[test]
    fn range_gets_a_header_copy() {
        let opts = ReadOptions {
            range: Some(CellRange::parse("B5:C6").unwrap()),
            ..ReadOptions::default()
        };
        let w = Window::new(&opts, true);
        assert!(w.wants(4) && w.wants(5) && !w.wants(6));
        let row: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(w.cut(&row), vec!["b".to_string(), "c".to_string()]);
        let (table, next) = w.finish(Some(vec!["B".into(), "C".into()]), vec![], 10, 4);
        assert_eq!(table.header_rows, 1);
        assert_eq!(table.origin.as_deref(), Some("B5"));
        assert_eq!(next.as_deref(), Some("B7:C8"));
    }
}
