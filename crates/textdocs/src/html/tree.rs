//! An HTML document tree built from html5gum's WHATWG tokens.
//!
//! Why not html5ever's tree builder: its "has an element in scope" checks walk the whole stack
//! of open elements on many start tags, so 100k nested `<div>`s cost O(n²) and the recursive
//! trees it feeds need care to drop; it also costs more to compile. For reading text, the
//! rules that matter are few and kept here: void elements, the implied ends of `p`, `li`,
//! `dt`/`dd`, table rows and cells, `option`, headings and links, end tags that close what is
//! open above them, and a nesting cap beyond which elements are flattened into their parent.

use std::collections::HashMap;

use html5gum::{DefaultEmitter, Token, Tokenizer};

/// Open elements kept at most; deeper start tags add their content to the deepest one.
pub const MAX_DEPTH: usize = 256;

pub type NodeId = usize;

#[derive(Debug)]
pub struct Element {
    /// Lowercase tag name.
    pub name: String,
    /// The attributes readers use (id, class, href …), lowercase names.
    pub attrs: Vec<(String, String)>,
}

#[derive(Debug)]
pub enum Data {
    Document,
    Element(Element),
    Text(String),
}

#[derive(Debug)]
pub struct Node {
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
    pub data: Data,
}

/// The parsed document: node 0 is the root.
#[derive(Debug)]
pub struct Dom {
    pub nodes: Vec<Node>,
    /// Some elements were nested deeper than [`MAX_DEPTH`] and were flattened.
    pub depth_capped: bool,
}

/// Attributes worth keeping: the rest (data-*, style classes of frameworks …) only costs memory.
const KEPT_ATTRS: [&str; 23] = [
    "id",
    "class",
    "href",
    "src",
    "alt",
    "title",
    "name",
    "content",
    "property",
    "charset",
    "http-equiv",
    "role",
    "aria-hidden",
    "hidden",
    "style",
    "start",
    "value",
    "type",
    "itemprop",
    "lang",
    "colspan",
    "rowspan",
    "data-src",
];

/// What may sit in `<head>`: any other start tag means the head was left open.
const HEAD_CONTENT: [&str; 9] = [
    "title", "meta", "link", "style", "script", "base", "noscript", "template", "head",
];

const VOID: [&str; 16] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "frame",
];

/// Start tags that close an open `<p>` (the HTML spec's list, abridged).
const CLOSES_P: [&str; 33] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

impl Dom {
    /// Parse HTML text. Never fails: tag soup is fixed up as well as these rules allow.
    pub fn parse(html: &str) -> Dom {
        let mut emitter = DefaultEmitter::default();
        emitter.naively_switch_states(true);
        let mut builder = Builder {
            dom: Dom {
                nodes: vec![Node {
                    parent: None,
                    children: Vec::new(),
                    data: Data::Document,
                }],
                depth_capped: false,
            },
            open: vec![0],
            open_names: HashMap::new(),
            foreign: 0,
        };
        for token in Tokenizer::new_with_emitter(html, emitter) {
            let Ok(token) = token;
            match token {
                Token::StartTag(tag) => {
                    let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                    let attrs = tag
                        .attributes
                        .iter()
                        .filter_map(|(k, v)| {
                            let key = String::from_utf8_lossy(k).to_ascii_lowercase();
                            KEPT_ATTRS
                                .contains(&key.as_str())
                                .then(|| (key, String::from_utf8_lossy(&v.value).into_owned()))
                        })
                        .collect();
                    builder.start(name, attrs, tag.self_closing);
                }
                Token::EndTag(tag) => {
                    let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                    builder.end(&name);
                }
                Token::String(text) => builder.text(&String::from_utf8_lossy(&text.value)),
                Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
            }
        }
        builder.dom
    }

    /// The element's lowercase name, or "" for text and the root.
    pub fn name(&self, id: NodeId) -> &str {
        match self.nodes.get(id).map(|n| &n.data) {
            Some(Data::Element(e)) => &e.name,
            _ => "",
        }
    }

    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        match self.nodes.get(id).map(|n| &n.data) {
            Some(Data::Element(e)) => e
                .attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }

