//! A thin streaming layer over quick-xml shared by every OOXML part reader.
//!
//! It matches elements and attributes by LOCAL name, so Transitional (`schemas.openxmlformats.org`)
//! and Strict (`purl.oclc.org/ooxml`) packages read the same whatever prefixes they use; it turns
//! `<a/>` into a start and an end so the part readers need one code path; it caps nesting depth
//! (hostile input must not drive recursion or memory); and it resolves only the predefined and
//! numeric character references — DTD entities are never expanded, so billion-laughs XML yields
//! nothing rather than gigabytes.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// Deepest element nesting accepted. Real documents stay far below (a table nested in a table
/// in a text box is ~40 levels); a deeper part is hostile or broken.
pub(crate) const MAX_DEPTH: usize = 256;

/// Why a part's XML could not be read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum XmlError {
    /// Deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Not well-formed (the detail names the byte offset).
    Syntax(String),
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            XmlError::TooDeep => write!(f, "XML nested too deeply (over {MAX_DEPTH} levels)"),
            XmlError::Syntax(detail) => write!(f, "malformed XML ({detail})"),
        }
    }
}

/// One element start: its name and attributes, read on demand.
pub(crate) struct Elem<'a> {
    start: BytesStart<'a>,
}

impl Elem<'_> {
    /// The element name without its namespace prefix (`w:p` → `p`).
    pub(crate) fn local(&self) -> &str {
        local_of(self.start.name().into_inner())
    }

    /// The value of the first attribute with this local name (any prefix or none).
    pub(crate) fn attr(&self, local: &str) -> Option<String> {
        self.find_attr(|key| local_of(key) == local)
    }

    /// The value of a prefixed attribute with this local name (`r:id`, not `id`): slide ids
    /// carry both a plain `id` and a relationship `r:id`.
    pub(crate) fn attr_ns(&self, local: &str) -> Option<String> {
        self.find_attr(|key| key.contains(':') && local_of(key) == local)
    }

    /// The value of the unprefixed attribute `name`.
    pub(crate) fn attr_plain(&self, name: &str) -> Option<String> {
        self.find_attr(|key| key == name)
    }

    /// An OOXML on/off attribute `val` of a property element: `<w:b/>` and `<w:b w:val="1"/>`
    /// are on, `w:val="0"`/`"false"`/`"off"` off.
    pub(crate) fn flag(&self) -> bool {
        !matches!(
            self.attr("val").as_deref(),
            Some("0" | "false" | "off" | "none")
        )
    }

    fn find_attr(&self, want: impl Fn(&str) -> bool) -> Option<String> {
        let mut attrs = self.start.attributes();
        attrs.with_checks(false);
        for attr in attrs.flatten() {
            if want(attr.key.into_inner()) {
                let value = match attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                    Ok(v) => v.into_owned(),
                    // An unknown entity in an attribute: keep the raw text rather than fail.
                    Err(_) => attr.value.into_owned(),
                };
                return Some(value);
            }
        }
        None
    }
}

/// `w:p` → `p`.
pub(crate) fn local_of(name: &str) -> &str {
    match name.rfind(':') {
        Some(i) => name.get(i + 1..).unwrap_or(name),
        None => name,
    }
}

/// An event of the simplified stream.
pub(crate) enum Ev<'a> {
    /// An element starts (an empty element gives `Start` then `End`).
    Start(Elem<'a>),
    /// The innermost open element ends; [`Xml::depth`] is already decremented.
    End,
    /// Character data, references resolved.
    Text(Cow<'a, str>),
    /// The end of input.
    Eof,
}

/// A streaming reader over one XML part.
pub(crate) struct Xml<'a> {
    reader: Reader<&'a [u8]>,
    depth: usize,
    /// Set after an empty element was returned as `Start`: its `End` is due next.
    pending_end: bool,
    /// The element just started (a cheap borrowed copy), so [`Xml::skip`] can hand its
    /// subtree to quick-xml's fast scan; cleared by any later event.
    last_start: Option<BytesStart<'a>>,
}

impl<'a> Xml<'a> {
    pub(crate) fn new(text: &'a str) -> Xml<'a> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.trim_text(false);
        // Mismatched end tags are reported as errors; truncated parts then stop early with a
        // warning rather than silently mis-nesting.
        config.check_end_names = true;
        Xml {
            reader,
            depth: 0,
            pending_end: false,
            last_start: None,
        }
    }

