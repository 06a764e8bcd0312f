//! HTML: the main content of a page as Markdown-ready blocks, boilerplate dropped; title and
//! metadata from `<head>`; encoding from BOM, `<meta charset>` or detection.

mod clean;
mod convert;
mod tree;

use cowork_docmodel::{Block, DocError, Document, Format, Part, PartKind, ReadOptions};

pub use clean::Mode;
use tree::Dom;

use crate::encoding::{DecodedText, decode_text, decode_with_label};
use crate::util::{check_size, collapse_ws};

/// HTML converted to blocks.
pub struct HtmlContent {
    pub title: Option<String>,
    pub metadata: Vec<(String, String)>,
    pub blocks: Vec<Block>,
    pub warnings: Vec<String>,
}

/// Read an HTML page: main content only (navigation, headers, footers, sidebars, cookie
/// banners and scripts dropped).
pub fn read_html(bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    check_size(bytes, Format::Html, opts)?;
    let decoded = decode_html(bytes);
    let mut doc = Document::new(Format::Html);
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
    let content = html_to_blocks(&decoded.text, Mode::Article);
    doc.title = content.title;
    for (k, v) in content.metadata {
        doc.metadata.insert(k, v);
    }
    for w in content.warnings {
        doc.warn(None, w);
    }
    let mut part = Part::new(PartKind::Section, 1);
    part.blocks = content.blocks;
    doc.parts.push(part);
    Ok(doc)
}

/// Convert HTML text to blocks. `Mode::Article` picks the main content of a web page;
/// `Mode::Whole` keeps everything visible (mail bodies, fragments).
pub fn html_to_blocks(html: &str, mode: Mode) -> HtmlContent {
    let dom = Dom::parse(html);
    let mut warnings = Vec::new();
    if dom.depth_capped {
        warnings.push(format!(
            "elements nested deeper than {} levels were flattened into their parent",
            tree::MAX_DEPTH
        ));
    }
    let (title, metadata) = head_metadata(&dom);
    let selection = clean::select(&dom, mode);
    let mut converter = convert::Converter::new(&dom, &selection.dropped);
    for &root in &selection.roots {
        converter.convert(root);
    }
    if converter.depth_capped {
        warnings.push("some deeply nested content was left out".to_string());
    }
    HtmlContent {
        title,
        metadata,
        blocks: converter.blocks,
        warnings,
    }
}

/// The visible text of an HTML fragment (used for HTML inside Markdown).
pub fn fragment_text(html: &str) -> String {
    let content = html_to_blocks(html, Mode::Whole);
    convert::blocks_text(&content.blocks)
}

/// Decode an HTML file: BOM, then a charset declared in the first bytes, then detection.
pub fn decode_html(bytes: &[u8]) -> DecodedText {
    if let Some(label) = declared_charset(bytes)
        && let Some(decoded) = decode_with_label(bytes, &label)
    {
        return decoded;
    }
    decode_text(bytes)
}

/// `<meta charset="x">` or `<meta http-equiv="Content-Type" content="text/html; charset=x">`
/// in the first 4 KiB (the spec's prescan looks at 1 KiB; pages with long heads exceed it).
fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(i) = find(tag, b"charset") {
            let rest = &tag[i + 7..];
            let rest = rest.trim_ascii_start();
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = rest.trim_ascii_start();
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let label: Vec<u8> = rest
                    .iter()
                    .copied()
                    .take_while(|b| !matches!(b, b'"' | b'\'' | b';' | b' ' | b'/' | b'>'))
                    .collect();
                if !label.is_empty() {
                    return Some(String::from_utf8_lossy(&label).into_owned());
                }
            }
        }
        from = end;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Title and metadata from `<head>` (and `<html lang>`).
