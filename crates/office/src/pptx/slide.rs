//! One slide into a [`Part`]: shapes in reading order (title first, then top to bottom, left
//! to right, using the layout's placeholder positions where a shape inherits its place),
//! bulleted and numbered paragraphs as list items, tables, charts as tables, pictures with
//! their alt text, then the speaker notes and comments.

use std::collections::HashMap;

use cowork_docmodel::{Block, DocError, Document, Format, ListMarker, NoteKind, Part, PartKind};

use super::Deck;
use super::shapes::{Bullet, Content, Placeholder, Shape, ShapeReader, TextPara};
use crate::docx::format_number;
use crate::opc::Rels;
use crate::xml::{Ev, Xml, XmlError};

/// Where a layout (or master) puts its placeholders: by index and by type.
#[derive(Debug, Default, Clone)]
pub(crate) struct Positions {
    /// The layout or master part these come from.
    pub(crate) part: String,
    by_idx: HashMap<String, (i64, i64)>,
    by_type: HashMap<String, (i64, i64)>,
    /// Text of shapes that are not placeholders: shown on every slide using the part.
    pub(crate) decoration: Vec<String>,
}

impl Positions {
    pub(crate) fn from_shapes(part: &str, shapes: &[Shape]) -> Positions {
        let mut out = Positions {
            part: part.to_string(),
            ..Positions::default()
        };
        for shape in shapes {
            if shape.ph.is_none()
                && let Content::Text(paras) = &shape.content
            {
                // "‹#›" is a slide-number field's prompt: no text of its own.
                out.decoration.extend(
                    paras
                        .iter()
                        .map(|p| p.text.trim().to_string())
                        .filter(|t| !t.is_empty() && t != "‹#›"),
                );
            }
            if let (Some(ph), Some(pos)) = (&shape.ph, shape.pos) {
                if let Some(idx) = &ph.idx {
                    out.by_idx.entry(idx.clone()).or_insert(pos);
                }
                out.by_type.entry(ph.kind.clone()).or_insert(pos);
            }
        }
        out
    }

    fn find(&self, ph: &Placeholder) -> Option<(i64, i64)> {
        ph.idx
            .as_ref()
            .and_then(|i| self.by_idx.get(i))
            .or_else(|| self.by_type.get(&ph.kind))
            .or_else(|| match ph.kind.as_str() {
                "obj" => self.by_type.get("body"),
                "ctrTitle" => self.by_type.get("title"),
                _ => None,
            })
            .copied()
    }
}

