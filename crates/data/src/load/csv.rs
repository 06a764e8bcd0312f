//! CSV and TSV: the delimiter is sniffed from the first lines (the one that splits them into the
//! most consistent number of fields wins), then the text is parsed on each pass.

use crate::error::DataError;
use crate::infer::Raw;
use crate::table::{RowSource, RowVisitor};

pub(crate) struct CsvText {
    file: String,
    text: String,
    delimiter: u8,
}

impl CsvText {
    pub fn new(file: &str, text: String, tab_hint: bool) -> CsvText {
        let delimiter = sniff_delimiter(&text, tab_hint);
        CsvText {
            file: file.to_string(),
            text,
            delimiter,
        }
    }

    pub fn rows(&self) -> CsvRows<'_> {
        CsvRows { csv: self }
    }
}

pub(crate) struct CsvRows<'a> {
    csv: &'a CsvText,
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

impl RowSource for CsvRows<'_> {
    fn each_row(&self, f: &mut RowVisitor<'_>) -> Result<(), DataError> {
        let mut rdr = reader(&self.csv.text, self.csv.delimiter);
        let mut record = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Err(DataError::not_loadable(
                        &self.csv.file,
                        format!("the CSV text is malformed near line {line}: {e}"),
                    ));
                }
            }
            // A fresh vector per row: it borrows `record`, which the next read overwrites.
            let cells: Vec<Raw<'_>> = record.iter().map(Raw::Text).collect();
            if f(&cells)?.is_break() {
                return Ok(());
            }
        }
    }
}

/// Picks `,` `\t` `;` or `|`: the candidate whose field count is the same on most of the first
/// lines, then the one giving more fields. A single-column file falls back to `,` (or tab for
/// a .tsv name).
fn sniff_delimiter(text: &str, tab_hint: bool) -> u8 {
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = match text.get(..end) {
        // Cut at the last full line unless the sample is the whole text.
        Some(s) if end < text.len() => s.rfind('\n').map_or(s, |i| &s[..i]),
        Some(s) => s,
        None => "",
    };
    let candidates: &[u8] = if tab_hint { b"\t,;|" } else { b",\t;|" };
    let mut best: Option<(u8, (u32, usize))> = None;
    for &d in candidates {
        let mut counts = std::collections::HashMap::<usize, u32>::new();
        let mut records = 0u32;
        for rec in reader(sample, d).records().take(100).flatten() {
            if rec.len() == 1 && rec.get(0).is_some_and(str::is_empty) {
                continue;
            }
            *counts.entry(rec.len()).or_default() += 1;
            records += 1;
        }
        let Some((&fields, &n)) = counts.iter().max_by_key(|(f, n)| (**n, **f)) else {
            continue;
        };
        if fields < 2 || records == 0 {
            continue;
        }
        // Consistency in percent, then the number of fields.
        let score = (n * 100 / records, fields);
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((d, score));
        }
    }
    best.map_or(if tab_hint { b'\t' } else { b',' }, |(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n", false), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2;3\n4;5,5;6\n", false), b';');
        assert_eq!(sniff_delimiter("a\tb\n1,2\t3\n", false), b'\t');
        assert_eq!(sniff_delimiter("a|b|c\n1|2|3\n", false), b'|');
        assert_eq!(sniff_delimiter("single\n1\n2\n", true), b'\t');
        assert_eq!(sniff_delimiter("\"x, y\",b\n\"1, 2\",3\n", false), b',');
    }
}
