//! Block-level WordprocessingML: the content of a body, table cell, text box, note, comment,
//! header or footer — paragraphs (see `para.rs`), tables and section properties — read in one
//! streaming pass by recursive descent over the element tree (bounded by the XML depth cap).

use cowork_docmodel::{Block, NoteKind, Table};

use super::Ctx;
use crate::xml::{Ev, Xml, XmlError};

/// Properties of the table cell being read.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct CellProps {
    span: usize,
    /// A vertically merged cell that continues the one above: shown empty.
    merged: bool,
}

/// A reader of one WordprocessingML part.
pub(crate) struct Body<'x, 'c, 'd, 'a> {
    pub(crate) xml: Xml<'x>,
    pub(crate) ctx: &'c mut Ctx<'d, 'a>,
    /// Open table cells, innermost last: `tcPr` of a cell is recorded in its own entry even
    /// when the cell holds a nested table.
    cells: Vec<CellProps>,
}

impl<'x, 'c, 'd, 'a> Body<'x, 'c, 'd, 'a> {
    pub(crate) fn new(text: &'x str, ctx: &'c mut Ctx<'d, 'a>) -> Self {
        Body {
            xml: Xml::new(text),
            ctx,
            cells: Vec::new(),
        }
    }

    /// Read the blocks inside the element just started, up to and including its end.
    pub(crate) fn blocks(&mut self, out: &mut Vec<Block>) -> Result<(), XmlError> {
        let depth = self.xml.depth();
        loop {
            match self.xml.next()? {
                Ev::Start(e) => match e.local() {
                    "p" => self.paragraph(out)?,
                    "tbl" => self.table(out)?,
                    "sectPr" => self.section()?,
                    "tcPr" => self.cell_props()?,
                    "AlternateContent" => self.alternate_blocks(out)?,
                    "altChunk" => {
                        self.ctx
                            .skipped("an embedded alternative-format chunk (altChunk)");
                        self.xml.skip()?;
                    }
                    // Properties and change records: no visible text of their own.
                    "sdtPr" | "sdtEndPr" | "pPr" | "rPr" | "tblPr" | "trPr" | "tblGrid"
                    | "tblPrEx" | "pPrChange" | "rPrChange" | "customXmlPr" | "docPartPr" => {
                        self.xml.skip()?
                    }
                    // Runs directly at block level (malformed but seen): read as a paragraph.
                    "r" | "hyperlink" => self.loose_runs(out)?,
                    // Content controls, custom XML, smart tags, …: transparent wrappers.
                    _ => self.blocks(out)?,
                },
                Ev::End if self.xml.depth() < depth => return Ok(()),
                Ev::Eof => return Ok(()),
                Ev::End | Ev::Text(_) => {}
            }
        }
    }

