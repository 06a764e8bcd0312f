//! Hostile inputs: deep nesting, random bytes, invalid UTF-8, truncation, size limits.
//! Each must end quickly with a document or a clear error, never a panic or a hang.

mod common;

use std::time::{Duration, Instant};

use cowork_docmodel::{DocError, Document, Format, ReadOptions};
use cowork_textdocs::{
    decode_text, read_csv, read_eml, read_html, read_ics, read_json, read_markdown, read_mbox,
    read_text,
};

type Reader = fn(&[u8], &ReadOptions) -> Result<Document, DocError>;

const READERS: [(&str, Reader); 9] = [
    ("csv", |b, o| read_csv(b, Format::Csv, o)),
    ("tsv", |b, o| read_csv(b, Format::Tsv, o)),
    ("eml", read_eml),
    ("mbox", read_mbox),
    ("ics", read_ics),
    ("html", read_html),
    ("md", read_markdown),
    ("text", read_text),
    ("json", read_json),
];

/// Unoptimised test builds are slow; the bound still catches quadratic blow-ups.
const LIMIT: Duration = Duration::from_secs(20);

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < LIMIT, "{what} took {:?}", start.elapsed());
    out
}

/// A small deterministic generator (no dependency needed for noise).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn deeply_nested_html() {
    for (open, close) in [
        ("<div>", "</div>"),
        ("<b>", "</b>"),
        ("<ul><li>", ""),
        ("<table><tr><td>", ""),
        ("<blockquote>", ""),
    ] {
        let html = format!(
            "<html><body>{}deep text{}</body></html>",
            open.repeat(100_000),
            close.repeat(100_000)
        );
        let doc = timed(open, || read_html(html.as_bytes(), &ReadOptions::default())).unwrap();
        assert!(doc.plain_text().contains("deep text"), "{open}: text kept");
        assert!(
            !doc.warnings.is_empty(),
            "{open}: the flattening is reported"
        );
    }
    // Unclosed links and paragraphs by the ten thousand.
    let html = "<a href=x>link <p>para ".repeat(20_000);
    timed("unclosed", || {
        read_html(html.as_bytes(), &ReadOptions::default())
    })
    .unwrap();
}

#[test]
fn deeply_nested_multipart_mail() {
    let depth = 10_000;
    let mut eml = String::from("From: a@x.org\r\nSubject: deep\r\n");
    for i in 0..depth {
        eml.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    eml.push_str("Content-Type: text/plain\r\n\r\nthe innermost text\r\n");
    for i in (0..depth).rev() {
        eml.push_str(&format!("--b{i}--\r\n"));
    }
    let result = timed("multipart", || {
        read_eml(eml.as_bytes(), &ReadOptions::default())
    });
    if let Ok(doc) = result {
        let _ = doc.to_markdown();
    }

    // Messages nested in messages.
    let mut eml = String::new();
    for i in 0..depth {
        eml.push_str(&format!(
            "From: a{i}@x.org\r\nSubject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n"
        ));
    }
    eml.push_str("From: z@x.org\r\nSubject: bottom\r\n\r\nbody\r\n");
    let result = timed("rfc822", || {
        read_eml(eml.as_bytes(), &ReadOptions::default())
    });
    if let Ok(doc) = result {
        assert!(
            doc.attachments.len() <= 1,
            "nested messages are one attachment deep"
        );
    }
}

#[test]
fn deep_json_markdown_and_calendar() {
    let json = "[".repeat(100_000) + &"]".repeat(100_000);
    let doc = timed("json", || {
        read_json(json.as_bytes(), &ReadOptions::default())
    })
    .unwrap();
    assert!(!doc.warnings.is_empty());
    let md = "> ".repeat(50_000) + "quoted\n" + &"- ".repeat(20_000) + "item\n";
    timed("markdown", || {
        read_markdown(md.as_bytes(), &ReadOptions::default())
    })
    .unwrap();
    let ics = "BEGIN:VCALENDAR\n".to_string() + &"BEGIN:VEVENT\n".repeat(50_000) + "SUMMARY:x\n";
    let doc = timed("ics", || read_ics(ics.as_bytes(), &ReadOptions::default())).unwrap();
    assert!(doc.warnings.iter().any(|w| w.message.contains("nested")));
}

#[test]
fn random_bytes_and_invalid_utf8() {
    for seed in 1..=8u64 {
        let bytes = noise(64 * 1024, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        for (name, reader) in READERS {
            let _ = timed(name, || reader(&bytes, &ReadOptions::default()));
        }
    }
    let invalid = b"caf\xC3 \xFF\xFE\x80 ok\r\nsecond,line\xE2\x82\n";
    for (name, reader) in READERS {
        let _ = timed(name, || reader(invalid, &ReadOptions::default()));
    }
    let d = decode_text(invalid);
    assert!(!d.text.is_empty());
}

#[test]
fn truncated_corpus_files() {
    for dir in ["csv", "eml", "html", "ics", "json", "md"] {
        for path in common::corpus_dir(dir) {
            let bytes = std::fs::read(&path).unwrap();
            for cut in [
                bytes.len() / 3,
                bytes.len() / 2,
                bytes.len().saturating_sub(7),
            ] {
                let part = &bytes[..cut];
                for (name, reader) in READERS {
                    let _ = timed(name, || reader(part, &ReadOptions::default()));
                }
            }
        }
    }
}

#[test]
fn input_over_the_limit_is_refused() {
    let opts = ReadOptions {
        max_input_bytes: 10,
        ..ReadOptions::default()
    };
    for (name, reader) in READERS {
        let err = reader(b"more than ten bytes of input", &opts).unwrap_err();
        assert!(matches!(err, DocError::TooLarge { .. }), "{name}: {err}");
    }
}
