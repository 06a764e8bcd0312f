//! The shape tree of a slide, layout or notes page (`p:spTree`): shapes with their placeholder
//! role, position and content — text frames, tables, pictures, charts, SmartArt and groups.
//! Charts and diagrams are returned as relationship ids; the caller reads those parts.

use cowork_docmodel::Table;

use crate::opc::Rels;
use crate::xml::{Ev, Xml, XmlError};

/// Groups nested deeper than this are read as flat text (hostile decks nest thousands).
const MAX_GROUP_DEPTH: usize = 32;

/// A placeholder role (`p:ph`): `title`, `ctrTitle`, `subTitle`, `body`, `obj`, `sldNum` …
#[derive(Debug, Clone, Default)]
pub(crate) struct Placeholder {
    pub(crate) kind: String,
    pub(crate) idx: Option<String>,
}

impl Placeholder {
    pub(crate) fn is_title(&self) -> bool {
        matches!(self.kind.as_str(), "title" | "ctrTitle")
    }

    /// Body placeholders bullet their paragraphs unless told otherwise.
    pub(crate) fn is_body(&self) -> bool {
        matches!(self.kind.as_str(), "body" | "obj")
    }
}

/// How a paragraph asks to be bulleted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bullet {
    /// Nothing said: inherited from the placeholder.
    Inherit,
    None,
    Char,
    /// `buAutoNum` scheme (`arabicPeriod` …) and start value.
    Auto(String, i64),
}

#[derive(Debug, Clone)]
pub(crate) struct TextPara {
    pub(crate) text: String,
    pub(crate) level: u8,
    pub(crate) bullet: Bullet,
}

#[derive(Debug)]
pub(crate) enum Content {
    Text(Vec<TextPara>),
    Table(Table),
    Chart(String),
    Diagram(String),
    Image {
        alt: String,
        target: Option<String>,
    },
    Group(Vec<Shape>),
    /// An embedded OLE object (its preview picture, if any, is an Image).
    Object,
    Empty,
}

#[derive(Debug)]
pub(crate) struct Shape {
    pub(crate) ph: Option<Placeholder>,
    /// (y, x) of the top-left corner in EMU, when the shape says.
    pub(crate) pos: Option<(i64, i64)>,
    pub(crate) content: Content,
}

/// (y, x) in EMU.
pub(crate) type Pos = (i64, i64);

/// Reads one part's shape tree.
pub(crate) struct ShapeReader<'x, 'r> {
    xml: Xml<'x>,
    rels: &'r Rels,
}

impl<'x, 'r> ShapeReader<'x, 'r> {
    pub(crate) fn new(text: &'x str, rels: &'r Rels) -> Self {
        ShapeReader {
            xml: Xml::new(text),
            rels,
        }
    }

    /// All shapes of the part's (first) `spTree`, in file order, and whether the slide is
    /// hidden (`show="0"`).
    pub(crate) fn read(mut self) -> Result<(Vec<Shape>, bool), XmlError> {
        let mut hidden = false;
        loop {
            match self.xml.next()? {
                Ev::Start(e) if self.xml.depth() == 1 => {
                    hidden = e
                        .attr_plain("show")
                        .is_some_and(|v| v == "0" || v == "false");
                }
                Ev::Start(e) if e.local() == "spTree" => {
                    let shapes = self.tree(0)?;
                    return Ok((shapes, hidden));
                }
                Ev::Eof => return Ok((Vec::new(), hidden)),
                Ev::Start(_) | Ev::End | Ev::Text(_) => {}
            }
        }
    }

