//! Boilerplate removal and main-content choice, after Mozilla Readability's ideas:
//! drop what is never content (scripts, navigation, hidden elements, cookie banners …), score
//! paragraph containers by text and commas against link density, keep the best container and
//! its siblings that look like content. When no container stands out, the whole cleaned body
//! is kept: dropping real text is worse than keeping some chrome.

use super::tree::{Data, Dom, NodeId};

/// Never content.
const ALWAYS_DROP: [&str; 20] = [
    "script", "style", "noscript", "template", "head", "svg", "canvas", "iframe", "object",
    "embed", "button", "select", "input", "textarea", "link", "meta", "dialog", "map", "audio",
    "video",
];

/// Page chrome by element (kept when it holds the article, see `guarded`).
const CHROME_TAGS: [&str; 4] = ["nav", "aside", "footer", "form"];

const CHROME_ROLES: [&str; 10] = [
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "menu",
    "menubar",
    "dialog",
    "alertdialog",
    "tablist",
];

/// class/id fragments of navigation chrome: dropped when mostly links (a class like
/// MathJax's "CtxtMenu_Attached" must not take the formula with it).
const NAV_LIKE: [&str; 30] = [
    "ai2html",
    "breadcrumb",
    "combx",
    "community",
    "cover-wrap",
    "extra",
    "footer",
    "header",
    "legends",
    "menu",
    "related",
    "remark",
    "rss",
    "sidebar",
    "supplemental",
    "pagination",
    "pager",
    "yom-remote",
    "navbar",
    "navbox",
    "navigation",
    "skip-link",
    "mw-editsection",
    "catlinks",
    "printfooter",
    "mw-jump-link",
    "dropdown",
    "portlet",
    "vector-menu",
    "toolbar",
];

/// class/id fragments of chrome that is not links (Readability's "unlikely candidates" and
/// a few more): dropped whatever their link density.
const JUNK: [&str; 19] = [
    "-ad-",
    "ad-break",
    "agegate",
    "banner",
    "comment",
    "disqus",
    "gdpr",
    "cookie",
    "consent",
    "newsletter",
    "subscribe",
    "share",
    "social",
    "sponsor",
    "skyscraper",
    "popup",
    "promo",
    "shoutbox",
    "replies",
];

/// class/id fragments that save an element from `NAV_LIKE` and `JUNK`.
const MAYBE: [&str; 6] = ["article", "body", "column", "content", "main", "shadow"];

const POSITIVE: [&str; 12] = [
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
    "blog", "story",
];

const NEGATIVE: [&str; 22] = [
    "-ad-",
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "footer",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "widget",
];

/// How the content of a page is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A web page: drop chrome, pick the main content.
    Article,
    /// A mail body or fragment: keep everything visible.
    Whole,
}

/// What to render: the content roots in document order, and the nodes dropped (whole
/// subtrees: a node is skipped when it or an ancestor is dropped).
pub struct Selection {
    pub roots: Vec<NodeId>,
    pub dropped: Vec<bool>,
}

/// Per-node text measures, computed bottom-up once (children always have larger ids than
/// their parent, so one reverse pass suffices).
struct Measures {
    text: Vec<usize>,
    links: Vec<usize>,
    commas: Vec<usize>,
    has_main: Vec<bool>,
}

fn measure(dom: &Dom, dropped: &[bool]) -> Measures {
    let n = dom.nodes.len();
    let mut m = Measures {
        text: vec![0; n],
        links: vec![0; n],
        commas: vec![0; n],
        has_main: vec![false; n],
    };
    for id in (0..n).rev() {
        if dropped.get(id).copied().unwrap_or(false) {
            continue;
        }
        if let Some(node) = dom.nodes.get(id) {
            match &node.data {
                Data::Text(t) => {
                    // Script and style text is never shown: counting it would only skew the
                    // page's totals (and cost time on script-heavy pages).
                    let parent = node.parent.map_or("", |p| dom.name(p));
                    if !matches!(parent, "script" | "style" | "noscript" | "template") {
                        // Bytes, not chars: a relative measure, and much cheaper.
                        m.text[id] = t.bytes().filter(|b| !b.is_ascii_whitespace()).count();
                        m.commas[id] = t.matches([',', '，', '、']).count();
                    }
                }
                Data::Element(e) => {
                    if e.name == "a" {
                        m.links[id] = m.text[id];
                    }
                    if matches!(e.name.as_str(), "article" | "main")
                        || dom.attr(id, "role") == Some("main")
                    {
                        m.has_main[id] = true;
                    }
                }
                Data::Document => {}
            }
            if let Some(p) = node.parent {
                m.text[p] += m.text[id];
                m.links[p] += m.links[id];
                m.commas[p] += m.commas[id];
                m.has_main[p] |= m.has_main[id];
            }
        }
    }
    m
}

