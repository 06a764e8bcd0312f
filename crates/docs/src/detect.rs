//! Format detection by content. The file name is only a tie-breaker between text formats that
//! look alike (csv vs. text vs. markdown): a `.docx` that is really a PDF reads as a PDF, and a
//! `.csv` holding HTML reads as HTML.

use std::io::Cursor;

use cowork_docmodel::{DocError, Format};

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// A format cowork reads.
    Readable(Format),
    /// A recognised format cowork does not read; the message says what to do instead.
    Unsupported { what: String, hint: String },
    /// An encrypted office document (OOXML inside a CFB container).
    Encrypted { format: String },
}

/// CFB (OLE2) compound file: legacy Office files and encrypted OOXML.
const CFB_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Detect the format of `bytes`; `name` (a file name or path) breaks ties between text formats.
pub fn detect(bytes: &[u8], name: Option<&str>) -> Detected {
    let ext_format = name.and_then(extension).and_then(Format::from_extension);
    let head = &bytes[..bytes.len().min(8192)];
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Detected::Readable(Format::Pdf);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return detect_zip(bytes, ext_format);
    }
    if head.starts_with(CFB_MAGIC) {
        return detect_cfb(bytes);
    }
    if let Some(what) = binary_signature(head) {
        return Detected::Unsupported {
            what: what.to_string(),
            hint: "; cowork reads pdf, docx, pptx, xlsx/xls/ods, csv/tsv, eml/mbox, ics, html, md, txt and json".into(),
        };
    }
    detect_text(head, ext_format)
}

fn extension(name: &str) -> Option<&str> {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    file.rsplit_once('.').map(|(_, ext)| ext)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// OOXML and ODF are zips: the entry names (and for ODF the `mimetype` entry) say which.
fn detect_zip(bytes: &[u8], ext_format: Option<Format>) -> Detected {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // A damaged zip: trust the extension so the right reader reports the damage.
        return match ext_format {
            Some(f @ (Format::Docx | Format::Pptx | Format::Xlsx | Format::Ods)) => {
                Detected::Readable(f)
            }
            _ => Detected::Unsupported {
                what: "this damaged zip archive".into(),
                hint: "; if it is an office document, open and re-save it".into(),
            },
        };
    };
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let has_prefix = |p: &str| names.iter().any(|n| n.starts_with(p));
    if names.iter().any(|n| n == "mimetype") {
        let mut mime = String::new();
        if let Ok(file) = archive.by_name("mimetype") {
            use std::io::Read;
            let _ = file.take(200).read_to_string(&mut mime);
        }
        return match mime.trim() {
            "application/vnd.oasis.opendocument.spreadsheet" => Detected::Readable(Format::Ods),
            other => Detected::Unsupported {
                what: format!("an OpenDocument file ({other})"),
                hint: "; save it as .docx / .pptx from LibreOffice, or as PDF".into(),
            },
        };
    }
    if has_prefix("word/") {
        return Detected::Readable(Format::Docx);
    }
    if has_prefix("ppt/") {
        return Detected::Readable(Format::Pptx);
    }
    if has_prefix("xl/") {
        return Detected::Readable(Format::Xlsx);
    }
    // Parts may live elsewhere; the content types name the main part.
    let mut types = String::new();
    if let Ok(file) = archive.by_name("[Content_Types].xml") {
        use std::io::Read;
        let _ = file.take(1 << 20).read_to_string(&mut types);
    }
    if types.contains("wordprocessingml.document.main")
        || types.contains("wordprocessingml.template.main")
    {
        return Detected::Readable(Format::Docx);
    }
    if types.contains("presentationml.presentation.main")
        || types.contains("presentationml.template.main")
    {
        return Detected::Readable(Format::Pptx);
    }
    if types.contains("spreadsheetml.sheet.main") || types.contains("spreadsheetml.template.main") {
        return Detected::Readable(Format::Xlsx);
    }
    Detected::Unsupported {
        what: "a zip archive".into(),
        hint: "; unpack it first (cowork reads the files inside, not the archive)".into(),
    }
}

