//! The chosen HTML nodes as blocks: headings, paragraphs, list items with their numbers,
//! tables, code, quotes, images; links as `[text](href)`, emphasis as `*`/`**`.

use cowork_docmodel::{Block, ListMarker, Table};

use super::tree::{Data, Dom, NodeId};
use crate::util::collapse_ws;

/// Elements that end the running paragraph.
const BLOCK_ELEMENTS: [&str; 30] = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "address",
    "figure",
    "figcaption",
    "center",
    "dl",
    "dt",
    "dd",
    "fieldset",
    "details",
    "summary",
    "hgroup",
    "body",
    "html",
    "form",
    "hr",
    "legend",
    "caption",
    "tbody",
    "thead",
    "tfoot",
    "tr",
];

/// Recursion depth of the walk at most (the tree is capped at 256 open elements, but a
/// flattened node can still nest its own children).
const MAX_WALK_DEPTH: usize = 400;

struct List {
    ordered: bool,
    next: i64,
    kind: char,
}

pub struct Converter<'a> {
    dom: &'a Dom,
    dropped: &'a [bool],
    pub blocks: Vec<Block>,
    line: String,
    lists: Vec<List>,
    /// The list item whose text is being gathered: depth and marker.
    item: Option<(u8, ListMarker)>,
    in_pre: usize,
    pub depth_capped: bool,
}