/// Read slide `number` (1-based) from part `target`.
pub(crate) fn read_slide(
    deck: &mut Deck<'_, '_>,
    number: usize,
    target: &str,
    doc: &mut Document,
) -> Result<Part, DocError> {
    let mut part = Part::new(PartKind::Slide, number);
    let Some(text) = deck.pkg.read_optional(target, doc)? else {
        doc.warn(Some(number), format!("the slide part {target} is missing"));
        return Ok(part);
    };
    let rels = deck.pkg.rels(target, doc)?;
    let (mut shapes, hidden) = match ShapeReader::new(&text, &rels).read() {
        Ok(read) => read,
        Err(e) => return deep_or_warn(e, target, number, doc).map(|()| part),
    };
    if hidden {
        doc.warn(Some(number), "hidden slide (skipped in a slide show)");
    }
    let layout = match rels.first_of("slideLayout") {
        Some(rel) => deck.positions(&rel.target.clone(), doc)?,
        None => (Positions::default(), Positions::default()),
    };
    place(&mut shapes, &layout);
    order(&mut shapes);
    for shape in shapes {
        if let (Some(ph), Content::Text(paras)) = (&shape.ph, &shape.content)
            && ph.is_title()
            && part.name.is_none()
        {
            let title = paras
                .iter()
                .map(|p| p.text.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if !title.is_empty() {
                part.name = Some(title);
                continue;
            }
        }
        render(deck, &rels, shape, &mut part.blocks, doc)?;
    }
    // Text on the layout or master (not a placeholder prompt) shows on every slide using
    // it: given once, on the first such slide read.
    for (positions, label) in [(&layout.0, "slide layout"), (&layout.1, "slide master")] {
        if !positions.decoration.is_empty() && deck.shown.insert(positions.part.clone()) {
            part.blocks.push(Block::Note {
                kind: NoteKind::Annotation,
                label: Some(format!("on every slide ({label})")),
                text: positions.decoration.join("\n"),
            });
        }
    }
    if let Some(rel) = rels.first_of("notesSlide") {
        let notes = rel.target.clone();
        if let Some(text) = speaker_notes(deck, &notes, number, doc)? {
            part.blocks.push(Block::Note {
                kind: NoteKind::SpeakerNotes,
                label: None,
                text,
            });
        }
    }
    for rel in rels
        .list
        .iter()
        .filter(|r| r.kind == "comments" && !r.external)
    {
        let Some(text) = deck.pkg.read_optional(&rel.target, doc)? else {
            continue;
        };
        match comments(&text, &deck.authors) {
            Ok(notes) => part.blocks.extend(notes),
            Err(e) => deep_or_warn(e, &rel.target, number, doc)?,
        }
    }
    Ok(part)
}

/// Too deep is hostile (an error); other damage loses that part only (a warning).
fn deep_or_warn(
    e: XmlError,
    part: &str,
    number: usize,
    doc: &mut Document,
) -> Result<(), DocError> {
    match e {
        XmlError::TooDeep => Err(DocError::corrupt(Format::Pptx, format!("{part}: {e}"))),
        XmlError::Syntax(_) => {
            doc.warn(Some(number), format!("{part} skipped: {e}"));
            Ok(())
        }
    }
}

/// Shapes that inherit their place from the layout get it from there.
fn place(shapes: &mut [Shape], (layout, master): &(Positions, Positions)) {
    for shape in shapes {
        if shape.pos.is_none()
            && let Some(ph) = &shape.ph
        {
            shape.pos = layout.find(ph).or_else(|| master.find(ph));
        }
    }
}

/// Reading order: titles first, then top to bottom, left to right; file order breaks ties.
fn order(shapes: &mut [Shape]) {
    shapes.sort_by_key(|s| {
        let title = s.ph.as_ref().is_some_and(Placeholder::is_title);
        let (y, x) = s.pos.unwrap_or((i64::MAX, i64::MAX));
        (!title, y, x)
    });
}

fn render(
    deck: &mut Deck<'_, '_>,
    rels: &Rels,
    shape: Shape,
    out: &mut Vec<Block>,
    doc: &mut Document,
) -> Result<(), DocError> {
    match shape.content {
        Content::Text(paras) => {
            // Slide numbers, dates and footers are shown on the slide: kept.
            text_blocks(&paras, &shape.ph.unwrap_or_default(), out);
        }
        Content::Table(table) => out.push(Block::Table(table)),
        Content::Chart(id) => {
            if let Some(target) = rels.target_of(&id, &["chart"]) {
                let target = target.to_string();
                if let Some(text) = deck.pkg.read_optional(&target, doc)? {
                    match crate::chart::chart_table(&text) {
                        Ok(Some(table)) => out.push(Block::Table(table)),
                        Ok(None) => deck.skip("a chart without cached data"),
                        Err(e) => doc.warn(None, format!("chart {target} unreadable: {e}")),
                    }
                }
            }
        }
        Content::Diagram(id) => {
            if let Some(target) = rels.target_of(&id, &["diagramData"]) {
                let target = target.to_string();
                if let Some(text) = deck.pkg.read_optional(&target, doc)? {
                    let mut xml = Xml::new(&text);
                    match xml.text_of(&["p"]) {
                        Ok(text) if !text.trim().is_empty() => out.push(Block::paragraph(
                            text.lines()
                                .map(str::trim)
                                .filter(|l| !l.is_empty())
                                .collect::<Vec<_>>()
                                .join("\n"),
                        )),
                        Ok(_) => {}
                        Err(e) => doc.warn(None, format!("diagram {target} unreadable: {e}")),
                    }
                }
            }
        }
        Content::Image { alt, target } => out.push(Block::Image { alt, target }),
        Content::Group(mut children) => {
            order(&mut children);
            for child in children {
                render(deck, rels, child, out, doc)?;
            }
        }
        Content::Object => deck.skip("an embedded OLE object"),
        Content::Empty => {}
    }
    Ok(())
}

/// A text frame's paragraphs: list items where bulleted or numbered, paragraphs otherwise.
/// `ph` is the shape's placeholder role (the default, empty role for a plain text box).
fn text_blocks(paras: &[TextPara], ph: &Placeholder, out: &mut Vec<Block>) {
    let bulleted_by_default = ph.is_body();
    let plain_only = matches!(ph.kind.as_str(), "title" | "ctrTitle" | "subTitle");
    // Auto-number counters per level: (scheme, last value).
    let mut counters: [Option<(String, i64)>; 9] = Default::default();
    for para in paras {
        let text = para.text.trim();
        if text.is_empty() {
            continue;
        }
        let level = usize::from(para.level).min(8);
        let list = !plain_only
            && match &para.bullet {
                Bullet::Inherit => bulleted_by_default,
                Bullet::None => false,
                Bullet::Char | Bullet::Auto(..) => true,
            };
        if !list {
            for slot in counters.iter_mut().skip(level) {
                *slot = None;
            }
            out.push(Block::paragraph(text));
            continue;
        }
        let marker = match &para.bullet {
            Bullet::Auto(scheme, start) => {
                let value = match counters.get(level).cloned().flatten() {
                    Some((s, v)) if s == *scheme => v.saturating_add(1),
                    _ => *start,
                };
                if let Some(slot) = counters.get_mut(level) {
                    *slot = Some((scheme.clone(), value));
                }
                for slot in counters.iter_mut().skip(level + 1) {
                    *slot = None;
                }
                ListMarker::Number(auto_number(scheme, value))
            }
            Bullet::Inherit | Bullet::None | Bullet::Char => {
                for slot in counters.iter_mut().skip(level) {
                    *slot = None;
                }
                ListMarker::Bullet
            }
        };
        out.push(Block::ListItem {
            depth: para.level,
            marker,
            text: text.to_string(),
        });
    }
}

/// A `buAutoNum` label: `arabicPeriod` 3 → "3.", `alphaLcParenR` 2 → "b)", `romanUcPeriod`
/// 4 → "IV.".
fn auto_number(scheme: &str, value: i64) -> String {
    let (format, rest) = [
        ("arabic", "decimal"),
        ("alphaLc", "lowerLetter"),
        ("alphaUc", "upperLetter"),
        ("romanLc", "lowerRoman"),
        ("romanUc", "upperRoman"),
    ]
    .iter()
    .find_map(|(prefix, format)| scheme.strip_prefix(prefix).map(|rest| (*format, rest)))
    .unwrap_or(("decimal", "Period"));
    let n = format_number(value, format, None);
    match rest {
        "ParenR" => format!("{n})"),
        "ParenBoth" => format!("({n})"),
        "Plain" => n,
        "Minus" => format!("- {n} -"),
        _ => format!("{n}."),
    }
}

/// The text of a notes page's body placeholder(s).
fn speaker_notes(
    deck: &mut Deck<'_, '_>,
    target: &str,
    number: usize,
    doc: &mut Document,
) -> Result<Option<String>, DocError> {
    let Some(text) = deck.pkg.read_optional(target, doc)? else {
        return Ok(None);
    };
    let shapes = match ShapeReader::new(&text, &Rels::default()).read() {
        Ok((shapes, _)) => shapes,
        Err(e) => {
            deep_or_warn(e, target, number, doc)?;
            return Ok(None);
        }
    };
    let mut lines = Vec::new();
    for shape in &shapes {
        let body = shape.ph.as_ref().is_none_or(|ph| ph.is_body());
        if let (true, Content::Text(paras)) = (body, &shape.content) {
            lines.extend(
                paras
                    .iter()
                    .map(|p| p.text.trim().to_string())
                    .filter(|t| !t.is_empty()),
            );
        }
    }
    Ok((!lines.is_empty()).then(|| lines.join("\n")))
}

/// Comments of a slide (legacy `p:cm` with `p:text`, or modern comments with a text body).
fn comments(text: &str, authors: &HashMap<String, String>) -> Result<Vec<Block>, XmlError> {
    let mut out = Vec::new();
    let mut xml = Xml::new(text);
    let mut current: Option<(Option<String>, String, usize)> = None;
    loop {
        match xml.next()? {
            Ev::Start(e) if e.local() == "cm" && current.is_none() => {
                let author = e
                    .attr_plain("authorId")
                    .and_then(|id| authors.get(&id).cloned());
                current = Some((author, String::new(), xml.depth()));
            }
            Ev::Start(e) if matches!(e.local(), "text" | "txBody") => {
                drop(e);
                let text = xml.text_of(&["p"])?;
                if let Some((_, body, _)) = current.as_mut() {
                    if !body.is_empty() {
                        body.push('\n');
                    }
                    body.push_str(text.trim());
                }
            }
            Ev::End => {
                if let Some((author, body, depth)) = current.take() {
                    if xml.depth() < depth {
                        if !body.trim().is_empty() {
                            out.push(Block::Note {
                                kind: NoteKind::Comment,
                                label: author,
                                text: body,
                            });
                        }
                    } else {
                        current = Some((author, body, depth));
                    }
                }
            }
            Ev::Eof => return Ok(out),
            Ev::Start(_) | Ev::Text(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_numbers() {
        assert_eq!(auto_number("arabicPeriod", 3), "3.");
        assert_eq!(auto_number("alphaLcParenR", 2), "b)");
        assert_eq!(auto_number("romanUcPeriod", 4), "IV.");
        assert_eq!(auto_number("arabicParenBoth", 1), "(1)");
        assert_eq!(auto_number("weird", 5), "5.");
    }

    #[test]
    fn legacy_comments_with_authors() {
        let authors = HashMap::from([("1".to_string(), "Ann".to_string())]);
        let xml = r#"<p:cmLst><p:cm authorId="1" idx="1"><p:pos x="1" y="2"/><p:text>Fix this</p:text></p:cm><p:cm authorId="9"><p:text>Anon</p:text></p:cm></p:cmLst>"#;
        let notes = comments(xml, &authors).unwrap();
        assert_eq!(
            notes,
            vec![
                Block::Note {
                    kind: NoteKind::Comment,
                    label: Some("Ann".into()),
                    text: "Fix this".into()
                },
                Block::Note {
                    kind: NoteKind::Comment,
                    label: None,
                    text: "Anon".into()
                }
            ]
        );
    }
}