fn head_metadata(dom: &Dom) -> (Option<String>, Vec<(String, String)>) {
    let mut title_tag = None;
    let mut og_title = None;
    let mut metadata = Vec::new();
    for id in dom.descendants(0) {
        match dom.name(id) {
            "title" if title_tag.is_none() => {
                let t = collapse_ws(&dom.text(id));
                if !t.is_empty() {
                    title_tag = Some(t);
                }
            }
            "meta" => {
                let key = dom
                    .attr(id, "name")
                    .or_else(|| dom.attr(id, "property"))
                    .or_else(|| dom.attr(id, "itemprop"))
                    .map(|k| k.trim().to_ascii_lowercase());
                let Some(key) = key else { continue };
                let Some(value) = dom.attr(id, "content").map(collapse_ws) else {
                    continue;
                };
                if value.is_empty() {
                    continue;
                }
                let name = match key.as_str() {
                    "og:title" | "twitter:title" => {
                        og_title.get_or_insert(value);
                        continue;
                    }
                    "author" | "article:author" | "dc.creator" | "byl" => "author",
                    "description" | "og:description" | "dc.description" => "description",
                    "keywords" => "keywords",
                    "article:published_time" | "datepublished" | "date" | "dc.date" => "published",
                    "og:site_name" => "site",
                    "generator" => "generator",
                    _ => continue,
                };
                if !metadata.iter().any(|(k, _): &(String, String)| k == name) {
                    metadata.push((name.to_string(), value));
                }
            }
            "html" => {
                if let Some(lang) = dom.attr(id, "lang").filter(|l| !l.trim().is_empty()) {
                    metadata.push(("language".into(), lang.trim().to_string()));
                }
            }
            _ => {}
        }
    }
    (og_title.or(title_tag), metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_from_meta() {
        assert_eq!(
            declared_charset(b"<html><head><META http-equiv='Content-Type' content='text/html; charset=Shift_JIS'>").as_deref(),
            Some("shift_jis")
        );
        assert_eq!(
            declared_charset(b"<meta charset=\"utf-8\" />").as_deref(),
            Some("utf-8")
        );
        let latin1 = b"<meta charset=iso-8859-1><p>caf\xe9</p>";
        let doc = read_html(latin1, &ReadOptions::default()).unwrap();
        assert_eq!(doc.parts[0].blocks[0], Block::paragraph("café"));
    }

    #[test]
    fn structure_survives() {
        let html = r#"<html><head><title>T</title><meta name="author" content="Ann"></head><body>
            <nav><a href="/">Home</a> <a href="/x">Other</a></nav>
            <article><h1>Big news</h1><p>First paragraph, with words, commas, and more words to score well.</p>
            <ol start="3"><li>three</li><li>four<ul><li>sub</li></ul></li></ol>
            <table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td><a href="http://x.org/">x</a></td></tr></table>
            <pre class="language-rust">fn main() {
    println!("hi");
}</pre><blockquote><p>Quoted text.</p></blockquote>
            <p>Read <a href="https://example.com/a b">this</a> and <strong>that</strong>.</p></article>
            <footer>Copyright 2024 Footer Corp</footer></body></html>"#;
        let doc = read_html(html.as_bytes(), &ReadOptions::default()).unwrap();
        let md = doc.to_markdown();
        assert_eq!(doc.title.as_deref(), Some("T"));
        assert_eq!(doc.metadata["author"], "Ann");
        assert!(md.contains("# Big news"), "{md}");
        assert!(md.contains("3. three\n4. four\n  - sub"), "{md}");
        assert!(
            md.contains("| A | B |\n| --- | --- |\n| 1 | [x](http://x.org/) |"),
            "{md}"
        );
        assert!(
            md.contains("```rust\nfn main() {\n    println!(\"hi\");\n}\n```"),
            "{md}"
        );
        assert!(md.contains("> Quoted text."), "{md}");
        assert!(
            md.contains("Read [this](https://example.com/a%20b) and **that**."),
            "{md}"
        );
        assert!(!md.contains("Footer Corp"), "{md}");
        assert!(!md.contains("Home"), "{md}");
    }
}