    pub fn children(&self, id: NodeId) -> &[NodeId] {
        self.nodes.get(id).map_or(&[], |n| n.children.as_slice())
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.nodes.get(id).and_then(|n| n.parent)
    }

    /// The node and all below it, in document order (iterative: no recursion on depth).
    pub fn descendants(&self, id: NodeId) -> Descendants<'_> {
        Descendants {
            dom: self,
            stack: vec![id],
        }
    }

    /// The first element with this name, in document order.
    pub fn find(&self, from: NodeId, name: &str) -> Option<NodeId> {
        self.descendants(from).find(|&n| self.name(n) == name)
    }

    /// Concatenated text below a node.
    pub fn text(&self, id: NodeId) -> String {
        let mut out = String::new();
        for n in self.descendants(id) {
            if let Some(Node {
                data: Data::Text(t),
                ..
            }) = self.nodes.get(n)
            {
                out.push_str(t);
            }
        }
        out
    }
}

pub struct Descendants<'a> {
    dom: &'a Dom,
    stack: Vec<NodeId>,
}

impl Iterator for Descendants<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let id = self.stack.pop()?;
        self.stack.extend(self.dom.children(id).iter().rev());
        Some(id)
    }
}

struct Builder {
    dom: Dom,
    /// Stack of open elements; `open[0]` is the root.
    open: Vec<NodeId>,
    /// How many elements of each name are open: most searches of the stack are for a name
    /// that is not open at all, and this answers those at once (100k nested `<div>`s would
    /// otherwise scan the whole stack on every tag).
    open_names: HashMap<String, usize>,
    /// Open `svg`/`math` elements: inside them `<x/>` really closes.
    foreign: usize,
}

impl Builder {
    fn current(&self) -> NodeId {
        self.open.last().copied().unwrap_or(0)
    }

    fn append(&mut self, data: Data) -> NodeId {
        let parent = self.current();
        let id = self.dom.nodes.len();
        self.dom.nodes.push(Node {
            parent: Some(parent),
            children: Vec::new(),
            data,
        });
        if let Some(p) = self.dom.nodes.get_mut(parent) {
            p.children.push(id);
        }
        id
    }

    fn open_name(&self, index: usize) -> &str {
        self.open.get(index).map_or("", |&id| self.dom.name(id))
    }

    /// Index in `open` of the nearest element named `name`, not looking past a boundary.
    fn find_open(&self, names: &[&str], boundaries: &[&str]) -> Option<usize> {
        if !names
            .iter()
            .any(|n| self.open_names.get(*n).is_some_and(|c| *c > 0))
        {
            return None;
        }
        for i in (1..self.open.len()).rev() {
            let name = self.open_name(i);
            if names.contains(&name) {
                return Some(i);
            }
            if boundaries.contains(&name) {
                return None;
            }
        }
        None
    }

    fn close_to(&mut self, index: usize) {
        while self.open.len() > index.max(1) {
            if let Some(id) = self.open.pop() {
                let name = self.dom.name(id);
                if matches!(name, "svg" | "math") {
                    self.foreign = self.foreign.saturating_sub(1);
                }
                if let Some(count) = self.open_names.get_mut(name) {
                    *count = count.saturating_sub(1);
                }
            }
        }
    }

