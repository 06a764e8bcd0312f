//! Paragraphs and their runs: text, tabs and breaks, hyperlinks (relationship and field
//! based), tracked insertions and deletions, note and comment references, fields, and the
//! things anchored in a paragraph (text boxes, images, charts, SmartArt) which follow it.

use cowork_docmodel::{Block, ListMarker, NoteKind};

use super::body::{Body, blocks_to_text};
use crate::xml::{Ev, XmlError};

/// A complex field (`fldChar begin … separate … end`) being read.
struct Field {
    instr: String,
    /// Where the field's shown result starts in the paragraph text.
    result_start: Option<usize>,
}

/// The paragraph being read.
#[derive(Default)]
pub(crate) struct Para {
    /// The text with inline `<ins>`/`<del>` markers.
    text: String,
    /// The text without revision markers (for a paragraph that is one revision).
    raw: String,
    style: Option<String>,
    num_id: Option<String>,
    ilvl: Option<u8>,
    outline: Option<u8>,
    /// Blocks anchored in the paragraph, shown after it.
    attached: Vec<Block>,
    /// Visible characters outside / inside insertions / inside deletions.
    plain: usize,
    inserted: usize,
    deleted: usize,
    author: Option<String>,
    /// The revision being read: (inserted?, author).
    rev: Option<(bool, Option<String>)>,
    /// The inline marker currently open in `text`.
    open_mark: Option<bool>,
    fields: Vec<Field>,
}

impl Para {
    fn push_text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        let want = self.rev.as_ref().map(|(ins, _)| *ins);
        if want != self.open_mark {
            self.close_mark();
            match want {
                Some(true) => self.text.push_str("<ins>"),
                Some(false) => self.text.push_str("<del>"),
                None => {}
            }
            self.open_mark = want;
        }
        self.text.push_str(s);
        self.raw.push_str(s);
        let visible = s.chars().filter(|c| !c.is_whitespace()).count();
        match &self.rev {
            None => self.plain += visible,
            Some((true, author)) => {
                self.inserted += visible;
                self.author = self.author.take().or_else(|| author.clone());
            }
            Some((false, author)) => {
                self.deleted += visible;
                self.author = self.author.take().or_else(|| author.clone());
            }
        }
    }

    fn close_mark(&mut self) {
        match self.open_mark.take() {
            Some(true) => self.text.push_str("</ins>"),
            Some(false) => self.text.push_str("</del>"),
            None => {}
        }
    }

    /// Make the text from byte `start` a Markdown link to `url`.
    fn link(&mut self, start: usize, url: &str) {
        if start >= self.text.len() || !self.text.is_char_boundary(start) {
            return;
        }
        let label = self.text.split_off(start);
        let label = label.trim();
        if label.is_empty() {
            return;
        }
        let label = label.replace('[', "\\[").replace(']', "\\]");
        if url.contains([' ', '(', ')']) {
            self.text.push_str(&format!("[{label}](<{url}>)"));
        } else {
            self.text.push_str(&format!("[{label}]({url})"));
        }
    }
}

impl Body<'_, '_, '_, '_> {
    /// A `w:p` just started: read it and push its block and the blocks anchored in it.
    pub(crate) fn paragraph(&mut self, out: &mut Vec<Block>) -> Result<(), XmlError> {
        let mut para = Para::default();
        let read = self.inline(&mut para);
        // Even a paragraph cut short by damaged XML is shown.
        self.finish_paragraph(para, out);
        read
    }

    /// Runs at block level (malformed input): one paragraph of their text.
    pub(crate) fn loose_runs(&mut self, out: &mut Vec<Block>) -> Result<(), XmlError> {
        let mut para = Para::default();
        let read = self.inline(&mut para);
        self.finish_paragraph(para, out);
        read
    }

