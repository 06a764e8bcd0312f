//! CSV and TSV: encoding detected, delimiter sniffed, header guessed, rows windowed like a
//! sheet (the first `max_sheet_rows`, or `opts.range`), ragged rows kept as they are.
//!
//! The document has one [`PartKind::Section`] without a name holding one table: a CSV has no
//! sheets, and a "Sheet 1" heading would invent one. Chunks still use sheet ranges:
//! `doc.next = Chunk::Range { sheet: "", range: "A202:F401" }`.

use cowork_docmodel::{Block, Chunk, DocError, Document, Format, Part, PartKind, ReadOptions};

use crate::encoding::decode_text;
use crate::grid::Window;
use crate::util::check_size;

/// Delimiters tried when sniffing, in order of preference on a tie.
const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];
/// Records looked at to sniff the delimiter and guess the header.
const SAMPLE_RECORDS: usize = 50;

/// Read a CSV or TSV file (`format` is the hint from the caller; any other format is
/// treated as CSV).
pub fn read_csv(bytes: &[u8], format: Format, opts: &ReadOptions) -> Result<Document, DocError> {
    let format = if format == Format::Tsv {
        Format::Tsv
    } else {
        Format::Csv
    };
    check_size(bytes, format, opts)?;
    let decoded = decode_text(bytes);
    let mut doc = Document::new(format);
    doc.metadata
        .insert("encoding".into(), decoded.encoding.to_string());
    if decoded.lossy {
        doc.warn(
            None,
            format!(
                "some bytes are not valid {}; they are shown as �",
                decoded.encoding
            ),
        );
    }
    let text = decoded.text.as_str();
    let delimiter = pick_delimiter(text, format);
    doc.metadata
        .insert("delimiter".into(), delimiter_name(delimiter).to_string());

    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();

    // Look at the first records to guess the header, then stream the rest.
    let mut sample: Vec<Vec<String>> = Vec::new();
    let mut broken = None;
    while sample.len() < SAMPLE_RECORDS {
        match records.next() {
            Some(Ok(record)) => sample.push(record.iter().map(str::to_string).collect()),
            Some(Err(err)) => {
                broken = Some(err);
                break;
            }
            None => break,
        }
    }
    let has_header = looks_like_header(&sample);
    let window = Window::new(opts, has_header);
    let header = sample.first().map(|row| window.cut(row));

    let mut rows = Vec::new();
    let mut total_rows = 0usize;
    let mut total_cols = 0usize;
    for row in sample {
        total_cols = total_cols.max(row.len());
        if window.wants(total_rows) {
            rows.push(window.cut(&row));
        }
        total_rows += 1;
    }
    if broken.is_none() {
        for record in records {
            match record {
                Ok(record) => {
                    total_cols = total_cols.max(record.len());
                    // Outside the window only the counts matter: no strings are built.
                    if window.wants(total_rows) {
                        let row: Vec<String> = record.iter().map(str::to_string).collect();
                        rows.push(window.cut(&row));
                    }
                    total_rows += 1;
                }
                Err(err) => {
                    broken = Some(err);
                    break;
                }
            }
        }
    }
    if let Some(err) = broken {
        doc.warn(
            None,
            format!("the file stops being valid CSV after row {total_rows}: {err}"),
        );
    }
    let header_copy = if window.wants_header_copy() {
        header
    } else {
        None
    };
    let (table, next) = window.finish(header_copy, rows, total_rows, total_cols);
    if let Some(range) = next {
        doc.next = Some(Chunk::Range {
            sheet: String::new(),
            range,
        });
    }
    doc.metadata.insert("rows".into(), total_rows.to_string());
    doc.metadata
        .insert("columns".into(), total_cols.to_string());
    let mut part = Part::new(PartKind::Section, 1);
    part.blocks.push(Block::Table(table));
    doc.parts.push(part);
    Ok(doc)
}

fn delimiter_name(d: u8) -> &'static str {
    match d {
        b'\t' => "tab",
        b';' => "semicolon",
        b'|' => "pipe",
        _ => "comma",
    }
}

/// The delimiter: tab for TSV when the text has tabs, else the candidate that splits the
/// first records most consistently into more than one field.
fn pick_delimiter(text: &str, format: Format) -> u8 {
    let sample = &text[..crate::util::floor_boundary(text, 64 * 1024)];
    let lines = logical_lines(sample);
    if format == Format::Tsv && lines.iter().any(|counts| counts[1] > 0) {
        return b'\t';
    }
    let mut best = (b',', 0.0f64, 0usize);
    for (c, &delim) in CANDIDATES.iter().enumerate() {
        let counts: Vec<usize> = lines.iter().map(|l| l[c]).collect();
        let Some(mode) = mode_nonzero(&counts) else {
            continue;
        };
        let consistent = counts.iter().filter(|n| **n == mode).count() as f64;
        let consistency = consistent / counts.len().max(1) as f64;
        if consistency > best.1 + 1e-9 || ((consistency - best.1).abs() < 1e-9 && mode > best.2) {
            best = (delim, consistency, mode);
        }
    }
    best.0
}