    /// Nesting depth: after `Start` the started element's depth (root = 1), after `End` the
    /// depth of its parent.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// The next event.
    pub(crate) fn next(&mut self) -> Result<Ev<'a>, XmlError> {
        self.last_start = None;
        if self.pending_end {
            self.pending_end = false;
            self.depth = self.depth.saturating_sub(1);
            return Ok(Ev::End);
        }
        loop {
            let event = self.reader.read_event().map_err(|e| {
                XmlError::Syntax(format!("at byte {}: {e}", self.reader.error_position()))
            })?;
            match event {
                Event::Start(start) => {
                    self.enter()?;
                    self.last_start = Some(start.clone());
                    return Ok(Ev::Start(Elem { start }));
                }
                Event::Empty(start) => {
                    self.enter()?;
                    self.pending_end = true;
                    return Ok(Ev::Start(Elem { start }));
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Ev::End);
                }
                Event::Text(text) => return Ok(Ev::Text(text.xml10_content())),
                Event::CData(data) => return Ok(Ev::Text(data.xml10_content())),
                Event::GeneralRef(reference) => {
                    if let Some(c) = resolve_reference(&reference) {
                        return Ok(Ev::Text(Cow::Owned(c)));
                    }
                    // An entity declared in a DTD (or not at all): never expanded.
                }
                Event::Eof if self.depth > 0 => {
                    return Err(XmlError::Syntax(format!(
                        "the part ends inside an open element at byte {} (truncated?)",
                        self.reader.buffer_position()
                    )));
                }
                Event::Eof => return Ok(Ev::Eof),
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }

    fn enter(&mut self) -> Result<(), XmlError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(XmlError::TooDeep);
        }
        Ok(())
    }

    /// Consume the rest of the element just started (its content and end).
    pub(crate) fn skip(&mut self) -> Result<(), XmlError> {
        if self.pending_end {
            // An empty element: its end is all there is.
            self.next()?;
            return Ok(());
        }
        if let Some(start) = self.last_start.take() {
            // Right after its start: let quick-xml scan to the matching end without events
            // (big geometry and formatting subtrees). No recursion, so no depth risk.
            self.reader.read_to_end(start.name()).map_err(|e| {
                XmlError::Syntax(format!("at byte {}: {e}", self.reader.error_position()))
            })?;
            self.depth = self.depth.saturating_sub(1);
            return Ok(());
        }
        let depth = self.depth;
        loop {
            match self.next()? {
                Ev::End if self.depth < depth => return Ok(()),
                Ev::Eof => return Ok(()),
                Ev::Start(_) | Ev::End | Ev::Text(_) => {}
            }
        }
    }

    /// All character data inside the element just started, consuming it. The end of each
    /// element named in `breaks` (local names, e.g. `p`) adds a newline.
    pub(crate) fn text_of(&mut self, breaks: &[&str]) -> Result<String, XmlError> {
        let mut out = String::new();
        let depth = self.depth;
        let mut open: Vec<bool> = Vec::new();
        loop {
            match self.next()? {
                Ev::Start(e) => open.push(breaks.contains(&e.local())),
                Ev::End => {
                    if self.depth < depth {
                        break;
                    }
                    if open.pop() == Some(true) && !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                }
                Ev::Text(t) => out.push_str(&t),
                Ev::Eof => break,
            }
        }
        // Only the newlines added for `breaks` are dropped at the end: the text itself is kept
        // as is (`<w:t xml:space="preserve"> a </w:t>` must keep its spaces).
        if !breaks.is_empty() {
            let trimmed = out.trim_end_matches('\n').len();
            out.truncate(trimmed);
        }
        Ok(out)
    }
}

/// Tracks `mc:AlternateContent` in flat (non-recursive) readers so only its first `Choice` is
/// read: the `Fallback` repeats the same content for older consumers and would duplicate it.
#[derive(Debug, Default)]
pub(crate) struct Alternates {
    choice_at: Vec<usize>,
}

impl Alternates {
    /// Call on every start with the element's local name and depth; true when the element
    /// must be skipped.
    pub(crate) fn skip_start(&mut self, local: &str, depth: usize) -> bool {
        match local {
            "Choice" if self.choice_at.contains(&depth) => true,
            "Choice" => {
                self.choice_at.push(depth);
                false
            }
            "Fallback" => self.choice_at.contains(&depth),
            _ => false,
        }
    }

    /// Call on every end with the depth after it.
    pub(crate) fn end(&mut self, depth: usize) {
        self.choice_at.retain(|&d| d <= depth + 1);
    }
}

/// `&amp;` → `&`, `&#x41;` → `A`; None for anything else.
fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Option<String> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) => Some(c.to_string()),
            Ok(None) | Err(_) => None,
        };
    }
    quick_xml::escape::resolve_predefined_entity(reference).map(str::to_string)
}

/// The local name of a part's root element (None when there is none or the XML is broken
/// before it): tells a Word main part (`document`) from a presentation or a workbook.
pub(crate) fn root_name(text: &str) -> Option<String> {
    let mut xml = Xml::new(text);
    loop {
        match xml.next().ok()? {
            Ev::Start(e) => return Some(e.local().to_string()),
            Ev::Eof => return None,
            Ev::End | Ev::Text(_) => {}
        }
    }
}

