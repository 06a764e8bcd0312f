//! Markdown: parsed with pulldown-cmark into blocks (headings, list items with their numbers,
//! tables, code, quotes, footnotes). Inline markup (emphasis, links, code spans) is kept as
//! Markdown inside the block text, so rendering gives back what the author wrote.

use cowork_docmodel::{
    Block, DocError, Document, Format, ListMarker, NoteKind, Part, PartKind, ReadOptions, Table,
};
use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::encoding::decode_text;
use crate::util::{check_size, paragraphs};

/// Read a Markdown file.
pub fn read_markdown(bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    check_size(bytes, Format::Markdown, opts)?;
    let decoded = decode_text(bytes);
    let mut doc = Document::new(Format::Markdown);
    if decoded.lossy {
        doc.warn(
            None,
            format!(
                "some bytes are not valid {}; they are shown as �",
                decoded.encoding
            ),
        );
    }
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut builder = Builder::default();
    for event in Parser::new_ext(&decoded.text, options) {
        builder.event(event);
    }
    builder.flush_item();
    for (key, value) in builder.metadata {
        doc.metadata.insert(key, value);
    }
    doc.title = doc.metadata.get("title").cloned().or(builder.first_h1);
    let mut part = Part::new(PartKind::Section, 1);
    part.blocks = builder.blocks;
    doc.parts.push(part);
    Ok(doc)
}