    /// The shapes inside the element just started (spTree, grpSp or an mc:Choice).
    fn tree(&mut self, groups: usize) -> Result<Vec<Shape>, XmlError> {
        let depth = self.xml.depth();
        let mut shapes = Vec::new();
        loop {
            let e = match self.xml.next()? {
                Ev::Start(e) => e,
                Ev::End if self.xml.depth() < depth => return Ok(shapes),
                Ev::Eof => return Ok(shapes),
                Ev::End | Ev::Text(_) => continue,
            };
            match e.local() {
                "sp" | "cxnSp" | "pic" | "graphicFrame" => shapes.push(self.shape()?),
                "grpSp" if groups < MAX_GROUP_DEPTH => {
                    let (pos, children) = self.group(groups + 1)?;
                    shapes.push(Shape {
                        ph: None,
                        pos,
                        content: Content::Group(children),
                    });
                }
                "grpSp" => shapes.push(self.shape()?),
                "AlternateContent" => shapes.extend(self.alternate(groups)?),
                _ => self.xml.skip()?,
            }
        }
    }

    /// A group: its position and its children.
    fn group(&mut self, groups: usize) -> Result<(Option<Pos>, Vec<Shape>), XmlError> {
        let depth = self.xml.depth();
        let mut pos = None;
        let mut children = Vec::new();
        loop {
            let e = match self.xml.next()? {
                Ev::Start(e) => e,
                Ev::End if self.xml.depth() < depth => return Ok((pos, children)),
                Ev::Eof => return Ok((pos, children)),
                Ev::End | Ev::Text(_) => continue,
            };
            match e.local() {
                "grpSpPr" => pos = self.first_offset()?,
                "sp" | "cxnSp" | "pic" | "graphicFrame" => children.push(self.shape()?),
                "grpSp" if groups < MAX_GROUP_DEPTH => {
                    let (p, c) = self.group(groups + 1)?;
                    children.push(Shape {
                        ph: None,
                        pos: p,
                        content: Content::Group(c),
                    });
                }
                "grpSp" => children.push(self.shape()?),
                "AlternateContent" => children.extend(self.alternate(groups)?),
                _ => self.xml.skip()?,
            }
        }
    }

    /// `mc:AlternateContent` in a shape tree: the shapes of its first Choice.
    fn alternate(&mut self, groups: usize) -> Result<Vec<Shape>, XmlError> {
        let depth = self.xml.depth();
        let mut shapes = Vec::new();
        let mut chosen = false;
        loop {
            match self.xml.next()? {
                Ev::Start(e) if !chosen && matches!(e.local(), "Choice" | "Fallback") => {
                    chosen = true;
                    shapes = self.tree(groups)?;
                }
                Ev::Start(_) => self.xml.skip()?,
                Ev::End if self.xml.depth() < depth => return Ok(shapes),
                Ev::Eof => return Ok(shapes),
                Ev::End | Ev::Text(_) => {}
            }
        }
    }

    /// The first `a:off` inside the element just started.
    fn first_offset(&mut self) -> Result<Option<(i64, i64)>, XmlError> {
        let depth = self.xml.depth();
        let mut pos = None;
        loop {
            match self.xml.next()? {
                Ev::Start(e) if e.local() == "off" && pos.is_none() => pos = offset(&e),
                Ev::End if self.xml.depth() < depth => return Ok(pos),
                Ev::Eof => return Ok(pos),
                Ev::Start(_) | Ev::End | Ev::Text(_) => {}
            }
        }
    }