    fn finish_paragraph(&mut self, mut para: Para, out: &mut Vec<Block>) {
        para.close_mark();
        let ctx = &mut *self.ctx;
        let heading = match para.outline {
            Some(level) => (level < 9).then_some(level + 1),
            None => ctx.styles.heading_level(para.style.as_deref()),
        };
        let numbering = match (&para.num_id, para.ilvl) {
            (Some(id), ilvl) => Some((id.clone(), ilvl.unwrap_or(0))),
            (None, Some(ilvl)) => ctx
                .styles
                .numbering(para.style.as_deref())
                .map(|(id, _)| (id, ilvl)),
            (None, None) => ctx.styles.numbering(para.style.as_deref()),
        };
        // Counted even for an empty paragraph: Word shows (and counts) its number.
        let marker = numbering
            .filter(|(id, _)| id != "0")
            .and_then(|(id, ilvl)| ctx.counters.next(&id, ilvl, ctx.styles));
        let text = para.text.trim();
        if !text.is_empty() {
            let block = match (heading, marker) {
                (Some(level), marker) => {
                    let text = match marker {
                        Some((_, ListMarker::Number(n))) => format!("{n} {text}"),
                        _ => text.to_string(),
                    };
                    Block::heading(level.min(6), text)
                }
                (None, Some((depth, marker))) => Block::ListItem {
                    depth,
                    marker,
                    text: text.to_string(),
                },
                (None, None) if para.plain == 0 && (para.inserted == 0) != (para.deleted == 0) => {
                    Block::Revision {
                        inserted: para.inserted > 0,
                        author: para.author.clone(),
                        text: para.raw.trim().to_string(),
                    }
                }
                (None, None) => Block::paragraph(text),
            };
            out.push(block);
        }
        out.append(&mut para.attached);
    }

    /// Paragraph content inside the element just started, up to its end.
    fn inline(&mut self, para: &mut Para) -> Result<(), XmlError> {
        let depth = self.xml.depth();
        loop {
            let e = match self.xml.next()? {
                Ev::Start(e) => e,
                Ev::End if self.xml.depth() < depth => return Ok(()),
                Ev::Eof => return Ok(()),
                Ev::End | Ev::Text(_) => continue,
            };
            match e.local() {
                "t" | "delText" => {
                    let text = self.xml.text_of(&[])?;
                    para.push_text(&text);
                }
                "pPr" => self.paragraph_props(para)?,
                "tab" | "ptab" => para.push_text("\t"),
                "br" => match e.attr("type").as_deref() {
                    Some("page" | "column") => para.push_text(" "),
                    _ => para.push_text("\n"),
                },
                "cr" => para.push_text("\n"),
                "noBreakHyphen" => para.push_text("-"),
                "sym" => {
                    let c = e
                        .attr("char")
                        .and_then(|h| u32::from_str_radix(&h, 16).ok())
                        .and_then(char::from_u32)
                        // Symbol-font glyphs sit in the private use area: no meaning as text.
                        .filter(|c| !('\u{E000}'..='\u{F8FF}').contains(c));
                    if let Some(c) = c {
                        para.push_text(&c.to_string());
                    }
                }
                "footnoteReference" | "endnoteReference" => {
                    let endnote = e.local() == "endnoteReference";
                    if let Some(id) = e.attr("id") {
                        let label = self.ctx.notes.reference(endnote, &id);
                        para.push_text(&format!("[^{label}]"));
                    }
                }
                "commentReference" => {
                    if let Some(id) = e.attr("id")
                        && let Some(note) = self.ctx.take_comment(&id)
                    {
                        para.attached.push(note);
                    }
                }
                "ins" | "moveTo" | "del" | "moveFrom" => {
                    let inserted = matches!(e.local(), "ins" | "moveTo");
                    let saved = para.rev.replace((inserted, e.attr("author")));
                    let read = self.inline(para);
                    para.rev = saved;
                    read?;
                }
                "hyperlink" => {
                    let url = e.attr_ns("id").and_then(|id| {
                        self.ctx
                            .rels
                            .get(&id)
                            .filter(|r| r.external)
                            .map(|r| r.target.clone())
                    });
                    let start = para.text.len();
                    self.inline(para)?;
                    if let Some(url) = url {
                        para.close_mark();
                        para.link(start, &url);
                    }
                }
                "fldSimple" => {
                    let instr = e.attr("instr").unwrap_or_default();
                    let start = para.text.len();
                    self.inline(para)?;
                    if let Some(url) = hyperlink_field(&instr) {
                        para.close_mark();
                        para.link(start, &url);
                    }
                }
                "fldChar" => self.field_char(para, e.attr("fldCharType").as_deref()),
                "instrText" => {
                    let text = self.xml.text_of(&[])?;
                    if let Some(field) = para.fields.last_mut()
                        && field.result_start.is_none()
                    {
                        field.instr.push_str(&text);
                    }
                }
                "oMath" => {
                    let math = self.math()?;
                    para.push_text(&format!("${}$", math.trim()));
                }
                "oMathPara" => {
                    let math = self.math()?;
                    para.push_text(&format!("$${}$$", math.trim()));
                }
                "drawing" | "pict" | "object" => self.graphic(para)?,
                "txbxContent" => self.text_box(para)?,
                "AlternateContent" => self.alternate_inline(para)?,
                // No visible text: properties, change records, field data, note marks (the
                // note carries its label), the separator lines of the notes part.
                "rPr"
                | "rPrChange"
                | "pPrChange"
                | "sdtPr"
                | "sdtEndPr"
                | "delInstrText"
                | "fldData"
                | "footnoteRef"
                | "endnoteRef"
                | "annotationRef"
                | "separator"
                | "continuationSeparator"
                | "customXmlPr"
                | "smartTagPr" => self.xml.skip()?,
                _ => self.inline(para)?,
            }
        }
    }

