//! Markdown (pulldown-cmark events) → the WordprocessingML of a document body.
//!
//! Paragraphs are opened lazily when inline content arrives, because tight list items and
//! table cells carry text without paragraph events. Every list gets its own numbering
//! instance, so ordered lists restart and nested levels indent properly.

use std::collections::BTreeMap;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::markup::{encode_url, heading_number, inline_picture};
use super::styles::{ListInstance, NumberingIds};
use crate::DocError;
use crate::image::{EMU_PER_INCH, sniff};
use crate::xml::{esc, needs_preserve};

/// The parser options shared by [`super::image_refs`] and the converter.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// An image to store as a media part.
pub(crate) struct ImagePart {
    pub rid: String,
    pub path: String,
    pub key: String,
}

/// What the body needs from the rest of the package.
pub(crate) struct Body {
    pub xml: String,
    pub title: Option<String>,
    /// (relationship id, URL) of external hyperlinks.
    pub links: Vec<(String, String)>,
    pub images: Vec<ImagePart>,
    pub lists: Vec<ListInstance>,
}

pub(crate) struct Ctx<'a> {
    pub images: &'a BTreeMap<String, Vec<u8>>,
    pub numbering: NumberingIds,
    /// Text width in twips (page width minus margins), for tables and images.
    pub text_width: i64,
}

struct Cell {
    aligns: Vec<Alignment>,
    head: bool,
    col: usize,
    has_para: bool,
}

struct Conv<'a> {
    ctx: &'a Ctx<'a>,
    body: Body,
    out: String,
    para_open: bool,
    para_start: usize,
    para_text: String,
    bold: u32,
    italic: u32,
    strike: u32,
    sup: u32,
    sub: u32,
    link_depth: u32,
    quote: u32,
    lists: Vec<u32>,
    item_first: bool,
    heading: Option<u8>,
    capture_title: bool,
    code: bool,
    code_break: bool,
    table: Option<Cell>,
    image: Option<(String, String)>,
    skip_text: bool,
    drawing_id: u32,
    last_was_table: bool,
}

/// Convert Markdown to body XML (without `<w:body>` and the section properties).
pub(crate) fn convert(markdown: &str, ctx: &Ctx) -> Result<Body, DocError> {
    let mut c = Conv {
        ctx,
        body: Body {
            xml: String::new(),
            title: None,
            links: vec![],
            images: vec![],
            lists: vec![],
        },
        out: String::with_capacity(markdown.len() * 3),
        para_open: false,
        para_start: 0,
        para_text: String::new(),
        bold: 0,
        italic: 0,
        strike: 0,
        sup: 0,
        sub: 0,
        link_depth: 0,
        quote: 0,
        lists: vec![],
        item_first: false,
        heading: None,
        capture_title: false,
        code: false,
        code_break: false,
        table: None,
        image: None,
        skip_text: false,
        drawing_id: 0,
        last_was_table: false,
    };
    for event in Parser::new_ext(markdown, options()) {
        c.event(event)?;
    }
    c.end_para();
    // Word wants a paragraph between a final table and the section properties.
    if c.last_was_table || c.out.is_empty() {
        c.out.push_str("<w:p/>");
    }
    c.body.xml = c.out;
    Ok(c.body)
}