    /// One shape of any kind (a too-deep group is read here as flat text).
    fn shape(&mut self) -> Result<Shape, XmlError> {
        let depth = self.xml.depth();
        let mut shape = Shape {
            ph: None,
            pos: None,
            content: Content::Empty,
        };
        let mut alt = String::new();
        // A picture without alt text is still named ("Picture 4"): better than nothing.
        let mut name = String::new();
        let mut paras: Vec<TextPara> = Vec::new();
        loop {
            let e = match self.xml.next()? {
                Ev::Start(e) => e,
                Ev::End if self.xml.depth() < depth => break,
                Ev::Eof => break,
                Ev::End | Ev::Text(_) => continue,
            };
            match e.local() {
                "cNvPr" => {
                    if alt.is_empty() {
                        alt = e
                            .attr_plain("descr")
                            .or_else(|| e.attr_plain("title"))
                            .unwrap_or_default();
                    }
                    if name.is_empty() {
                        name = e.attr_plain("name").unwrap_or_default();
                    }
                }
                "ph" => {
                    shape.ph = Some(Placeholder {
                        kind: e.attr_plain("type").unwrap_or_else(|| "obj".to_string()),
                        idx: e.attr_plain("idx"),
                    });
                }
                "off" if shape.pos.is_none() => shape.pos = offset(&e),
                "chOff" | "chExt" | "ext" => {}
                "txBody" => paras.extend(self.text_body()?),
                "tbl" => shape.content = Content::Table(self.table()?),
                "chart" => {
                    if let Some(id) = e.attr_ns("id") {
                        shape.content = Content::Chart(id);
                    }
                }
                "relIds" => {
                    if let Some(id) = e.attr_ns("dm") {
                        shape.content = Content::Diagram(id);
                    }
                }
                "blip" => {
                    let target = e
                        .attr_ns("embed")
                        .and_then(|id| self.rels.target_of(&id, &["image"]).map(str::to_string));
                    if matches!(shape.content, Content::Empty | Content::Object) {
                        shape.content = Content::Image {
                            alt: String::new(),
                            target,
                        };
                    }
                }
                "oleObj" => shape.content = Content::Object,
                // Geometry, line and fill formatting, styles, effects and extension lists
                // hold no text (custom geometry can be most of a slide's bytes).
                "style" | "extLst" | "effectLst" | "bodyPr" | "lstStyle" | "custGeom"
                | "prstGeom" | "ln" | "solidFill" | "gradFill" | "pattFill" | "scene3d"
                | "sp3d" => self.xml.skip()?,
                _ => {}
            }
        }
        if let Content::Image { alt: a, .. } = &mut shape.content {
            *a = if alt.trim().is_empty() {
                name.trim().to_string()
            } else {
                alt.trim().to_string()
            };
        }
        // Text wins over a picture fill or an object's preview.
        if !paras.is_empty()
            && matches!(
                shape.content,
                Content::Empty | Content::Object | Content::Image { .. }
            )
        {
            shape.content = Content::Text(paras);
        }
        Ok(shape)
    }

    /// A text body's paragraphs (runs, fields, line breaks, hyperlinks).
    fn text_body(&mut self) -> Result<Vec<TextPara>, XmlError> {
        let depth = self.xml.depth();
        let mut paras = Vec::new();
        loop {
            match self.xml.next()? {
                Ev::Start(e) if e.local() == "p" => paras.push(self.paragraph()?),
                Ev::Start(e) if matches!(e.local(), "bodyPr" | "lstStyle") => {
                    drop(e);
                    self.xml.skip()?
                }
                Ev::End if self.xml.depth() < depth => return Ok(paras),
                Ev::Eof => return Ok(paras),
                Ev::Start(_) | Ev::End | Ev::Text(_) => {}
            }
        }
    }