/// Legacy Office (CFB) files: xls is read; doc/ppt are not; encrypted OOXML is recognised.
fn detect_cfb(bytes: &[u8]) -> Detected {
    let has = |name: &str| {
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        find(bytes, &utf16).is_some()
    };
    if has("EncryptedPackage") {
        return Detected::Encrypted {
            format: "office document".into(),
        };
    }
    if has("Workbook") || has("Book") {
        return Detected::Readable(Format::Xls);
    }
    if has("WordDocument") {
        return Detected::Unsupported {
            what: "a Word 97-2003 .doc file".into(),
            hint: "; save it as .docx (or PDF) and read that".into(),
        };
    }
    if has("PowerPoint Document") {
        return Detected::Unsupported {
            what: "a PowerPoint 97-2003 .ppt file".into(),
            hint: "; save it as .pptx (or PDF) and read that".into(),
        };
    }
    Detected::Unsupported {
        what: "a legacy Office (OLE) file".into(),
        hint: "; save it in a current format (.docx, .xlsx, .pptx) or as PDF".into(),
    }
}

/// Well-known binary formats, so the error names what the file is.
fn binary_signature(head: &[u8]) -> Option<&'static str> {
    const SIGS: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"7z\xBC\xAF\x27\x1C", "a 7z archive"),
        (b"Rar!", "a RAR archive"),
        (b"\x7FELF", "a program (ELF binary)"),
        (b"SQLite format 3\0", "an SQLite database"),
        (b"{\\rtf", "an RTF document"),
    ];
    SIGS.iter()
        .find(|(sig, _)| head.starts_with(sig))
        .map(|(_, what)| *what)
}

fn detect_text(head: &[u8], ext_format: Option<Format>) -> Detected {
    let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
    if !utf16 && looks_binary(head) {
        return Detected::Unsupported {
            what: "a binary file of unknown type".into(),
            hint: "; cowork reads pdf, docx, pptx, xlsx/xls/ods, csv/tsv, eml/mbox, ics, html, md, txt and json".into(),
        };
    }
    let text = if utf16 {
        let le = head.starts_with(b"\xFF\xFE");
        let units: Vec<u16> = head[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head)).into_owned()
    };
    let trimmed = text.trim_start();
    let lower: String = trimmed
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();

    // Strong signatures win over the extension.
    if lower.starts_with("begin:vcalendar") {
        return Detected::Readable(Format::Ics);
    }
    if trimmed.starts_with("From ")
        && looks_like_mail_headers(trimmed.split_once('\n').map_or("", |(_, r)| r))
    {
        return Detected::Readable(Format::Mbox);
    }
    if looks_like_mail_headers(trimmed) {
        return Detected::Readable(Format::Eml);
    }
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || (lower.starts_with("<?xml") && lower.contains("<html"))
        || (lower.starts_with("<!--") && lower.contains("<html"))
        || lower.starts_with("<head")
        || lower.starts_with("<body")
        || looks_like_html_fragment(&lower)
    {
        return Detected::Readable(Format::Html);
    }
    // Weak signals: the extension decides between text-like formats.
    match ext_format {
        Some(
            f @ (Format::Csv
            | Format::Tsv
            | Format::Markdown
            | Format::Json
            | Format::Text
            | Format::Html),
        ) => {
            return Detected::Readable(f);
        }
        Some(Format::Eml | Format::Mbox | Format::Ics) => return Detected::Readable(Format::Text),
        _ => {}
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // The head may cut a long document short: an error at its end still means JSON.
        match serde_json::from_str::<serde_json::Value>(trimmed) {
            Ok(_) => return Detected::Readable(Format::Json),
            Err(e) if e.is_eof() && head.len() >= 8192 => return Detected::Readable(Format::Json),
            Err(_) => {}
        }
    }
    if let Some(delim) = consistent_delimiter(&text) {
        return Detected::Readable(if delim == b'\t' {
            Format::Tsv
        } else {
            Format::Csv
        });
    }
    if looks_like_markdown(&text) {
        return Detected::Readable(Format::Markdown);
    }
    Detected::Readable(Format::Text)
}

/// NUL bytes or many control characters: not text in any encoding we read (EBCDIC and
/// legacy 8-bit text have neither).
fn looks_binary(head: &[u8]) -> bool {
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C | 0x1B))
        .count();
    controls * 20 > head.len().max(1)
}

/// A page fragment without `<html>`: it opens with a common HTML element. (XML is not a
/// format cowork reads, so a leading tag of another vocabulary falls through to text.)
fn looks_like_html_fragment(lower: &str) -> bool {
    const ELEMENTS: [&str; 24] = [
        "div", "p", "table", "style", "span", "section", "article", "main", "h1", "h2", "h3", "ul",
        "ol", "a", "meta", "link", "script", "title", "br", "img", "form", "center", "font",
        "header",
    ];
    let Some(rest) = lower.strip_prefix('<') else {
        return false;
    };
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let after = rest[name.len()..].chars().next();
    ELEMENTS.contains(&name.as_str()) && matches!(after, Some(' ' | '>' | '/' | '\n' | '\t' | '\r'))
}