impl<'a> Converter<'a> {
    pub fn new(dom: &'a Dom, dropped: &'a [bool]) -> Converter<'a> {
        Converter {
            dom,
            dropped,
            blocks: Vec::new(),
            line: String::new(),
            lists: Vec::new(),
            item: None,
            in_pre: 0,
            depth_capped: false,
        }
    }

    /// Convert one root (and everything below it that is not dropped).
    pub fn convert(&mut self, root: NodeId) {
        self.node(root, 0);
        self.flush();
    }

    fn is_dropped(&self, id: NodeId) -> bool {
        self.dropped.get(id).copied().unwrap_or(false)
    }

    fn node(&mut self, id: NodeId, depth: usize) {
        if self.is_dropped(id) {
            return;
        }
        if depth > MAX_WALK_DEPTH {
            self.depth_capped = true;
            return;
        }
        let Some(node) = self.dom.nodes.get(id) else {
            return;
        };
        match &node.data {
            Data::Text(text) => self.text(text),
            Data::Document => self.children(id, depth),
            Data::Element(e) => self.element(id, e.name.as_str(), depth),
        }
    }

    fn children(&mut self, id: NodeId, depth: usize) {
        for &child in self.dom.children(id) {
            self.node(child, depth + 1);
        }
    }

    fn text(&mut self, text: &str) {
        if self.in_pre > 0 {
            self.line.push_str(text);
            return;
        }
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_whitespace() && c != '\u{a0}' {
                while chars
                    .peek()
                    .is_some_and(|c| c.is_whitespace() && *c != '\u{a0}')
                {
                    chars.next();
                }
                if !self.line.is_empty() && !self.line.ends_with([' ', '\n']) {
                    self.line.push(' ');
                }
            } else if c == '\u{a0}' {
                self.line.push(' ');
            } else {
                self.line.push(c);
            }
        }
    }

    /// Wrap what the children write in `open`/`close` (when they wrote anything).
    fn wrapped(&mut self, id: NodeId, depth: usize, open: &str, close: &str) {
        let start = self.line.len();
        self.children(id, depth);
        let inner = self.line.get(start..).unwrap_or("").to_string();
        let trimmed = inner.trim();
        if trimmed.is_empty() {
            return;
        }
        let lead = if inner.starts_with(' ') { " " } else { "" };
        let trail = if inner.ends_with(' ') { " " } else { "" };
        self.line.truncate(start);
        self.line.push_str(lead);
        self.line.push_str(open);
        self.line.push_str(trimmed);
        self.line.push_str(close);
        self.line.push_str(trail);
    }

    fn element(&mut self, id: NodeId, name: &str, depth: usize) {
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if self.item.is_some() {
                    self.children(id, depth);
                    return;
                }
                self.flush();
                self.children(id, depth);
                let text = collapse_ws(&std::mem::take(&mut self.line));
                if !text.is_empty() {
                    let level = name.as_bytes().get(1).map_or(1, |b| b.saturating_sub(b'0'));
                    self.blocks.push(Block::heading(level, text));
                }
            }
            "ul" | "ol" | "menu" | "dir" => {
                self.flush();
                let ordered = name == "ol";
                let start = self
                    .dom
                    .attr(id, "start")
                    .and_then(|s| s.trim().parse::<i64>().ok())
                    .unwrap_or(1);
                let kind = self
                    .dom
                    .attr(id, "type")
                    .and_then(|t| t.chars().next())
                    .filter(|c| matches!(c, 'a' | 'A' | 'i' | 'I'))
                    .unwrap_or('1');
                self.lists.push(List {
                    ordered,
                    next: start,
                    kind,
                });
                self.children(id, depth);
                self.flush();
                self.lists.pop();
            }
            "li" => {
                self.flush();
                let list_depth =
                    u8::try_from(self.lists.len().saturating_sub(1)).unwrap_or(u8::MAX);
                let marker = match self.lists.last_mut() {
                    Some(list) if list.ordered => {
                        if let Some(v) = self
                            .dom
                            .attr(id, "value")
                            .and_then(|v| v.trim().parse().ok())
                        {
                            list.next = v;
                        }
                        let label = number_label(list.next, list.kind);
                        list.next += 1;
                        ListMarker::Number(label)
                    }
                    _ => ListMarker::Bullet,
                };
                let outer = self.item.take();
                self.item = Some((list_depth, marker));
                self.children(id, depth);
                self.flush();
                self.item = outer;
            }
            "table" => self.table(id, depth),
            "pre" | "listing" | "xmp" | "plaintext" => {
                self.flush();
                self.in_pre += 1;
                self.children(id, depth);
                self.in_pre -= 1;
                let text = std::mem::take(&mut self.line);
                let text = text.trim_matches('\n').to_string();
                if !text.trim().is_empty() {
                    let language = self.code_language(id);
                    self.blocks.push(Block::Code { language, text });
                }
            }
            "blockquote" => {
                self.flush();
                let mut inner = Converter::new(self.dom, self.dropped);
                inner.children(id, depth);
                inner.flush();
                self.depth_capped |= inner.depth_capped;
                let text = blocks_text(&inner.blocks);
                if !text.trim().is_empty() {
                    self.blocks.push(Block::Quote { text });
                }
            }
            "br" => {
                let trimmed = self.line.trim_end_matches(' ').len();
                self.line.truncate(trimmed);
                self.line.push('\n');
            }
            "hr" => self.flush(),
            "img" => self.image(id),
            "a" => {
                let href = self.dom.attr(id, "href").map(str::trim).unwrap_or("");
                let linkable = !href.is_empty()
                    && !href.starts_with('#')
                    && !href.to_ascii_lowercase().starts_with("javascript:");
                if linkable && self.in_pre == 0 {
                    let close = format!("]({})", href.replace(' ', "%20"));
                    self.wrapped(id, depth, "[", &close);
                } else {
                    self.children(id, depth);
                }
            }
            "strong" | "b" if self.in_pre == 0 => self.wrapped(id, depth, "**", "**"),
            "em" | "i" if self.in_pre == 0 => self.wrapped(id, depth, "*", "*"),
            "code" | "kbd" | "samp" | "tt" if self.in_pre == 0 => self.wrapped(id, depth, "`", "`"),
            "title" => {}
            "td" | "th" => {
                // Cells of a layout table are blocks of their own.
                self.flush();
                self.children(id, depth);
                self.flush();
            }
            _ if BLOCK_ELEMENTS.contains(&name) => {
                if self.item.is_some() {
                    // Inside a list item a paragraph only separates text.
                    if !self.line.is_empty() && !self.line.ends_with([' ', '\n']) {
                        self.line.push(' ');
                    }
                    self.children(id, depth);
                    return;
                }
                self.flush();
                self.children(id, depth);
                self.flush();
            }
            _ => self.children(id, depth),
        }
    }

    fn code_language(&self, pre: NodeId) -> Option<String> {
        let from_class = |id: NodeId| {
            self.dom.attr(id, "class").and_then(|class| {
                class.split_whitespace().find_map(|c| {
                    c.strip_prefix("language-")
                        .or_else(|| c.strip_prefix("lang-"))
                        .map(str::to_string)
                })
            })
        };
        from_class(pre).or_else(|| {
            self.dom
                .children(pre)
                .iter()
                .find(|&&c| self.dom.name(c) == "code")
                .and_then(|&c| from_class(c))
        })
    }

    fn image(&mut self, id: NodeId) {
        let alt = collapse_ws(self.dom.attr(id, "alt").unwrap_or(""));
        // Lazy-loading pages keep the real address in data-src.
        let src = self
            .dom
            .attr(id, "src")
            .filter(|s| !s.trim().is_empty() && !s.starts_with("data:"))
            .or_else(|| self.dom.attr(id, "data-src"))
            .unwrap_or("")
            .trim();
        let target = (!src.is_empty() && !src.starts_with("data:")).then(|| src.to_string());
        if alt.is_empty() && target.is_none() {
            return;
        }
        if self.line.trim().is_empty() && self.item.is_none() {
            self.line.clear();
            self.blocks.push(Block::Image { alt, target });
        } else if !alt.is_empty() {
            if !self.line.ends_with([' ', '\n']) {
                self.line.push(' ');
            }
            self.line.push_str(&alt);
        }
    }

    /// End the running paragraph (or list item).
    fn flush(&mut self) {
        let raw = std::mem::take(&mut self.line);
        let text = tidy(&raw);
        if text.is_empty() {
            return;
        }
        match self.item.take() {
            Some((depth, marker)) => {
                self.blocks.push(Block::ListItem {
                    depth,
                    marker,
                    text,
                });
                // Text of the same item after a nested list goes on as a plain item.
                self.item = Some((depth, ListMarker::Bullet));
            }
            None => self.blocks.push(Block::Paragraph { text }),
        }
    }

    fn table(&mut self, id: NodeId, depth: usize) {
        // Decide layout vs data from the structure alone: cell texts are only worked out for
        // data tables (working them out for layout tables too would convert nested layout
        // tables again at every level — exponential in their depth).
        let rows = self.table_row_ids(id);
        let cols = rows.iter().map(|(_, cells)| cells.len()).max().unwrap_or(0);
        let nested = self
            .dom
            .descendants(id)
            .skip(1)
            .any(|n| self.dom.name(n) == "table" && !self.is_dropped(n));
        if nested || cols <= 1 {
            // A layout table: its cells are page regions, not data.
            self.flush();
            self.children(id, depth);
            self.flush();
            return;
        }
        let rows: Vec<(bool, Vec<String>)> = rows
            .into_iter()
            .map(|(is_header, cells)| {
                let mut texts = Vec::with_capacity(cells.len());
                for (cell, span) in cells {
                    texts.push(self.cell_text(cell));
                    texts.extend(std::iter::repeat_n(String::new(), span - 1));
                }
                (is_header, texts)
            })
            .collect();
        self.flush();
        let mut table = Table::default();
        let caption = self
            .dom
            .children(id)
            .iter()
            .find(|&&c| self.dom.name(c) == "caption")
            .map(|&c| collapse_ws(&self.dom.text(c)))
            .filter(|c| !c.is_empty());
        table.caption = caption;
        let mut header_rows = 0;
        let mut still_header = true;
        for (is_header, cells) in rows {
            if still_header && is_header {
                header_rows += 1;
            } else {
                still_header = false;
            }
            table.rows.push(cells);
        }
        table.header_rows = header_rows.min(1);
        if !table.rows.is_empty() {
            self.blocks.push(Block::Table(table));
        }
    }

    /// Rows of a table (not of tables nested in it): whether each is a header row, and its
    /// cells with their column span.
    fn table_row_ids(&self, table: NodeId) -> Vec<(bool, Vec<(NodeId, usize)>)> {
        let mut rows = Vec::new();
        let mut stack: Vec<(NodeId, bool)> = self
            .dom
            .children(table)
            .iter()
            .rev()
            .map(|&c| (c, false))
            .collect();
        while let Some((id, in_head)) = stack.pop() {
            if self.is_dropped(id) {
                continue;
            }
            match self.dom.name(id) {
                "thead" => stack.extend(self.dom.children(id).iter().rev().map(|&c| (c, true))),
                "tbody" | "tfoot" => {
                    stack.extend(self.dom.children(id).iter().rev().map(|&c| (c, false)))
                }
                "tr" => {
                    let mut cells = Vec::new();
                    let mut all_th = true;
                    for &cell in self.dom.children(id) {
                        let name = self.dom.name(cell);
                        if !matches!(name, "td" | "th") || self.is_dropped(cell) {
                            continue;
                        }
                        all_th &= name == "th";
                        let span = self
                            .dom
                            .attr(cell, "colspan")
                            .and_then(|s| s.trim().parse::<usize>().ok())
                            .unwrap_or(1)
                            .clamp(1, 50);
                        cells.push((cell, span));
                    }
                    if !cells.is_empty() {
                        rows.push((in_head || all_th, cells));
                    }
                }
                _ => {}
            }
        }
        rows
    }

    fn cell_text(&self, cell: NodeId) -> String {
        let mut inner = Converter::new(self.dom, self.dropped);
        inner.children(cell, 0);
        inner.flush();
        collapse_ws(&blocks_text(&inner.blocks))
    }
}