    fn start(&mut self, name: String, attrs: Vec<(String, String)>, self_closing: bool) {
        const SCOPE: [&str; 8] = [
            "table", "td", "th", "html", "button", "object", "template", "caption",
        ];
        if self.foreign == 0 {
            let n = name.as_str();
            if !HEAD_CONTENT.contains(&n)
                && let Some(i) = self.find_open(&["head"], &[])
            {
                self.close_to(i);
            }
            if CLOSES_P.contains(&n)
                && let Some(i) = self.find_open(&["p"], &SCOPE)
            {
                self.close_to(i);
            }
            let implied: Option<(&[&str], &[&str])> = match n {
                "li" => Some((&["li"], &["ul", "ol", "menu", "table"])),
                "dt" | "dd" => Some((&["dt", "dd"], &["dl", "table"])),
                "tr" => Some((&["tr"], &["table"])),
                "td" | "th" => Some((&["td", "th"], &["tr", "table"])),
                "thead" | "tbody" | "tfoot" => Some((&["thead", "tbody", "tfoot"], &["table"])),
                "option" => Some((&["option"], &["select", "datalist"])),
                "a" => Some((&["a"], &SCOPE)),
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Some((
                    &["h1", "h2", "h3", "h4", "h5", "h6"],
                    &["div", "section", "article"],
                )),
                _ => None,
            };
            if let Some((names, boundaries)) = implied
                && let Some(i) = self.find_open(names, boundaries)
            {
                self.close_to(i);
            }
            // A new row or row group closes an open cell or row first.
            if matches!(n, "tr" | "thead" | "tbody" | "tfoot")
                && let Some(i) = self.find_open(&["td", "th", "tr"], &["table"])
            {
                self.close_to(i);
            }
        }
        let void = VOID.contains(&name.as_str()) || (self_closing && self.foreign > 0);
        let is_foreign = matches!(name.as_str(), "svg" | "math");
        let id = self.append(Data::Element(Element { name, attrs }));
        if void {
            return;
        }
        if self.open.len() >= MAX_DEPTH {
            self.dom.depth_capped = true;
            return;
        }
        if is_foreign {
            self.foreign += 1;
        }
        *self
            .open_names
            .entry(self.dom.name(id).to_string())
            .or_insert(0) += 1;
        self.open.push(id);
    }

    fn end(&mut self, name: &str) {
        match name {
            "br" => {
                self.append(Data::Element(Element {
                    name: "br".into(),
                    attrs: Vec::new(),
                }));
            }
            // Content after </body> or </html> still belongs to the body.
            "body" | "html" => {}
            "p" if self.find_open(&["p"], &[]).is_none() => {}
            _ => {
                if let Some(i) = self.find_open(&[name], &[]) {
                    self.close_to(i);
                }
            }
        }
    }

    fn text(&mut self, text: &str) {
        let current = self.current();
        let last = self
            .dom
            .nodes
            .get(current)
            .and_then(|n| n.children.last().copied());
        if let Some(Node {
            data: Data::Text(existing),
            ..
        }) = last.and_then(|id| self.dom.nodes.get_mut(id))
        {
            existing.push_str(text);
            return;
        }
        self.append(Data::Text(text.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implied_ends_and_voids() {
        let dom =
            Dom::parse("<ul><li>a<li>b</ul><p>one<p>two<br>three<table><tr><td>x<td>y</table>");
        let lis: Vec<_> = dom
            .descendants(0)
            .filter(|&n| dom.name(n) == "li")
            .collect();
        assert_eq!(lis.len(), 2);
        assert_eq!(dom.text(lis[0]), "a");
        let ps: Vec<_> = dom.descendants(0).filter(|&n| dom.name(n) == "p").collect();
        assert_eq!(dom.text(ps[0]), "one");
        // A table closes the open paragraph.
        assert_eq!(dom.text(ps[1]), "twothree");
        let tds: Vec<_> = dom
            .descendants(0)
            .filter(|&n| dom.name(n) == "td")
            .collect();
        assert_eq!(tds.len(), 2);
        assert_eq!(dom.text(tds[0]), "x");
    }

    #[test]
    fn scripts_are_raw_and_entities_decoded() {
        let dom =
            Dom::parse("<script>if (a < b) { x = '<p>'; }</script><p>Tom &amp; Jerry&nbsp;!</p>");
        let p = dom.find(0, "p").unwrap();
        assert_eq!(dom.text(p), "Tom & Jerry\u{a0}!");
        let script = dom.find(0, "script").unwrap();
        assert!(dom.text(script).contains("'<p>'"));
    }

    #[test]
    fn deep_nesting_is_capped() {
        let html = "<div>".repeat(10_000) + "deep" + &"</div>".repeat(10_000);
        let dom = Dom::parse(&html);
        assert!(dom.depth_capped);
        assert_eq!(dom.text(0), "deep");
    }
}