fn looks_like_mail_headers(text: &str) -> bool {
    const KNOWN: [&str; 10] = [
        "from",
        "to",
        "subject",
        "date",
        "received",
        "return-path",
        "mime-version",
        "message-id",
        "delivered-to",
        "x-mailer",
    ];
    let mut known = 0;
    for line in text.lines().take(40) {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || name.contains(' ') {
            return false;
        }
        if KNOWN.contains(&name.to_ascii_lowercase().as_str()) {
            known += 1;
        }
    }
    known >= 2
}

/// A delimiter that occurs the same (non-zero) number of times on each of the first lines.
fn consistent_delimiter(text: &str) -> Option<u8> {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(10)
        .collect();
    if lines.len() < 2 {
        return None;
    }
    // The head may cut the last line short.
    let lines = &lines[..lines.len() - usize::from(lines.len() > 2)];
    [b'\t', b',', b';', b'|'].into_iter().find(|&d| {
        let count = |l: &str| l.bytes().filter(|&b| b == d).count();
        let first = count(lines[0]);
        first > 0 && lines.iter().all(|l| count(l) == first)
    })
}

fn looks_like_markdown(text: &str) -> bool {
    let mut signals = 0;
    for line in text.lines().take(200) {
        let l = line.trim_start();
        if l.starts_with("# ")
            || l.starts_with("## ")
            || l.starts_with("```")
            || l.starts_with("- [")
        {
            signals += 1;
        }
        if l.contains("](") {
            signals += 1;
        }
    }
    signals >= 2
}

/// Map a detection to a format or the error the person sees.
pub fn require(detected: Detected, display: &str) -> Result<Format, DocError> {
    match detected {
        Detected::Readable(format) => Ok(format),
        Detected::Unsupported { what, hint } => Err(DocError::Unsupported {
            what: format!("{display} ({what})"),
            hint,
        }),
        Detected::Encrypted { format } => Err(DocError::Encrypted { format }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_formats_by_content_and_extension() {
        assert_eq!(
            detect(b"%PDF-1.7\n...", Some("x.docx")),
            Detected::Readable(Format::Pdf)
        );
        assert_eq!(
            detect(b"BEGIN:VCALENDAR\r\nVERSION:2.0", None),
            Detected::Readable(Format::Ics)
        );
        assert_eq!(
            detect(b"From: a@b.c\nTo: d@e.f\nSubject: hi\n\nbody", None),
            Detected::Readable(Format::Eml)
        );
        assert_eq!(
            detect(
                b"From a@b Mon Jan 1 00:00:00 2024\nFrom: a@b.c\nSubject: x\n\nbody",
                None
            ),
            Detected::Readable(Format::Mbox)
        );
        assert_eq!(
            detect(b"<!DOCTYPE html><html>", Some("a.csv")),
            Detected::Readable(Format::Html)
        );
        assert_eq!(
            detect(b"a,b,c\n1,2,3\n4,5,6\n", None),
            Detected::Readable(Format::Csv)
        );
        assert_eq!(
            detect(b"a\tb\n1\t2\n3\t4\n", None),
            Detected::Readable(Format::Tsv)
        );
        assert_eq!(
            detect(b"{\"a\": [1, 2]}", None),
            Detected::Readable(Format::Json)
        );
        assert_eq!(
            detect(b"# Title\n\nSee [x](y).\n", None),
            Detected::Readable(Format::Markdown)
        );
        assert_eq!(
            detect(b"just some words", None),
            Detected::Readable(Format::Text)
        );
        assert_eq!(
            detect(b"just some words", Some("notes.md")),
            Detected::Readable(Format::Markdown)
        );
    }

    #[test]
    fn binary_files_are_named() {
        let png = detect(b"\x89PNG\r\n\x1a\n\0\0", Some("chart.pdf"));
        assert!(
            matches!(png, Detected::Unsupported { ref what, .. } if what.contains("PNG")),
            "{png:?}"
        );
        let junk = detect(&[0u8, 1, 2, 3, 4, 5, 0, 0], None);
        assert!(matches!(junk, Detected::Unsupported { .. }));
        let cfb_encrypted: Vec<u8> = CFB_MAGIC
            .iter()
            .copied()
            .chain("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert!(matches!(
            detect(&cfb_encrypted, Some("a.xlsx")),
            Detected::Encrypted { .. }
        ));
    }
}
