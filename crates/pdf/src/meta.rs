//! Document-level facts: the Info dictionary (title, author, dates …) and the page count.

use cowork_docmodel::Document;
use lopdf::{Document as LoDoc, Object};

use crate::objutil::{get_text, resolve};

/// Info keys we carry, and the metadata names they get.
const KEYS: [(&[u8], &str); 8] = [
    (b"Title", "title"),
    (b"Author", "author"),
    (b"Subject", "subject"),
    (b"Keywords", "keywords"),
    (b"Creator", "creator"),
    (b"Producer", "producer"),
    (b"CreationDate", "created"),
    (b"ModDate", "modified"),
];

/// Fill `doc.metadata` and `doc.title` from the Info dictionary; add the page count.
pub(crate) fn fill(lo: &LoDoc, doc: &mut Document, pages: usize) {
    doc.metadata.insert("pages".into(), pages.to_string());
    if let Some(version) = Some(lo.version.trim()).filter(|v| !v.is_empty()) {
        doc.metadata
            .insert("pdf_version".into(), version.to_string());
    }
    let info = lo
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| resolve(lo, o))
        .and_then(|o| match o {
            Object::Dictionary(d) => Some(d),
            _ => None,
        });
    let Some(info) = info else { return };
    for (key, name) in KEYS {
        let Some(value) = get_text(lo, info, key) else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let value = if name == "created" || name == "modified" {
            pdf_date(value).unwrap_or_else(|| value.to_string())
        } else {
            value.to_string()
        };
        doc.metadata.insert(name.to_string(), value);
    }
    doc.title = doc.metadata.get("title").cloned();
    // Tagged PDFs may carry a language; useful to a reader of CJK or Arabic text.
    if let Some(lang) = lo
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|r| crate::objutil::as_dict(lo, r))
        .and_then(|cat| get_text(lo, cat, b"Lang"))
        .filter(|l| !l.trim().is_empty())
    {
        doc.metadata
            .insert("language".into(), lang.trim().to_string());
    }
}

/// "D:20240131123000+01'00'" → "2024-01-31T12:30:00+01:00" (as much as is present).
pub(crate) fn pdf_date(s: &str) -> Option<String> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let part = |from: usize, len: usize, default: &str| -> String {
        digits
            .get(from..from + len)
            .map_or_else(|| default.to_string(), str::to_string)
    };
    let mut out = format!(
        "{}-{}-{}",
        part(0, 4, ""),
        part(4, 2, "01"),
        part(6, 2, "01")
    );
    if digits.len() >= 10 {
        out.push_str(&format!(
            "T{}:{}:{}",
            part(8, 2, "00"),
            part(10, 2, "00"),
            part(12, 2, "00")
        ));
        let tz = &s[digits.len()..];
        if tz.starts_with('Z') {
            out.push('Z');
        } else if let Some(sign) = tz.chars().next().filter(|c| *c == '+' || *c == '-') {
            let tzd: String = tz.chars().filter(char::is_ascii_digit).collect();
            if tzd.len() >= 2 {
                let mm = tzd.get(2..4).unwrap_or("00");
                out.push_str(&format!("{sign}{}:{mm}", &tzd[..2]));
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            pdf_date("D:20240131123000+01'00'").unwrap(),
            "2024-01-31T12:30:00+01:00"
        );
        assert_eq!(pdf_date("D:2009").unwrap(), "2009-01-01");
        assert_eq!(
            pdf_date("D:20090102030405Z").unwrap(),
            "2009-01-02T03:04:05Z"
        );
        assert!(pdf_date("garbage").is_none());
    }
}