/// Decode a part's bytes to text: UTF-8 (BOM dropped, invalid sequences replaced) or UTF-16
/// with a BOM, which some producers write.
pub(crate) fn decode(mut bytes: Vec<u8>) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let units = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]));
        return char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let units = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]));
        return char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // Valid UTF-8 (the norm) is taken as is, without a copy.
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(xml: &str) -> Result<String, XmlError> {
        let mut x = Xml::new(xml);
        let mut out = String::new();
        loop {
            match x.next()? {
                Ev::Start(e) => {
                    out.push('<');
                    out.push_str(e.local());
                    out.push('>');
                }
                Ev::End => out.push('/'),
                Ev::Text(t) => out.push_str(&t),
                Ev::Eof => return Ok(out),
            }
        }
    }

    #[test]
    fn local_names_empty_elements_and_references() {
        let got = texts(r#"<w:p><w:t>a &amp; b &#x41;&lt;</w:t><w:br/></w:p>"#).unwrap();
        assert_eq!(got, "<p><t>a & b A</<br>//");
    }

    #[test]
    fn attributes_by_local_name() {
        let mut x = Xml::new(r#"<p:sldId id="256" r:id="rId2" w:val="a&amp;b" xmlns:r="urn:r"/>"#);
        let Ev::Start(e) = x.next().unwrap() else {
            panic!("start expected")
        };
        assert_eq!(e.attr_ns("id").as_deref(), Some("rId2"));
        assert_eq!(e.attr_plain("id").as_deref(), Some("256"));
        assert_eq!(e.attr("val").as_deref(), Some("a&b"));
        assert!(e.flag());
    }

    #[test]
    fn entities_of_a_dtd_are_not_expanded() {
        let xml = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"#;
        assert_eq!(texts(xml).unwrap(), "\n\n<lolz>/");
    }

    #[test]
    fn depth_is_capped() {
        let xml = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 5),
            "</a>".repeat(MAX_DEPTH + 5)
        );
        assert_eq!(texts(&xml).unwrap_err(), XmlError::TooDeep);
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(texts(&ok).is_ok());
    }

    #[test]
    fn mismatched_end_is_an_error() {
        assert!(matches!(texts("<a><b></a>"), Err(XmlError::Syntax(_))));
        // A truncated part ends without its end tags: reported, not silently accepted.
        assert!(texts("<a><b>text").is_err());
    }

    #[test]
    fn skip_passes_nested_subtrees_and_empty_elements() {
        let mut x = Xml::new("<r><a><a><b/></a>x</a><e/><c>t</c></r>");
        let Ok(Ev::Start(_)) = x.next() else {
            panic!("start expected")
        };
        let Ok(Ev::Start(a)) = x.next() else {
            panic!("start expected")
        };
        assert_eq!(a.local(), "a");
        x.skip().unwrap();
        assert_eq!(x.depth(), 1);
        let Ok(Ev::Start(e)) = x.next() else {
            panic!("start expected")
        };
        assert_eq!(e.local(), "e");
        x.skip().unwrap();
        assert_eq!(x.depth(), 1);
        let Ok(Ev::Start(c)) = x.next() else {
            panic!("start expected")
        };
        assert_eq!(c.local(), "c");
        assert_eq!(x.text_of(&[]).unwrap(), "t");
        assert_eq!(x.depth(), 1);
        // Skipping after reading into the element falls back to counting events.
        let mut y = Xml::new("<r><a><b>1</b><b>2</b></a><z/></r>");
        for _ in 0..3 {
            y.next().unwrap();
        }
        assert_eq!(y.depth(), 3);
        y.skip().unwrap();
        assert_eq!(y.depth(), 2);
        // A truncated subtree is an error, not an endless scan.
        let mut t = Xml::new("<r><a><b>");
        t.next().unwrap();
        t.next().unwrap();
        assert!(t.skip().is_err());
    }

    #[test]
    fn text_of_breaks_paragraphs() {
        let mut x = Xml::new("<tx><a:p><a:t>one</a:t></a:p><a:p><a:t>two</a:t></a:p></tx>");
        let Ok(Ev::Start(_)) = x.next() else {
            panic!("start expected")
        };
        assert_eq!(x.text_of(&["p"]).unwrap(), "one\ntwo");
    }

    #[test]
    fn utf16_parts_decode() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "<a>é</a>".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(bytes), "<a>é</a>");
        assert_eq!(
            decode(b"\xEF\xBB\xBF<a>\xFF</a>".to_vec()),
            "<a>\u{FFFD}</a>"
        );
    }
}