/// Per record of the sample (quotes respected, so quoted newlines do not split): how many
/// of each candidate delimiter it holds outside quotes.
fn logical_lines(sample: &str) -> Vec<[usize; 4]> {
    let mut lines = Vec::new();
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    let mut nonempty = false;
    for b in sample.bytes() {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                nonempty = true;
            }
            b'\n' if !in_quotes => {
                if nonempty {
                    lines.push(counts);
                }
                counts = [0; 4];
                nonempty = false;
                if lines.len() >= SAMPLE_RECORDS {
                    return lines;
                }
            }
            b'\r' => {}
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|c| *c == b) {
                    counts[i] += 1;
                }
                nonempty = true;
            }
            _ => nonempty = true,
        }
    }
    if nonempty {
        lines.push(counts);
    }
    lines
}

fn mode_nonzero(counts: &[usize]) -> Option<usize> {
    let mut tally: Vec<(usize, usize)> = Vec::new();
    for &n in counts.iter().filter(|n| **n > 0) {
        match tally.iter_mut().find(|(v, _)| *v == n) {
            Some((_, c)) => *c += 1,
            None => tally.push((n, 1)),
        }
    }
    tally
        .into_iter()
        .max_by_key(|(v, c)| (*c, *v))
        .map(|(v, _)| v)
}

/// Whether a cell holds a number, percentage, amount or date rather than words.
pub fn is_typed(cell: &str) -> bool {
    let t = cell.trim();
    if t.is_empty() {
        return false;
    }
    let stripped: String = t
        .chars()
        .filter(|c| !matches!(c, '$' | '€' | '£' | '¥' | '%' | ',' | ' ' | '+'))
        .collect();
    if stripped.parse::<f64>().is_ok() {
        return true;
    }
    // Dates and times: digits with - / : . separators only (2012-01-01, 01/02/2020, 0:00:01).
    t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | ':' | '.' | 'T' | ' '))
}

/// The first record is a header (csv.Sniffer's idea): every cell filled with words, and for
/// the columns below it the header cell breaks the column's pattern (words over numbers, or
/// a length unlike the column's fixed length).
fn looks_like_header(sample: &[Vec<String>]) -> bool {
    let Some((first, rest)) = sample.split_first() else {
        return false;
    };
    let filled = first.iter().filter(|c| !c.trim().is_empty()).count();
    if filled == 0 || filled * 2 < first.len() || first.iter().any(|c| is_typed(c)) {
        return false;
    }
    if rest.is_empty() {
        return false;
    }
    let mut votes = 0i32;
    for (col, head) in first.iter().enumerate() {
        if head.trim().is_empty() {
            continue;
        }
        let column: Vec<&str> = rest
            .iter()
            .filter_map(|row| row.get(col).map(|s| s.trim()))
            .filter(|s| !s.is_empty())
            .collect();
        if column.is_empty() {
            continue;
        }
        if column.iter().all(|c| is_typed(c)) {
            votes += 1;
            continue;
        }
        let len = column[0].chars().count();
        if column.iter().all(|c| c.chars().count() == len) {
            votes += if head.trim().chars().count() == len {
                -1
            } else {
                1
            };
            continue;
        }
        // Words over words: a header cell that repeats below is data, not a name.
        if column.contains(&head.trim()) {
            votes -= 1;
        }
    }
    // No column argues either way (all words): distinct, short cells still read as names.
    if votes == 0 {
        let mut seen: Vec<&str> = first.iter().map(|s| s.trim()).collect();
        seen.sort_unstable();
        seen.dedup();
        return seen.len() == first.len() && first.iter().all(|c| c.chars().count() <= 40);
    }
    votes > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(doc: &Document) -> &cowork_docmodel::Table {
        match &doc.parts[0].blocks[0] {
            Block::Table(t) => t,
            other => panic!("not a table: {other:?}"),
        }
    }

    #[test]
    fn sniffs_semicolons_and_pipes() {
        let opts = ReadOptions::default();
        let doc = read_csv(b"a;b;c\n1,5;2;3\n4;5;6\n", Format::Csv, &opts).unwrap();
        assert_eq!(doc.metadata["delimiter"], "semicolon");
        assert_eq!(table(&doc).rows[1], vec!["1,5", "2", "3"]);
        assert_eq!(table(&doc).header_rows, 1);
        let doc = read_csv(b"x|y\n\"q|r\"|2\n", Format::Csv, &opts).unwrap();
        assert_eq!(table(&doc).rows[1], vec!["q|r", "2"]);
    }

    #[test]
    fn ragged_rows_and_no_header() {
        let doc = read_csv(b"1,2,3\n4\n5,6\n", Format::Csv, &ReadOptions::default()).unwrap();
        let t = table(&doc);
        assert_eq!(t.header_rows, 0);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[1], vec!["4"]);
        assert_eq!(doc.metadata["columns"], "3");
    }

    #[test]
    fn tsv_uses_tabs() {
        let doc = read_csv(
            b"name\tvalue, more\nx\t1\n",
            Format::Tsv,
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(table(&doc).rows[0], vec!["name", "value, more"]);
    }
}