/// Trim spaces around line breaks and at the ends.
fn tidy(raw: &str) -> String {
    let lines: Vec<&str> = raw.split('\n').map(str::trim).collect();
    let joined = lines.join("\n");
    joined.trim_matches('\n').trim().to_string()
}

/// The plain text of converted blocks, one block per paragraph.
pub fn blocks_text(blocks: &[Block]) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(blocks.len());
    for block in blocks {
        let text = match block {
            Block::Heading { text, .. }
            | Block::Paragraph { text }
            | Block::Code { text, .. }
            | Block::Quote { text }
            | Block::Revision { text, .. } => text.clone(),
            Block::ListItem { marker, text, .. } => match marker {
                ListMarker::Bullet => format!("- {text}"),
                ListMarker::Number(n) => format!("{n} {text}"),
            },
            Block::Table(t) => t
                .rows
                .iter()
                .map(|r| r.join(" | "))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Image { alt, .. } => alt.clone(),
            Block::Note { text, .. } => text.clone(),
            Block::FormField { name, value } => format!("{name}: {value}"),
        };
        if !text.trim().is_empty() {
            parts.push(text);
        }
    }
    parts.join("\n\n")
}

/// "3" as the list shows it: 3., c., C., iii., III.
fn number_label(n: i64, kind: char) -> String {
    match kind {
        'a' | 'A' if n >= 1 => {
            let mut s = String::new();
            let mut k = n;
            while k > 0 {
                k -= 1;
                let c = (b'a' + (k % 26) as u8) as char;
                s.insert(0, c);
                k /= 26;
            }
            if kind == 'A' {
                s = s.to_ascii_uppercase();
            }
            format!("{s}.")
        }
        'i' | 'I' if (1..4000).contains(&n) => {
            let s = roman(n);
            if kind == 'I' {
                format!("{}.", s.to_ascii_uppercase())
            } else {
                format!("{s}.")
            }
        }
        _ => format!("{n}."),
    }
}

fn roman(mut n: i64) -> String {
    const TABLE: [(i64, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut s = String::new();
    for (value, digits) in TABLE {
        while n >= value {
            s.push_str(digits);
            n -= value;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_labels() {
        assert_eq!(number_label(3, '1'), "3.");
        assert_eq!(number_label(3, 'a'), "c.");
        assert_eq!(number_label(28, 'A'), "AB.");
        assert_eq!(number_label(4, 'i'), "iv.");
        assert_eq!(number_label(14, 'I'), "XIV.");
    }
}