    /// `mc:AlternateContent` at block level: the first `Choice` only.
    fn alternate_blocks(&mut self, out: &mut Vec<Block>) -> Result<(), XmlError> {
        let depth = self.xml.depth();
        let mut chosen = false;
        loop {
            match self.xml.next()? {
                Ev::Start(e) => {
                    let take = !chosen && matches!(e.local(), "Choice" | "Fallback");
                    if take {
                        chosen = true;
                        self.blocks(out)?;
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

    /// Section properties: where the headers and footers are.
    pub(crate) fn section(&mut self) -> Result<(), XmlError> {
        let depth = self.xml.depth();
        loop {
            match self.xml.next()? {
                Ev::Start(e) => {
                    let kind = match e.local() {
                        "headerReference" => NoteKind::Header,
                        "footerReference" => NoteKind::Footer,
                        _ => continue,
                    };
                    let target = e.attr_ns("id").and_then(|id| {
                        self.ctx
                            .rels
                            .target_of(&id, &["header", "footer"])
                            .map(str::to_string)
                    });
                    if let Some(target) = target
                        && !self.ctx.sections.iter().any(|(_, t)| *t == target)
                    {
                        self.ctx.sections.push((kind, target));
                    }
                }
                Ev::End if self.xml.depth() < depth => return Ok(()),
                Ev::Eof => return Ok(()),
                Ev::End | Ev::Text(_) => {}
            }
        }
    }

    fn cell_props(&mut self) -> Result<(), XmlError> {
        let depth = self.xml.depth();
        let mut props = CellProps {
            span: 1,
            merged: false,
        };
        loop {
            match self.xml.next()? {
                Ev::Start(e) => match e.local() {
                    "gridSpan" => {
                        props.span = e
                            .attr("val")
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(1)
                            .clamp(1, 64);
                    }
                    "vMerge" | "hMerge" => {
                        props.merged = e.attr("val").is_none_or(|v| v == "continue");
                    }
                    "tcPrChange" => self.xml.skip()?,
                    _ => {}
                },
                Ev::End if self.xml.depth() < depth => break,
                Ev::Eof => break,
                Ev::End | Ev::Text(_) => {}
            }
        }
        if let Some(top) = self.cells.last_mut() {
            *top = props;
        }
        Ok(())
    }

    /// A table: rows of cell texts. Wrappers around rows and cells (content controls, custom
    /// XML) are read through; a nested table becomes text inside its cell; notes, images and
    /// charts inside cells follow the table.
    fn table(&mut self, out: &mut Vec<Block>) -> Result<(), XmlError> {
        let depth = self.xml.depth();
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut header_flags: Vec<bool> = Vec::new();
        let mut after: Vec<Block> = Vec::new();
        let mut caption: Option<String> = None;
        let mut first_cell: Option<Vec<Block>> = None;
        let mut row: Option<Row> = None;
        let mut row_depth = 0usize;
        loop {
            match self.xml.next()? {
                Ev::Start(e) => match e.local() {
                    "tblPr" => {
                        caption = caption.or(self.table_caption()?);
                    }
                    "tblGrid" | "sdtPr" | "sdtEndPr" | "tblPrEx" | "customXmlPr" => {
                        self.xml.skip()?
                    }
                    "tr" if row.is_none() => {
                        row = Some(Row::default());
                        row_depth = self.xml.depth();
                    }
                    "trPr" => {
                        let (header, before, after_cells) = self.row_props()?;
                        if let Some(r) = row.as_mut() {
                            r.header = header;
                            r.cells.extend(std::iter::repeat_n(String::new(), before));
                            r.pad_after = after_cells;
                        }
                    }
                    "tc" => {
                        self.cells.push(CellProps {
                            span: 1,
                            merged: false,
                        });
                        let mut blocks = Vec::new();
                        let read = self.blocks(&mut blocks);
                        let props = self.cells.pop().unwrap_or_default();
                        read?;
                        let (text, extra) = cell_content(&blocks);
                        after.extend(extra);
                        if rows.is_empty()
                            && first_cell.is_none()
                            && row.as_ref().is_some_and(|r| r.cells.is_empty())
                        {
                            first_cell = Some(blocks);
                        }
                        if let Some(r) = row.as_mut() {
                            r.cells
                                .push(if props.merged { String::new() } else { text });
                            r.cells.extend(std::iter::repeat_n(
                                String::new(),
                                props.span.saturating_sub(1),
                            ));
                        }
                    }
                    // Wrappers: their children come through this loop.
                    _ => {}
                },
                Ev::End => {
                    if self.xml.depth() < depth {
                        break;
                    }
                    if self.xml.depth() < row_depth
                        && let Some(mut r) = row.take()
                    {
                        r.cells
                            .extend(std::iter::repeat_n(String::new(), r.pad_after));
                        header_flags.push(r.header);
                        rows.push(r.cells);
                    }
                }
                Ev::Eof => break,
                Ev::Text(_) => {}
            }
        }
        self.finish_table(out, rows, header_flags, caption, first_cell);
        out.extend(after);
        Ok(())
    }

    fn finish_table(
        &mut self,
        out: &mut Vec<Block>,
        mut rows: Vec<Vec<String>>,
        header_flags: Vec<bool>,
        caption: Option<String>,
        first_cell: Option<Vec<Block>>,
    ) {
        // An empty table is still kept (a form to fill in is structure), unless it has no
        // cells at all.
        if rows.iter().all(Vec::is_empty) {
            return;
        }
        // A one-cell table is a box around content (a layout device): show the content.
        if rows.len() == 1
            && rows.first().is_some_and(|r| r.len() == 1)
            && let Some(blocks) = first_cell
        {
            out.extend(blocks);
            return;
        }
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        for r in &mut rows {
            r.resize(width, String::new());
        }
        let marked = header_flags.iter().take_while(|h| **h).count();
        out.push(Block::Table(Table {
            caption,
            header_rows: if marked > 0 { marked } else { 1 },
            rows,
            ..Table::default()
        }));
    }

    fn table_caption(&mut self) -> Result<Option<String>, XmlError> {
        let depth = self.xml.depth();
        let mut caption = None;
        loop {
            match self.xml.next()? {
                Ev::Start(e) if e.local() == "tblCaption" => {
                    caption = e.attr("val").filter(|v| !v.trim().is_empty());
                }
                Ev::Start(e) if e.local() == "tblPrChange" => {
                    drop(e);
                    self.xml.skip()?;
                }
                Ev::End if self.xml.depth() < depth => return Ok(caption),
                Ev::Eof => return Ok(caption),
                Ev::Start(_) | Ev::End | Ev::Text(_) => {}
            }
        }
    }

    /// (repeats as header, empty grid cells before, after).
    fn row_props(&mut self) -> Result<(bool, usize, usize), XmlError> {
        let depth = self.xml.depth();
        let (mut header, mut before, mut after) = (false, 0, 0);
        let count =
            |v: Option<String>| v.and_then(|v| v.parse::<usize>().ok()).unwrap_or(0).min(64);
        loop {
            match self.xml.next()? {
                Ev::Start(e) => match e.local() {
                    "tblHeader" => header = e.flag(),
                    "gridBefore" => before = count(e.attr("val")),
                    "gridAfter" => after = count(e.attr("val")),
                    "trPrChange" => self.xml.skip()?,
                    _ => {}
                },
                Ev::End if self.xml.depth() < depth => return Ok((header, before, after)),
                Ev::Eof => return Ok((header, before, after)),
                Ev::End | Ev::Text(_) => {}
            }
        }
    }
}

#[derive(Default)]
struct Row {
    cells: Vec<String>,
    header: bool,
    pad_after: usize,
}

/// A cell's text (its blocks as lines) and the blocks that leave the cell to follow the
/// table (notes, images, charts).
fn cell_content(blocks: &[Block]) -> (String, Vec<Block>) {
    let mut text = Vec::new();
    let mut extra = Vec::new();
    for block in blocks {
        match block {
            Block::Note { .. } | Block::Image { .. } => extra.push(block.clone()),
            Block::Table(t) if t.caption.as_deref().is_some_and(|c| c.starts_with("Chart")) => {
                extra.push(block.clone())
            }
            other => text.push(block_text(other)),
        }
    }
    (text.join("\n").trim().to_string(), extra)
}

/// Blocks as plain lines (list markers kept, tables as ` | `-separated rows): the text of a
/// cell, text box, note or header.
pub(crate) fn blocks_to_text(blocks: &[Block]) -> String {
    let lines: Vec<String> = blocks.iter().map(block_text).collect();
    lines
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn block_text(block: &Block) -> String {
    match block {
        Block::Heading { text, .. }
        | Block::Paragraph { text }
        | Block::Code { text, .. }
        | Block::Quote { text }
        | Block::Revision { text, .. } => text.clone(),
        Block::ListItem {
            depth,
            marker,
            text,
        } => {
            let mark = match marker {
                cowork_docmodel::ListMarker::Bullet => "-",
                cowork_docmodel::ListMarker::Number(n) => n.as_str(),
            };
            format!("{}{mark} {text}", "  ".repeat(usize::from(*depth)))
        }
        Block::Table(t) => {
            let mut lines: Vec<String> = t.caption.iter().cloned().collect();
            // Empty cells and rows carry nothing once flattened.
            lines.extend(t.rows.iter().filter_map(|r| {
                let cells: Vec<String> = r
                    .iter()
                    .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
                    .filter(|c| !c.is_empty())
                    .collect();
                (!cells.is_empty()).then(|| cells.join(" | "))
            }));
            lines.join("\n")
        }
        Block::Note { label, text, .. } => match label {
            Some(l) => format!("{l}: {text}"),
            None => text.clone(),
        },
        Block::Image { alt, .. } => alt.clone(),
        Block::FormField { name, value } => format!("{name}: {value}"),
    }
}