    fn paragraph_props(&mut self, para: &mut Para) -> Result<(), XmlError> {
        let depth = self.xml.depth();
        loop {
            match self.xml.next()? {
                Ev::Start(e) => match e.local() {
                    "pStyle" => para.style = e.attr("val"),
                    "numId" => para.num_id = e.attr("val"),
                    "ilvl" => para.ilvl = e.attr("val").and_then(|v| v.parse().ok()),
                    "outlineLvl" => para.outline = e.attr("val").and_then(|v| v.parse().ok()),
                    "sectPr" => {
                        // Section properties end a section here; the body reader records
                        // header and footer references from them.
                        self.section()?;
                    }
                    "rPr" | "pPrChange" | "tabs" | "framePr" => self.xml.skip()?,
                    _ => {}
                },
                Ev::End if self.xml.depth() < depth => return Ok(()),
                Ev::Eof => return Ok(()),
                Ev::End | Ev::Text(_) => {}
            }
        }
    }

    fn field_char(&mut self, para: &mut Para, kind: Option<&str>) {
        match kind {
            // Bounded: a hostile part may open fields without end.
            Some("begin") if para.fields.len() < 64 => {
                para.fields.push(Field {
                    instr: String::new(),
                    result_start: None,
                });
            }
            Some("separate") => {
                if let Some(field) = para.fields.last_mut() {
                    field.result_start = Some(para.text.len());
                }
            }
            Some("end") => {
                if let Some(field) = para.fields.pop()
                    && let (Some(start), Some(url)) =
                        (field.result_start, hyperlink_field(&field.instr))
                {
                    para.close_mark();
                    para.link(start, &url);
                }
            }
            _ => {}
        }
    }