impl Conv<'_> {
    fn event(&mut self, event: Event) -> Result<(), DocError> {
        match event {
            Event::Start(tag) => self.start(tag)?,
            Event::End(tag) => self.end(tag)?,
            Event::Text(t) => self.text(&t),
            Event::Code(t) => {
                self.ensure_para();
                self.para_text.push_str(&t);
                self.run(&t, Some("VerbatimChar"));
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t),
            Event::Html(html) | Event::InlineHtml(html) => self.html(&html),
            Event::FootnoteReference(label) => self.text(&format!("[{label}]")),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => {
                self.ensure_para();
                self.out.push_str("<w:r><w:br/></w:r>");
            }
            Event::Rule => {
                self.end_para();
                self.block_started();
                self.out.push_str("<w:p><w:pPr><w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"A6A6A6\"/></w:pBdr></w:pPr></w:p>");
            }
            Event::TaskListMarker(done) => self.text(if done { "\u{2612} " } else { "\u{2610} " }),
        }
        Ok(())
    }

    fn start(&mut self, tag: Tag) -> Result<(), DocError> {
        match tag {
            Tag::Paragraph => self.end_para(),
            Tag::Heading { level, .. } => {
                self.end_para();
                let n = heading_number(level);
                self.heading = Some(n);
                if n == 1 && self.body.title.is_none() {
                    self.capture_title = true;
                    self.body.title = Some(String::new());
                }
            }
            Tag::BlockQuote(_) => {
                self.end_para();
                self.quote += 1;
            }
            Tag::CodeBlock(kind) => {
                self.end_para();
                let _lang = match kind {
                    CodeBlockKind::Fenced(lang) => lang.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = true;
                self.code_break = false;
                self.ensure_para();
            }
            Tag::HtmlBlock => self.end_para(),
            Tag::List(start) => {
                self.end_para();
                let num_id = self.ctx.numbering.first_num + self.body.lists.len() as u32;
                self.body.lists.push(ListInstance {
                    num_id,
                    ordered: start.is_some(),
                    level: (self.lists.len() as u32).min(8),
                    start: start.unwrap_or(1),
                });
                self.lists.push(num_id);
            }
            Tag::Item => {
                self.end_para();
                self.item_first = true;
            }
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition => self.end_para(),
            Tag::Table(aligns) => {
                self.end_para();
                self.block_started();
                let cols = aligns.len().max(1) as i64;
                let w = self.ctx.text_width / cols;
                self.out.push_str("<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/>\
<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>");
                for _ in 0..cols {
                    self.out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
                }
                self.out.push_str("</w:tblGrid>");
                self.table = Some(Cell {
                    aligns,
                    head: false,
                    col: 0,
                    has_para: false,
                });
            }
            Tag::TableHead => {
                self.out.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
                if let Some(t) = &mut self.table {
                    t.head = true;
                    t.col = 0;
                }
            }
            Tag::TableRow => {
                self.out.push_str("<w:tr>");
                if let Some(t) = &mut self.table {
                    t.col = 0;
                }
            }
            Tag::TableCell => {
                let w = self.cell_width();
                self.out.push_str(&format!(
                    "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>"
                ));
                if let Some(t) = &mut self.table {
                    t.has_para = false;
                }
            }
            Tag::Emphasis => self.italic += 1,
            Tag::Strong => self.bold += 1,
            Tag::Strikethrough => self.strike += 1,
            Tag::Superscript => self.sup += 1,
            Tag::Subscript => self.sub += 1,
            Tag::Link { dest_url, .. } => {
                self.ensure_para();
                let url = dest_url.trim();
                if !url.is_empty() && !url.starts_with('#') {
                    let rid = self.link_rid(url);
                    self.out
                        .push_str(&format!("<w:hyperlink r:id=\"{rid}\" w:history=\"1\">"));
                    self.link_depth += 1;
                } else {
                    // Internal anchors have no bookmarks to point at: keep the text only.
                    self.link_depth += 1 << 16;
                }
            }
            Tag::Image { dest_url, .. } => {
                self.image = Some((dest_url.to_string(), String::new()));
            }
            Tag::MetadataBlock(_) => self.skip_text = true,
        }
        Ok(())
    }

    fn end(&mut self, tag: TagEnd) -> Result<(), DocError> {
        match tag {
            TagEnd::Paragraph => self.end_para(),
            TagEnd::Heading(_) => {
                self.end_para();
                self.heading = None;
                self.capture_title = false;
            }
            TagEnd::BlockQuote(_) => {
                self.end_para();
                self.quote = self.quote.saturating_sub(1);
            }
            TagEnd::CodeBlock => {
                self.end_para();
                self.code = false;
            }
            TagEnd::HtmlBlock => self.end_para(),
            TagEnd::List(_) => {
                self.end_para();
                self.lists.pop();
            }
            TagEnd::Item => {
                self.end_para();
                self.item_first = false;
            }
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition => self.end_para(),
            TagEnd::Table => {
                self.end_para();
                self.out.push_str("</w:tbl>");
                self.table = None;
                self.last_was_table = true;
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                // GFM rows may be short: pad so every row spans the grid.
                if let Some(t) = &mut self.table {
                    let cols = t.aligns.len();
                    let w = self.ctx.text_width / cols.max(1) as i64;
                    for _ in t.col..cols {
                        self.out.push_str(&format!("<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr><w:p/></w:tc>"));
                    }
                    t.head = false;
                }
                self.out.push_str("</w:tr>");
            }
            TagEnd::TableCell => {
                self.end_para();
                if let Some(t) = &mut self.table {
                    if !t.has_para {
                        self.out.push_str("<w:p/>");
                    }
                    t.col += 1;
                }
                self.out.push_str("</w:tc>");
            }
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            TagEnd::Superscript => self.sup = self.sup.saturating_sub(1),
            TagEnd::Subscript => self.sub = self.sub.saturating_sub(1),
            TagEnd::Link => {
                if self.link_depth >= 1 << 16 {
                    self.link_depth -= 1 << 16;
                } else if self.link_depth > 0 {
                    self.link_depth -= 1;
                    self.out.push_str("</w:hyperlink>");
                }
            }
            TagEnd::Image => {
                if let Some((key, alt)) = self.image.take() {
                    self.drawing(&key, &alt)?;
                }
            }
            TagEnd::MetadataBlock(_) => self.skip_text = false,
        }
        Ok(())
    }

    /// A new block element starts (table, rule): no longer "after a table".
    fn block_started(&mut self) {
        self.last_was_table = false;
    }

    fn text(&mut self, text: &str) {
        if self.skip_text {
            return;
        }
        if let Some((_, alt)) = &mut self.image {
            alt.push_str(text);
            return;
        }
        self.ensure_para();
        if self.capture_title
            && let Some(title) = &mut self.body.title
        {
            title.push_str(text);
        }
        self.para_text.push_str(text);
        if self.code {
            // Code keeps its lines: one paragraph, a line break between lines.
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    self.code_break = true;
                }
                if line.is_empty() {
                    continue;
                }
                if self.code_break {
                    self.out.push_str("<w:r><w:br/></w:r>");
                    self.code_break = false;
                }
                self.run(line, None);
            }
            return;
        }
        self.run(text, None);
    }

    fn html(&mut self, html: &str) {
        let lower = html.to_ascii_lowercase();
        let squeezed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
        if squeezed.contains("page-break-after:always")
            || squeezed.contains("page-break-before:always")
            || squeezed.contains("break-after:page")
            || squeezed.contains("break-before:page")
        {
            self.page_break();
            return;
        }
        if squeezed.starts_with("<br") {
            self.ensure_para();
            self.out.push_str("<w:r><w:br/></w:r>");
            return;
        }
        // Other HTML: keep the visible text, drop the tags.
        let mut text = String::new();
        let mut in_tag = false;
        for ch in html.chars() {
            match ch {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => text.push(ch),
                _ => {}
            }
        }
        let text = text.trim_matches('\n');
        if !text.trim().is_empty() {
            self.text(text);
        }
    }

    fn page_break(&mut self) {
        self.end_para();
        self.block_started();
        self.out
            .push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
    }

    fn ensure_para(&mut self) {
        if self.para_open {
            return;
        }
        self.block_started();
        self.para_open = true;
        self.para_start = self.out.len();
        self.para_text.clear();
        let mut ppr = String::new();
        if let Some(level) = self.heading {
            ppr.push_str(&format!("<w:pStyle w:val=\"Heading{level}\"/>"));
        } else if self.code {
            ppr.push_str("<w:pStyle w:val=\"SourceCode\"/>");
        } else if let Some(t) = &mut self.table {
            t.has_para = true;
            ppr.push_str("<w:spacing w:before=\"0\" w:after=\"0\"/>");
            let jc = match t.aligns.get(t.col) {
                Some(Alignment::Center) => Some("center"),
                Some(Alignment::Right) => Some("right"),
                Some(Alignment::Left) | Some(Alignment::None) | None => None,
            };
            if let Some(jc) = jc {
                ppr.push_str(&format!("<w:jc w:val=\"{jc}\"/>"));
            }
        } else if let Some(&num_id) = self.lists.last() {
            let depth = self.lists.len().min(9) as u32;
            ppr.push_str("<w:pStyle w:val=\"ListParagraph\"/>");
            if self.item_first {
                ppr.push_str(&format!(
                    "<w:numPr><w:ilvl w:val=\"{}\"/><w:numId w:val=\"{num_id}\"/></w:numPr>",
                    depth - 1
                ));
                self.item_first = false;
            } else {
                // A further paragraph of the same item: aligned with the item's text.
                ppr.push_str(&format!("<w:ind w:left=\"{}\"/>", 720 * depth));
            }
        } else if self.quote > 0 {
            ppr.push_str("<w:pStyle w:val=\"Quote\"/>");
        }
        if ppr.is_empty() {
            self.out.push_str("<w:p>");
        } else {
            self.out.push_str(&format!("<w:p><w:pPr>{ppr}</w:pPr>"));
        }
    }

    fn end_para(&mut self) {
        if !self.para_open {
            return;
        }
        // Close a link left open by unbalanced input so the XML stays well-formed.
        while self.link_depth > 0 && self.link_depth < 1 << 16 {
            self.out.push_str("</w:hyperlink>");
            self.link_depth -= 1;
        }
        self.para_open = false;
        let t = self.para_text.trim();
        if !self.code && self.table.is_none() && (t == "\\pagebreak" || t == "\\newpage") {
            self.out.truncate(self.para_start);
            self.out
                .push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
            return;
        }
        self.out.push_str("</w:p>");
    }

    fn run(&mut self, text: &str, char_style: Option<&str>) {
        let mut rpr = String::new();
        let style = if self.link_depth > 0 && self.link_depth < 1 << 16 {
            Some("Hyperlink")
        } else {
            char_style
        };
        if let Some(s) = style {
            rpr.push_str(&format!("<w:rStyle w:val=\"{s}\"/>"));
        }
        if self.bold > 0 || self.table.as_ref().is_some_and(|t| t.head) {
            rpr.push_str("<w:b/><w:bCs/>");
        }
        if self.italic > 0 {
            rpr.push_str("<w:i/><w:iCs/>");
        }
        if self.strike > 0 {
            rpr.push_str("<w:strike/>");
        }
        if self.sup > 0 {
            rpr.push_str("<w:vertAlign w:val=\"superscript\"/>");
        } else if self.sub > 0 {
            rpr.push_str("<w:vertAlign w:val=\"subscript\"/>");
        }
        self.out.push_str("<w:r>");
        if !rpr.is_empty() {
            self.out.push_str(&format!("<w:rPr>{rpr}</w:rPr>"));
        }
        let space = if needs_preserve(text) {
            " xml:space=\"preserve\""
        } else {
            ""
        };
        self.out
            .push_str(&format!("<w:t{space}>{}</w:t></w:r>", esc(text)));
    }

    fn cell_width(&self) -> i64 {
        let cols = self.table.as_ref().map_or(1, |t| t.aligns.len().max(1));
        self.ctx.text_width / cols as i64
    }

    fn link_rid(&mut self, url: &str) -> String {
        let url = encode_url(url);
        if let Some((rid, _)) = self.body.links.iter().find(|(_, u)| *u == url) {
            return rid.clone();
        }
        let rid = format!("rIdCwLink{}", self.body.links.len() + 1);
        self.body.links.push((rid.clone(), url));
        rid
    }

    fn drawing(&mut self, key: &str, alt: &str) -> Result<(), DocError> {
        let bytes = self.ctx.images.get(key).ok_or_else(|| {
            DocError::write(
                "docx",
                format!("image '{key}' was not provided; pass its bytes under that exact key, or remove the image from the Markdown"),
            )
        })?;
        let info =
            sniff(bytes).map_err(|why| DocError::write("docx", format!("image '{key}': {why}")))?;
        let rid = match self.body.images.iter().find(|i| i.key == key) {
            Some(part) => part.rid.clone(),
            None => {
                let n = self.body.images.len() + 1;
                let rid = format!("rIdCwImg{n}");
                self.body.images.push(ImagePart {
                    rid: rid.clone(),
                    path: format!("media/cowork_image{n}.{}", info.kind.extension()),
                    key: key.to_string(),
                });
                rid
            }
        };
        let max_cx = self.ctx.text_width * 635;
        let max_cy = (9.0 * EMU_PER_INCH) as i64;
        let (cx, cy) = info.fit_emu(max_cx, max_cy);
        self.drawing_id += 1;
        let id = self.drawing_id;
        let alt = esc(alt);
        self.ensure_para();
        self.out.push_str(&inline_picture(id, &rid, (cx, cy), &alt));
        Ok(())
    }
}
