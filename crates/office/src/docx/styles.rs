//! Paragraph styles (`styles.xml`): which styles are headings and which carry list numbering,
//! following `basedOn` inheritance.

use std::collections::HashMap;

use crate::xml::{Ev, Xml, XmlError};

/// How long a `basedOn` chain may be followed: real chains are a handful long; a cycle must
/// not loop forever.
const MAX_CHAIN: usize = 32;

/// One paragraph style as declared (inheritance not applied).
#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    num_id: Option<String>,
    ilvl: Option<u8>,
}

/// The paragraph styles of a document.
#[derive(Debug, Default)]
pub(crate) struct Styles {
    by_id: HashMap<String, Style>,
    /// The style of paragraphs that name none.
    default: Option<String>,
}

impl Styles {
    pub(crate) fn parse(text: &str) -> Result<Styles, XmlError> {
        let mut styles = Styles::default();
        let mut xml = Xml::new(text);
        loop {
            match xml.next()? {
                Ev::Start(e) if e.local() == "style" => {
                    let paragraph = e.attr("type").is_none_or(|t| t == "paragraph");
                    let id = e.attr("styleId");
                    let is_default = e.attr("default").is_some_and(|v| v == "1" || v == "true");
                    let (true, Some(id)) = (paragraph, id) else {
                        xml.skip()?;
                        continue;
                    };
                    let style = parse_style(&mut xml)?;
                    if is_default {
                        styles.default = Some(id.clone());
                    }
                    styles.by_id.insert(id, style);
                }
                Ev::Eof => return Ok(styles),
                Ev::Start(_) | Ev::End | Ev::Text(_) => {}
            }
        }
    }

    /// The chain of styles from `id` (or the default style) through `basedOn`.
    fn chain<'s>(&'s self, id: Option<&'s str>) -> impl Iterator<Item = &'s Style> + 's {
        let mut next = id.or(self.default.as_deref());
        std::iter::from_fn(move || {
            let style = self.by_id.get(next?)?;
            next = style.based_on.as_deref();
            Some(style)
        })
        .take(MAX_CHAIN)
    }

    /// The heading level (1–9) a paragraph of style `id` has: an outline level set on the
    /// style or inherited, or a built-in name ("heading 2", "Title").
    pub(crate) fn heading_level(&self, id: Option<&str>) -> Option<u8> {
        for style in self.chain(id) {
            if let Some(level) = style.outline {
                // Outline level 9 is explicitly "body text".
                return (level < 9).then_some(level + 1);
            }
            let name = style.name.to_ascii_lowercase();
            if let Some(n) = name.strip_prefix("heading ")
                && let Ok(n) = n.trim().parse::<u8>()
                && (1..=9).contains(&n)
            {
                return Some(n);
            }
            if name == "title" {
                return Some(1);
            }
        }
        None
    }

    /// The numbering (num id, level) a paragraph of style `id` inherits, if any.
    pub(crate) fn numbering(&self, id: Option<&str>) -> Option<(String, u8)> {
        let mut ilvl = None;
        for style in self.chain(id) {
            if ilvl.is_none() {
                ilvl = style.ilvl;
            }
            if let Some(num) = &style.num_id {
                return Some((num.clone(), ilvl.unwrap_or(0)));
            }
        }
        None
    }

    /// The num id a numbering style (`numStyleLink`) points to.
    pub(crate) fn style_num_id(&self, id: &str) -> Option<String> {
        self.chain(Some(id)).find_map(|s| s.num_id.clone())
    }
}

fn parse_style(xml: &mut Xml<'_>) -> Result<Style, XmlError> {
    let mut style = Style::default();
    let depth = xml.depth();
    loop {
        match xml.next()? {
            Ev::Start(e) => match e.local() {
                "name" => style.name = e.attr("val").unwrap_or_default(),
                "basedOn" => style.based_on = e.attr("val"),
                "outlineLvl" => style.outline = e.attr("val").and_then(|v| v.parse().ok()),
                "numId" => style.num_id = e.attr("val"),
                "ilvl" => style.ilvl = e.attr("val").and_then(|v| v.parse().ok()),
                // Properties of tracked changes and run/table formatting: not ours.
                "pPrChange" | "rPr" | "tblPr" | "tcPr" | "trPr" | "tblStylePr" => xml.skip()?,
                _ => {}
            },
            Ev::End if xml.depth() < depth => return Ok(style),
            Ev::Eof => return Ok(style),
            Ev::End | Ev::Text(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_by_name_outline_and_inheritance() {
        let text = r#"<w:styles>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="MyHead"><w:name w:val="My head"/><w:basedOn w:val="Heading2"/></w:style>
<w:style w:type="paragraph" w:styleId="Outline"><w:name w:val="x"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Loop"><w:name w:val="loop"/><w:basedOn w:val="Loop"/></w:style>
<w:style w:type="paragraph" w:styleId="ListNum"><w:name w:val="List Number"/><w:pPr><w:numPr><w:numId w:val="7"/></w:numPr></w:pPr></w:style>
<w:style w:type="character" w:styleId="Heading1Char"><w:name w:val="heading 1"/></w:style>
</w:styles>"#;
        let s = Styles::parse(text).unwrap();
        assert_eq!(s.heading_level(Some("Heading2")), Some(2));
        assert_eq!(s.heading_level(Some("MyHead")), Some(2));
        assert_eq!(s.heading_level(Some("Outline")), Some(3));
        assert_eq!(s.heading_level(Some("Loop")), None);
        assert_eq!(s.heading_level(None), None);
        assert_eq!(s.heading_level(Some("Heading1Char")), None);
        assert_eq!(s.numbering(Some("ListNum")), Some(("7".to_string(), 0)));
    }
}
