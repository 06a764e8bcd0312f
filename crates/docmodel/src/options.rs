//! What part of a document to read: pages, a sheet, a cell range, limits.

use serde::{Deserialize, Serialize};

use crate::DocError;

/// Which chunk of a document to read, and how much at most.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadOptions {
    /// Pages or slides to read (1-based, inclusive); None = all, up to `max_parts`.
    pub pages: Option<PageRange>,
    /// The sheet to read (by name, case-insensitive); None = every sheet.
    pub sheet: Option<String>,
    /// The cell range to read from the sheet(s); None = the used range, up to `max_sheet_rows`.
    pub range: Option<CellRange>,
    /// Rows shown per sheet when no range is given: a huge sheet is summarized (dimensions,
    /// header, first rows) and [`crate::Truncation::next`] says how to read on.
    pub max_sheet_rows: usize,
    /// Pages/slides/messages read at most when no page range is given; the rest is left for
    /// the next chunk ([`crate::Document::next`]).
    pub max_parts: usize,
    /// Largest input accepted, in bytes.
    pub max_input_bytes: u64,
    /// Largest total of decompressed data (zip entries, PDF streams) a reader may produce:
    /// a guard against decompression bombs.
    pub max_expanded_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            pages: None,
            sheet: None,
            range: None,
            max_sheet_rows: 200,
            max_parts: 500,
            max_input_bytes: 512 * 1024 * 1024,
            max_expanded_bytes: 1024 * 1024 * 1024,
        }
    }
}

impl ReadOptions {
    /// Whether part `number` (1-based) is selected by `pages` (always true without a range).
    pub fn wants_part(&self, number: usize) -> bool {
        match self.pages {
            Some(range) => range.contains(number),
            None => number <= self.max_parts,
        }
    }
}

/// An inclusive 1-based page range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PageRange {
    pub first: usize,
    pub last: usize,
}

impl PageRange {
    pub fn contains(self, number: usize) -> bool {
        number >= self.first && number <= self.last
    }

    /// Parse "3", "3-7", "3-" (to the end) or "-7".
    pub fn parse(text: &str) -> Result<PageRange, DocError> {
        let bad = || DocError::InvalidOption {
            detail: format!(
                "page range `{text}` is not N, N-M, N- or -M with 1 <= N <= M (e.g. 3-7)"
            ),
        };
        let text = text.trim();
        let num =
            |s: &str| -> Result<usize, DocError> { s.trim().parse::<usize>().map_err(|_| bad()) };
        let range = match text.split_once('-') {
            None => {
                let n = num(text)?;
                PageRange { first: n, last: n }
            }
            Some((a, b)) => PageRange {
                first: if a.trim().is_empty() { 1 } else { num(a)? },
                last: if b.trim().is_empty() {
                    usize::MAX
                } else {
                    num(b)?
                },
            },
        };
        if range.first == 0 || range.last < range.first {
            return Err(bad());
        }
        Ok(range)
    }
}

/// A rectangular A1-style cell range, 0-based inclusive internally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellRange {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl CellRange {
    /// Parse "A1:F20", "B3" (one cell), "A:C" (whole columns) or "2:10" (whole rows).
    pub fn parse(text: &str) -> Result<CellRange, DocError> {
        let bad = || DocError::InvalidOption {
            detail: format!("cell range `{text}` is not like A1:F20, B3, A:C or 2:10"),
        };
        let text = text.trim().replace('$', "");
        let (a, b) = match text.split_once(':') {
            Some((a, b)) => (a.to_string(), b.to_string()),
            None => (text.clone(), text.clone()),
        };
        let (c1, r1) = split_ref(&a).ok_or_else(bad)?;
        let (c2, r2) = split_ref(&b).ok_or_else(bad)?;
        let range = CellRange {
            first_col: c1.unwrap_or(0),
            first_row: r1.unwrap_or(0),
            last_col: c2.unwrap_or(MAX_COL),
            last_row: r2.unwrap_or(MAX_ROW),
        };
        if range.last_row < range.first_row || range.last_col < range.first_col {
            return Err(bad());
        }
        Ok(range)
    }

    pub fn contains(&self, row: u32, col: u32) -> bool {
        row >= self.first_row
            && row <= self.last_row
            && col >= self.first_col
            && col <= self.last_col
    }

    /// "A1:F20".
    pub fn to_a1(&self) -> String {
        format!(
            "{}:{}",
            cell_name(self.first_row, self.first_col),
            cell_name(self.last_row, self.last_col)
        )
    }
}

/// Last 0-based row / column of a sheet (Excel's limits).
pub const MAX_ROW: u32 = 1_048_575;
pub const MAX_COL: u32 = 16_383;

/// "A" → 0, "Z" → 25, "AA" → 26.
pub fn column_index(letters: &str) -> Option<u32> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n: u32 = 0;
    for c in letters.chars() {
        if !c.is_ascii_alphabetic() {
            return None;
        }
        n = n * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    Some(n - 1)
}

/// 0 → "A", 26 → "AA".
pub fn column_name(mut index: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// (0, 0) → "A1".
pub fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_name(col), row + 1)
}

/// "B3" → (Some(1), Some(2)); "B" → (Some(1), None); "3" → (None, Some(2)).
fn split_ref(text: &str) -> Option<(Option<u32>, Option<u32>)> {
    let split = text
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(text.len());
    let (letters, digits) = text.split_at(split);
    let col = if letters.is_empty() {
        None
    } else {
        Some(column_index(letters)?)
    };
    let row = if digits.is_empty() {
        None
    } else {
        let n: u32 = digits.parse().ok()?;
        if n == 0 {
            return None;
        }
        Some(n - 1)
    };
    if col.is_none() && row.is_none() {
        return None;
    }
    Some((col, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ranges() {
        assert_eq!(
            PageRange::parse("3-7").unwrap(),
            PageRange { first: 3, last: 7 }
        );
        assert_eq!(
            PageRange::parse("4").unwrap(),
            PageRange { first: 4, last: 4 }
        );
        assert_eq!(PageRange::parse("5-").unwrap().last, usize::MAX);
        assert!(PageRange::parse("0-2").is_err());
        assert!(PageRange::parse("7-3").is_err());
        assert!(PageRange::parse("x").is_err());
    }

    #[test]
    fn cell_ranges_and_names() {
        let r = CellRange::parse("B2:D10").unwrap();
        assert_eq!(
            (r.first_row, r.first_col, r.last_row, r.last_col),
            (1, 1, 9, 3)
        );
        assert_eq!(r.to_a1(), "B2:D10");
        let cols = CellRange::parse("A:C").unwrap();
        assert_eq!(
            (cols.first_row, cols.last_row, cols.last_col),
            (0, MAX_ROW, 2)
        );
        assert!(CellRange::parse("D1:A1").is_err());
        assert!(CellRange::parse("A0").is_err());
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        for i in [0, 1, 25, 26, 27, 701, 702, 16383] {
            assert_eq!(column_index(&column_name(i)), Some(i));
        }
    }
}
