//! CSV (RFC 4180) and Markdown tables from rows of text.

/// Rows as RFC 4180 CSV: comma-separated, CRLF line ends, fields quoted when they contain a
/// comma, quote, CR or LF (quotes doubled). A field starting with a space is quoted too so
/// spreadsheet apps keep it.
pub fn write_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::new();
    for row in rows {
        for (i, field) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let quote = field.contains([',', '"', '\r', '\n'])
                || field.starts_with(' ')
                || field.ends_with(' ');
            if quote {
                out.push('"');
                out.push_str(&field.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(field);
            }
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// Rows as a GitHub-flavoured Markdown table; the first row is the header. Pipes are escaped,
/// line breaks become `<br>`, and short rows are padded so every row has the same width.
pub fn table_to_markdown(rows: &[Vec<String>]) -> String {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 {
        return String::new();
    }
    let cell = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('|', "\\|")
            .replace("\r\n", "<br>")
            .replace(['\n', '\r'], "<br>")
    };
    let line = |row: &[String]| {
        let mut s = String::from("|");
        for i in 0..width {
            s.push(' ');
            s.push_str(&cell(row.get(i).map(String::as_str).unwrap_or("")));
            s.push_str(" |");
        }
        s.push('\n');
        s
    };
    let mut out = String::new();
    let mut iter = rows.iter();
    if let Some(header) = iter.next() {
        out.push_str(&line(header));
        out.push('|');
        out.push_str(&" --- |".repeat(width));
        out.push('\n');
    }
    for row in iter {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(r: &[&[&str]]) -> Vec<Vec<String>> {
        r.iter()
            .map(|row| row.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn csv_quotes_what_rfc4180_requires() {
        let out = write_csv(&rows(&[
            &["a", "b,c", "say \"hi\""],
            &["line\nbreak", " pad", ""],
        ]));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"line\nbreak\",\" pad\",\r\n"
        );
        assert!(write_csv(&[]).is_empty());
    }

    #[test]
    fn markdown_table_pads_and_escapes() {
        let md = table_to_markdown(&rows(&[&["Name", "Note"], &["a|b"], &["x", "1\n2"]]));
        assert_eq!(
            md,
            "| Name | Note |\n| --- | --- |\n| a\\|b |  |\n| x | 1<br>2 |\n"
        );
        assert_eq!(table_to_markdown(&[]), "");
    }
}