    fn paragraph(&mut self) -> Result<TextPara, XmlError> {
        let depth = self.xml.depth();
        let mut para = TextPara {
            text: String::new(),
            level: 0,
            bullet: Bullet::Inherit,
        };
        // The open hyperlink: (url, where its text starts).
        let mut link: Option<(String, usize)> = None;
        let mut run_url: Option<String> = None;
        let mut in_text = false;
        loop {
            match self.xml.next()? {
                Ev::Start(e) => match e.local() {
                    "pPr" => {
                        para.level = e
                            .attr_plain("lvl")
                            .and_then(|v| v.parse::<u8>().ok())
                            .unwrap_or(0)
                            .min(8);
                    }
                    "buNone" => para.bullet = Bullet::None,
                    "buChar" | "buBlip" => para.bullet = Bullet::Char,
                    "buAutoNum" => {
                        let scheme = e.attr_plain("type").unwrap_or_default();
                        let start = e
                            .attr_plain("startAt")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(1);
                        para.bullet = Bullet::Auto(scheme, start);
                    }
                    "r" | "fld" => run_url = None,
                    "hlinkClick" => {
                        run_url = e.attr_ns("id").and_then(|id| {
                            self.rels
                                .get(&id)
                                .filter(|r| r.external)
                                .map(|r| r.target.clone())
                        });
                    }
                    "t" => {
                        if run_url.as_ref() != link.as_ref().map(|(u, _)| u) {
                            close_link(&mut para.text, link.take());
                            if let Some(url) = &run_url {
                                link = Some((url.clone(), para.text.len()));
                            }
                        }
                        in_text = true;
                    }
                    "br" => {
                        close_link(&mut para.text, link.take());
                        para.text.push('\n');
                    }
                    "endParaRPr" | "extLst" => self.xml.skip()?,
                    _ => {}
                },
                Ev::Text(t) if in_text => para.text.push_str(&t),
                Ev::End => {
                    if self.xml.depth() < depth {
                        break;
                    }
                    in_text = false;
                }
                Ev::Eof => break,
                Ev::Text(_) => {}
            }
        }
        close_link(&mut para.text, link);
        Ok(para)
    }

    /// A DrawingML table: one string per grid cell (merged continuations empty).
    fn table(&mut self) -> Result<Table, XmlError> {
        let depth = self.xml.depth();
        let mut rows: Vec<Vec<String>> = Vec::new();
        loop {
            match self.xml.next()? {
                Ev::Start(e) => match e.local() {
                    "tr" => rows.push(Vec::new()),
                    "tc" => {
                        let merged = e.attr_plain("hMerge").is_some_and(|v| v == "1")
                            || e.attr_plain("vMerge").is_some_and(|v| v == "1");
                        let text = self.cell_text()?;
                        if let Some(row) = rows.last_mut() {
                            row.push(if merged { String::new() } else { text });
                        }
                    }
                    "tblPr" | "tblGrid" | "extLst" => self.xml.skip()?,
                    _ => {}
                },
                Ev::End if self.xml.depth() < depth => break,
                Ev::Eof => break,
                Ev::End | Ev::Text(_) => {}
            }
        }
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        for row in &mut rows {
            row.resize(width, String::new());
        }
        Ok(Table {
            header_rows: usize::from(!rows.is_empty()),
            rows,
            ..Table::default()
        })
    }

    /// A table cell's paragraphs as lines.
    fn cell_text(&mut self) -> Result<String, XmlError> {
        let depth = self.xml.depth();
        let mut lines = Vec::new();
        loop {
            match self.xml.next()? {
                Ev::Start(e) if e.local() == "txBody" => {
                    drop(e);
                    for p in self.text_body()? {
                        lines.push(p.text);
                    }
                }
                Ev::Start(_) => self.xml.skip()?,
                Ev::End if self.xml.depth() < depth => break,
                Ev::Eof => break,
                Ev::End | Ev::Text(_) => {}
            }
        }
        Ok(lines.join("\n").trim().to_string())
    }
}

fn offset(e: &crate::xml::Elem<'_>) -> Option<(i64, i64)> {
    let x = e.attr_plain("x")?.parse().ok()?;
    let y = e.attr_plain("y")?.parse().ok()?;
    Some((y, x))
}

/// End a hyperlink opened at `start`: its text becomes `[text](url)`.
fn close_link(text: &mut String, link: Option<(String, usize)>) {
    let Some((url, start)) = link else { return };
    if start >= text.len() || !text.is_char_boundary(start) {
        return;
    }
    let label = text.split_off(start);
    let trimmed = label.trim();
    if trimmed.is_empty() {
        text.push_str(&label);
        return;
    }
    let label = trimmed.replace('[', "\\[").replace(']', "\\]");
    if url.contains([' ', '(', ')']) {
        text.push_str(&format!("[{label}](<{url}>)"));
    } else {
        text.push_str(&format!("[{label}]({url})"));
    }
}