struct Item {
    depth: u8,
    marker: ListMarker,
    text: String,
}

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    /// Inline text of the block being read.
    buf: String,
    /// Open lists: the next number of an ordered one, None for bullets.
    lists: Vec<Option<u64>>,
    item: Option<Item>,
    /// Open block quotes and the text gathered for the outermost one.
    quote_depth: usize,
    quote: String,
    table: Option<Table>,
    row: Vec<String>,
    code: Option<(Option<String>, String)>,
    html: Option<String>,
    footnote: Option<(String, String)>,
    /// Destinations of the open links / images (None for autolinks, shown as their text).
    links: Vec<Option<String>>,
    in_metadata: bool,
    metadata_text: String,
    metadata: Vec<(String, String)>,
    first_h1: Option<String>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => {
                if let Some((_, code)) = &mut self.code {
                    code.push_str(&text);
                } else if self.in_metadata {
                    self.metadata_text.push_str(&text);
                } else {
                    self.buf.push_str(&text);
                }
            }
            Event::Code(text) => {
                self.buf.push('`');
                self.buf.push_str(&text);
                self.buf.push('`');
            }
            Event::InlineMath(text) => {
                self.buf.push('$');
                self.buf.push_str(&text);
                self.buf.push('$');
            }
            Event::DisplayMath(text) => {
                self.buf.push_str("$$");
                self.buf.push_str(&text);
                self.buf.push_str("$$");
            }
            Event::Html(html) => match &mut self.html {
                Some(block) => block.push_str(&html),
                None => self.buf.push_str(&crate::html::fragment_text(&html)),
            },
            Event::InlineHtml(html) => {
                let lower = html.to_ascii_lowercase();
                if lower.starts_with("<br") {
                    self.buf.push('\n');
                }
            }
            Event::FootnoteReference(label) => {
                self.buf.push_str("[^");
                self.buf.push_str(&label);
                self.buf.push(']');
            }
            Event::SoftBreak | Event::HardBreak => self.buf.push('\n'),
            Event::Rule => {}
            Event::TaskListMarker(done) => {
                self.buf.push_str(if done { "[x] " } else { "[ ] " });
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition => {}
            Tag::Heading { .. } => {
                self.flush_item();
                self.buf.clear();
            }
            Tag::BlockQuote(_) => {
                self.flush_item();
                self.quote_depth += 1;
            }
            Tag::CodeBlock(kind) => {
                self.flush_item();
                let language = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(str::to_string)
                        .filter(|l| !l.is_empty()),
                    CodeBlockKind::Indented => None,
                };
                self.code = Some((language, String::new()));
            }
            Tag::HtmlBlock => {
                self.flush_item();
                self.html = Some(String::new());
            }
            Tag::List(first) => {
                self.flush_item();
                self.lists.push(first);
            }
            Tag::Item => {
                self.flush_item();
                let depth = u8::try_from(self.lists.len().saturating_sub(1)).unwrap_or(u8::MAX);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let label = format!("{n}.");
                        *n += 1;
                        ListMarker::Number(label)
                    }
                    Some(None) | None => ListMarker::Bullet,
                };
                self.item = Some(Item {
                    depth,
                    marker,
                    text: String::new(),
                });
            }
            Tag::FootnoteDefinition(label) => {
                self.flush_item();
                self.footnote = Some((label.to_string(), String::new()));
            }
            Tag::Table(_) => {
                self.flush_item();
                self.table = Some(Table::default());
            }
            Tag::TableHead | Tag::TableRow => self.row.clear(),
            Tag::TableCell => self.buf.clear(),
            Tag::Emphasis => self.buf.push('*'),
            Tag::Strong => self.buf.push_str("**"),
            Tag::Strikethrough => self.buf.push_str("~~"),
            Tag::Superscript | Tag::Subscript => {}
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                if matches!(link_type, LinkType::Autolink | LinkType::Email) {
                    self.links.push(None);
                } else {
                    self.buf.push('[');
                    self.links.push(Some(dest_url.to_string()));
                }
            }
            Tag::Image { dest_url, .. } => {
                self.buf.push_str("![");
                self.links.push(Some(dest_url.to_string()));
            }
            Tag::MetadataBlock(_) => self.in_metadata = true,
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::DefinitionListTitle | TagEnd::DefinitionListDefinition => {
                let text = std::mem::take(&mut self.buf);
                match &mut self.item {
                    Some(item) => {
                        if !item.text.is_empty() {
                            item.text.push('\n');
                        }
                        item.text.push_str(&text);
                    }
                    None => self.emit(Block::paragraph(text)),
                }
            }
            TagEnd::DefinitionList => {}
            TagEnd::Heading(level) => {
                let text = std::mem::take(&mut self.buf).replace('\n', " ");
                if level as u8 == 1 && self.first_h1.is_none() {
                    self.first_h1 = Some(text.clone());
                }
                self.emit(Block::heading(level as u8, text));
            }
            TagEnd::BlockQuote(_) => {
                self.flush_item();
                self.quote_depth = self.quote_depth.saturating_sub(1);
                if self.quote_depth == 0 {
                    let text = std::mem::take(&mut self.quote);
                    if !text.trim().is_empty() {
                        self.push_out(Block::Quote { text });
                    }
                }
            }
            TagEnd::CodeBlock => {
                if let Some((language, text)) = self.code.take() {
                    self.emit(Block::Code { language, text });
                }
            }
            TagEnd::HtmlBlock => {
                if let Some(html) = self.html.take() {
                    let text = crate::html::fragment_text(&html);
                    let mut found = Vec::new();
                    paragraphs(&text, &mut found);
                    for block in found {
                        self.emit(block);
                    }
                }
            }
            TagEnd::List(_) => {
                self.flush_item();
                self.lists.pop();
            }
            TagEnd::Item => self.flush_item(),
            TagEnd::FootnoteDefinition => {
                self.flush_item();
                if let Some((label, text)) = self.footnote.take() {
                    self.blocks.push(Block::Note {
                        kind: NoteKind::Footnote,
                        label: Some(label),
                        text,
                    });
                }
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.emit(Block::Table(table));
                }
            }
            TagEnd::TableHead => {
                if let Some(table) = &mut self.table {
                    table.rows.push(std::mem::take(&mut self.row));
                    table.header_rows = 1;
                }
            }
            TagEnd::TableRow => {
                if let Some(table) = &mut self.table {
                    table.rows.push(std::mem::take(&mut self.row));
                }
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.buf).replace('\n', " ");
                self.row.push(cell);
            }
            TagEnd::Emphasis => self.buf.push('*'),
            TagEnd::Strong => self.buf.push_str("**"),
            TagEnd::Strikethrough => self.buf.push_str("~~"),
            TagEnd::Superscript | TagEnd::Subscript => {}
            TagEnd::Link | TagEnd::Image => {
                if let Some(Some(url)) = self.links.pop() {
                    self.buf.push_str("](");
                    self.buf.push_str(&url);
                    self.buf.push(')');
                }
            }
            TagEnd::MetadataBlock(_) => {
                self.in_metadata = false;
                for line in std::mem::take(&mut self.metadata_text).lines() {
                    if let Some((key, value)) = line.split_once(':') {
                        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
                        if !key.starts_with([' ', '-']) && !value.is_empty() {
                            self.metadata
                                .push((key.trim().to_string(), value.to_string()));
                        }
                    }
                }
            }
        }
    }

    /// The open list item, with any inline text not yet placed, becomes a block.
    fn flush_item(&mut self) {
        if let Some(mut item) = self.item.take() {
            let rest = std::mem::take(&mut self.buf);
            if !rest.is_empty() {
                if !item.text.is_empty() {
                    item.text.push('\n');
                }
                item.text.push_str(&rest);
            }
            if !item.text.trim().is_empty() {
                self.emit(Block::ListItem {
                    depth: item.depth,
                    marker: item.marker,
                    text: item.text,
                });
            }
        }
    }

    /// Place a finished block: inside a quote or footnote it becomes part of that text.
    fn emit(&mut self, block: Block) {
        if self.quote_depth > 0 {
            let text = match &block {
                Block::ListItem { marker, text, .. } => match marker {
                    ListMarker::Bullet => format!("- {text}"),
                    ListMarker::Number(n) => format!("{n} {text}"),
                },
                Block::Heading { text, .. } | Block::Paragraph { text } => text.clone(),
                Block::Code { text, .. } => text.clone(),
                Block::Table(t) => t
                    .rows
                    .iter()
                    .map(|r| r.join(" | "))
                    .collect::<Vec<_>>()
                    .join("\n"),
                other => {
                    let mut doc = Document::new(Format::Markdown);
                    let mut part = Part::new(PartKind::Section, 1);
                    part.blocks.push(other.clone());
                    doc.parts.push(part);
                    doc.plain_text()
                }
            };
            if !self.quote.is_empty() {
                self.quote.push_str("\n\n");
            }
            self.quote.push_str(text.trim_end());
        } else if let Some((_, note)) = &mut self.footnote {
            if let Block::Paragraph { text } | Block::ListItem { text, .. } = &block {
                if !note.is_empty() {
                    note.push('\n');
                }
                note.push_str(text);
            }
        } else {
            self.push_out(block);
        }
    }

    fn push_out(&mut self, block: Block) {
        let empty = matches!(&block, Block::Paragraph { text } if text.trim().is_empty());
        if !empty {
            self.blocks.push(block);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_from_markdown() {
        let md = "# Title\n\nSome *text* and [a link](http://x).\n\n3. three\n4. four\n   - nested\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n> more\n\n```rust\nfn main() {}\n```\n";
        let doc = read_markdown(md.as_bytes(), &ReadOptions::default()).unwrap();
        let blocks = &doc.parts[0].blocks;
        assert_eq!(doc.title.as_deref(), Some("Title"));
        assert_eq!(blocks[0], Block::heading(1, "Title"));
        assert_eq!(
            blocks[1],
            Block::paragraph("Some *text* and [a link](http://x).")
        );
        assert!(
            matches!(&blocks[2], Block::ListItem { marker: ListMarker::Number(n), text, depth: 0 } if n == "3." && text == "three")
        );
        assert!(
            matches!(&blocks[3], Block::ListItem { marker: ListMarker::Number(n), .. } if n == "4.")
        );
        assert!(matches!(
            &blocks[4],
            Block::ListItem {
                marker: ListMarker::Bullet,
                depth: 1,
                ..
            }
        ));
        let Block::Table(t) = &blocks[5] else {
            panic!("{:?}", blocks[5])
        };
        assert_eq!(t.rows, vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(
            blocks[6],
            Block::Quote {
                text: "quoted\nmore".into()
            }
        );
        assert!(
            matches!(&blocks[7], Block::Code { language: Some(l), text } if l == "rust" && text == "fn main() {}\n")
        );
    }
}