fn class_and_id(dom: &Dom, id: NodeId) -> String {
    let mut s = dom.attr(id, "class").unwrap_or("").to_ascii_lowercase();
    s.push(' ');
    s.push_str(&dom.attr(id, "id").unwrap_or("").to_ascii_lowercase());
    s
}

fn hidden(dom: &Dom, id: NodeId) -> bool {
    if dom.attr(id, "hidden").is_some() || dom.attr(id, "aria-hidden") == Some("true") {
        return true;
    }
    dom.attr(id, "style").is_some_and(|style| {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// The body element, or the root for fragments.
pub fn body(dom: &Dom) -> NodeId {
    dom.find(0, "body").unwrap_or(0)
}

/// Choose what to render.
pub fn select(dom: &Dom, mode: Mode) -> Selection {
    let n = dom.nodes.len();
    let root = body(dom);
    let mut dropped = vec![false; n];
    let before = measure(dom, &dropped);
    let total = before.text.get(root).copied().unwrap_or(0).max(1);
    // Top-down: a dropped node hides its subtree, so only the outermost is marked and its
    // descendants are never looked at.
    let mut stack = vec![0];
    while let Some(id) = stack.pop() {
        let name = dom.name(id);
        let drop = if ALWAYS_DROP.contains(&name) || hidden(dom, id) {
            true
        } else if mode == Mode::Article && id != root {
            chrome(dom, id, name, &before, total)
        } else {
            false
        };
        if drop {
            dropped[id] = true;
        } else {
            stack.extend(dom.children(id).iter().rev());
        }
    }
    if mode == Mode::Whole {
        return Selection {
            roots: vec![root],
            dropped,
        };
    }
    let roots = main_content(dom, root, &dropped);
    Selection { roots, dropped }
}

/// Whether an element is page chrome (navigation, banners, comments …).
fn chrome(dom: &Dom, id: NodeId, name: &str, m: &Measures, total: usize) -> bool {
    if name == "a" {
        // "Skip to main content" links are keyboard chrome.
        return dom.attr(id, "href").is_some_and(|h| h.starts_with('#'))
            && dom
                .text(id)
                .trim()
                .to_ascii_lowercase()
                .starts_with("skip to");
    }
    if matches!(name, "article" | "main" | "body" | "html" | "") {
        return false;
    }
    // An element holding the article, or most of the page's text, is a wrapper, not chrome.
    let guarded = m.has_main[id] || m.text[id] * 10 >= total * 4;
    if guarded {
        return false;
    }
    if CHROME_TAGS.contains(&name) {
        return true;
    }
    if name == "header" {
        // The article's own header (title, byline) stays; the site header goes.
        return !inside_article(dom, id) && dom.find(id, "h1").is_none();
    }
    if let Some(role) = dom.attr(id, "role")
        && CHROME_ROLES.contains(&role.to_ascii_lowercase().as_str())
    {
        return true;
    }
    let ci = class_and_id(dom, id);
    if ci.trim().is_empty() || inside(dom, id, &["table", "code", "pre"]) {
        return false;
    }
    if MAYBE.iter().any(|p| ci.contains(p)) {
        return false;
    }
    JUNK.iter().any(|p| ci.contains(p))
        || (NAV_LIKE.iter().any(|p| ci.contains(p)) && link_density(m, id) >= 0.3)
}

fn inside_article(dom: &Dom, id: NodeId) -> bool {
    inside(dom, id, &["article", "main"])
}

fn inside(dom: &Dom, id: NodeId, names: &[&str]) -> bool {
    let mut cur = dom.parent(id);
    let mut steps = 0;
    while let Some(p) = cur {
        if names.contains(&dom.name(p)) {
            return true;
        }
        steps += 1;
        if steps > 300 {
            break;
        }
        cur = dom.parent(p);
    }
    false
}

fn link_density(m: &Measures, id: NodeId) -> f64 {
    let text = m.text[id];
    if text == 0 {
        0.0
    } else {
        m.links[id] as f64 / text as f64
    }
}

fn class_weight(dom: &Dom, id: NodeId) -> f64 {
    let ci = class_and_id(dom, id);
    let mut w = 0.0;
    if POSITIVE.iter().any(|p| ci.contains(p)) {
        w += 25.0;
    }
    if NEGATIVE.iter().any(|p| ci.contains(p)) {
        w -= 25.0;
    }
    w
}

fn base_score(dom: &Dom, id: NodeId) -> f64 {
    let tag = match dom.name(id) {
        "div" | "article" | "main" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    tag + class_weight(dom, id)
}

const PARAGRAPHS: [&str; 6] = ["p", "pre", "td", "dd", "li", "blockquote"];
const BLOCKS: [&str; 16] = [
    "p",
    "div",
    "section",
    "article",
    "table",
    "ul",
    "ol",
    "dl",
    "pre",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// Readability's scoring; returns the roots to render.
fn main_content(dom: &Dom, root: NodeId, dropped: &[bool]) -> Vec<NodeId> {
    let m = measure(dom, dropped);
    let n = dom.nodes.len();
    let total = m.text[root].max(1);
    let mut score: Vec<Option<f64>> = vec![None; n];
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if dropped[id] {
            continue;
        }
        stack.extend(dom.children(id).iter().rev());
        let name = dom.name(id);
        let is_paragraph = PARAGRAPHS.contains(&name)
            || (matches!(name, "div" | "section")
                && !dom
                    .children(id)
                    .iter()
                    .any(|&c| BLOCKS.contains(&dom.name(c))));
        if !is_paragraph || m.text[id] < 25 {
            continue;
        }
        let points = 1.0 + m.commas[id] as f64 + (m.text[id] as f64 / 100.0).min(3.0);
        let mut ancestor = dom.parent(id);
        let mut level = 0usize;
        while let Some(a) = ancestor {
            if level >= 5 || dropped[a] {
                break;
            }
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f64 * 3.0,
            };
            let entry = score[a].get_or_insert_with(|| base_score(dom, a));
            *entry += points / divider;
            if a == root {
                break;
            }
            level += 1;
            ancestor = dom.parent(a);
        }
    }
    let mut best: Option<(NodeId, f64)> = None;
    for (id, s) in score.iter().enumerate() {
        if let Some(s) = s {
            let s = s * (1.0 - link_density(&m, id));
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((id, s));
            }
        }
    }
    let Some((mut top, top_score)) = best else {
        return vec![root];
    };
    // The article/main element around the winner carries its title and byline too.
    let mut cur = Some(top);
    while let Some(c) = cur {
        if c == root {
            break;
        }
        if matches!(dom.name(c), "article" | "main") || dom.attr(c, "role") == Some("main") {
            top = c;
            break;
        }
        cur = dom.parent(c);
    }
    // A winner that is its parent's only content is no better than the parent.
    while let Some(p) = dom.parent(top) {
        if p == root || p == 0 || m.text[top] * 10 < m.text[p] * 9 {
            break;
        }
        top = p;
    }
    let mut roots = Vec::new();
    match dom.parent(top) {
        Some(parent) if top != root => {
            let threshold = (top_score * 0.2).max(10.0);
            for &sib in dom.children(parent) {
                if dropped[sib] {
                    continue;
                }
                let keep = sib == top
                    || score[sib].is_some_and(|s| s * (1.0 - link_density(&m, sib)) >= threshold)
                    || content_like(dom, &m, sib);
                if keep {
                    roots.push(sib);
                }
            }
        }
        _ => roots.push(top),
    }
    let chosen: usize = roots.iter().map(|&r| m.text[r]).sum();
    // No clear winner (a portal, a list page): keep the whole cleaned body.
    if chosen * 4 < total {
        return vec![root];
    }
    roots
}

/// A sibling of the main content that reads like prose (Readability's sibling rule,
/// widened to any block: a caption or byline beside the article is content too), or a
/// heading or figure right beside it.
fn content_like(dom: &Dom, m: &Measures, id: NodeId) -> bool {
    let name = dom.name(id);
    if matches!(name, "h1" | "h2" | "h3" | "figure" | "img" | "picture") {
        return true;
    }
    let len = m.text[id];
    let density = link_density(m, id);
    if len > 80 || (name != "p" && len >= 25) {
        return density < 0.25;
    }
    name == "p" && len > 0 && density == 0.0 && {
        let text = dom.text(id);
        let t = text.trim_end();
        t.ends_with('.') || t.ends_with('。')
    }
}