    /// A drawing, VML picture or embedded object: images (with alt text), charts, SmartArt
    /// text and text boxes inside it.
    fn graphic(&mut self, para: &mut Para) -> Result<(), XmlError> {
        let depth = self.xml.depth();
        let mut alt: Option<String> = None;
        let mut image: Option<String> = None;
        let mut chosen: Vec<usize> = Vec::new();
        loop {
            let e = match self.xml.next()? {
                Ev::Start(e) => e,
                Ev::End => {
                    if self.xml.depth() < depth {
                        break;
                    }
                    chosen.retain(|&d| d <= self.xml.depth() + 1);
                    continue;
                }
                Ev::Eof => break,
                Ev::Text(_) => continue,
            };
            let d = self.xml.depth();
            match e.local() {
                "Choice" | "Fallback" if chosen.contains(&d) => self.xml.skip()?,
                "Choice" | "Fallback" => chosen.push(d),
                "docPr" | "cNvPr" => {
                    alt = alt.or_else(|| {
                        e.attr_plain("descr")
                            .or_else(|| e.attr_plain("title"))
                            .filter(|a| !a.trim().is_empty())
                    });
                }
                "blip" | "imagedata" => {
                    let id = e.attr_ns("embed").or_else(|| e.attr_ns("id"));
                    image = image.or_else(|| {
                        id.and_then(|id| {
                            self.ctx.rels.target_of(&id, &["image"]).map(str::to_string)
                        })
                    });
                    if e.local() == "imagedata" {
                        alt = alt.or_else(|| e.attr("title").filter(|t| !t.trim().is_empty()));
                    }
                }
                "chart" => {
                    if let Some(id) = e.attr_ns("id")
                        && let Some(table) = self.ctx.chart(&id)
                    {
                        para.attached.push(Block::Table(table));
                    }
                }
                "relIds" => {
                    if let Some(id) = e.attr_ns("dm")
                        && let Some(text) = self.ctx.diagram(&id)
                    {
                        para.attached.push(Block::paragraph(text));
                    }
                }
                "txbxContent" => self.text_box(para)?,
                "OLEObject" => self.ctx.skipped("an embedded OLE object"),
                // Geometry and formatting: no text, sometimes most of the bytes.
                "custGeom" | "prstGeom" | "ln" | "solidFill" | "gradFill" | "pattFill"
                | "effectLst" | "scene3d" | "sp3d" | "extLst" | "style" | "bodyPr" => {
                    self.xml.skip()?
                }
                _ => {}
            }
        }
        if let Some(target) = image {
            para.attached.push(Block::Image {
                alt: alt.unwrap_or_default(),
                target: Some(target),
            });
        }
        Ok(())
    }

    /// A text box's content as one note anchored in the paragraph.
    fn text_box(&mut self, para: &mut Para) -> Result<(), XmlError> {
        let mut blocks = Vec::new();
        self.blocks(&mut blocks)?;
        // Things anchored in the box's own paragraphs follow the box.
        let (anchored, content): (Vec<Block>, Vec<Block>) = blocks
            .into_iter()
            .partition(|b| matches!(b, Block::Note { .. } | Block::Image { .. }));
        let text = blocks_to_text(&content);
        if !text.trim().is_empty() {
            para.attached.push(Block::Note {
                kind: NoteKind::TextBox,
                label: None,
                text,
            });
        }
        para.attached.extend(anchored);
        Ok(())
    }

    /// `mc:AlternateContent` among runs: the first `Choice` only (the `Fallback` repeats it).
    fn alternate_inline(&mut self, para: &mut Para) -> Result<(), XmlError> {
        let depth = self.xml.depth();
        let mut chosen = false;
        loop {
            match self.xml.next()? {
                Ev::Start(e) => {
                    if !chosen && matches!(e.local(), "Choice" | "Fallback") {
                        chosen = true;
                        self.inline(para)?;
                    } else {
                        self.xml.skip()?;
                    }
                }
                Ev::End if self.xml.depth() < depth => return Ok(()),
                Ev::Eof => return Ok(()),
                Ev::End | Ev::Text(_) => {}
            }
        }
    }
}

/// The URL of a `HYPERLINK "url"` field instruction (None for internal `\l` links).
pub(crate) fn hyperlink_field(instr: &str) -> Option<String> {
    let rest = instr.trim().strip_prefix("HYPERLINK")?.trim();
    if rest.starts_with("\\l") {
        return None;
    }
    let url = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split_whitespace().next()?,
    };
    let url = url.trim();
    (!url.is_empty()).then(|| url.to_string())
}
