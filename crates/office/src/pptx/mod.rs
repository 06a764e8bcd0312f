//! The pptx reader: a PresentationML package into one [`PartKind::Slide`] part per slide, in
//! presentation order (`p:sldIdLst`, not file names), honouring the page range and part limit
//! of the [`ReadOptions`].

mod shapes;
mod slide;

use std::collections::{BTreeMap, HashMap, HashSet};

use cowork_docmodel::{Chunk, DocError, Document, Format, ReadOptions};

use crate::opc::{Package, Rels};
use crate::xml::{Ev, Xml, XmlError};
use shapes::ShapeReader;
use slide::Positions;

/// What the slides of one deck share while they are read.
pub(crate) struct Deck<'d, 'a> {
    pub(crate) pkg: &'d mut Package<'a>,
    /// Comment author id → name.
    pub(crate) authors: HashMap<String, String>,
    /// Placeholder positions per layout part: (layout, its master).
    layouts: HashMap<String, (Positions, Positions)>,
    masters: HashMap<String, Positions>,
    /// Layouts and masters whose own text was already given.
    pub(crate) shown: HashSet<String>,
    skipped: BTreeMap<&'static str, usize>,
}

impl Deck<'_, '_> {
    pub(crate) fn skip(&mut self, what: &'static str) {
        *self.skipped.entry(what).or_insert(0) += 1;
    }

    /// Placeholder positions of a layout and its master (read once per deck).
    pub(crate) fn positions(
        &mut self,
        layout: &str,
        doc: &mut Document,
    ) -> Result<(Positions, Positions), DocError> {
        if let Some(found) = self.layouts.get(layout) {
            return Ok(found.clone());
        }
        let own = self.part_positions(layout, doc)?;
        let rels = self.pkg.rels(layout, doc)?;
        let master = match rels.first_of("slideMaster") {
            Some(rel) => {
                let target = rel.target.clone();
                match self.masters.get(&target) {
                    Some(found) => found.clone(),
                    None => {
                        let found = self.part_positions(&target, doc)?;
                        self.masters.insert(target, found.clone());
                        found
                    }
                }
            }
            None => Positions::default(),
        };
        let pair = (own, master);
        self.layouts.insert(layout.to_string(), pair.clone());
        Ok(pair)
    }

    fn part_positions(&mut self, part: &str, doc: &mut Document) -> Result<Positions, DocError> {
        let Some(text) = self.pkg.read_optional(part, doc)? else {
            return Ok(Positions::default());
        };
        match ShapeReader::new(&text, &Rels::default()).read() {
            Ok((shapes, _)) => Ok(Positions::from_shapes(part, &shapes)),
            Err(XmlError::TooDeep) => Err(DocError::corrupt(
                Format::Pptx,
                format!("{part}: {}", XmlError::TooDeep),
            )),
            Err(e) => {
                doc.warn(
                    None,
                    format!("{part} unreadable ({e}); slide order may suffer"),
                );
                Ok(Positions::default())
            }
        }
    }
}

/// Read a pptx (also pptm/potx) file.
pub fn read_pptx(bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    let mut pkg = Package::open(bytes, Format::Pptx, opts)?;
    let mut doc = Document::new(Format::Pptx);
    let root = pkg.rels("", &mut doc)?;
    let main = pkg.main_part(&root, "ppt/presentation.xml", &mut doc)?;
    pkg.read_properties(&root, &mut doc)?;
    let rels = pkg.rels(&main, &mut doc)?;
    let presentation = pkg.read_text(&main)?.ok_or_else(|| {
        DocError::corrupt(Format::Pptx, format!("the main part {main} is missing"))
    })?;
    crate::opc::check_root(&presentation, "presentation", Format::Pptx)?;
    let slides = match slide_order(&presentation, &rels) {
        Ok(slides) => slides,
        Err(e) => {
            return Err(DocError::corrupt(Format::Pptx, format!("{main}: {e}")));
        }
    };
    let total = slides.len();
    doc.total_parts = Some(total);
    let wanted: Vec<usize> = (1..=total)
        .filter(|n| opts.pages.is_none_or(|r| r.contains(*n)))
        .collect();
    if let Some(range) = opts.pages
        && wanted.is_empty()
        && total > 0
    {
        return Err(DocError::InvalidOption {
            detail: format!(
                "slides {}-{} asked, but the presentation has {total} slide(s); ask for 1-{total}",
                range.first,
                if range.last == usize::MAX {
                    "end".to_string()
                } else {
                    range.last.to_string()
                }
            ),
        });
    }
    let limit = opts.max_parts.max(1);
    let read: Vec<usize> = wanted.iter().copied().take(limit).collect();

    let mut authors = HashMap::new();
    for rel in rels
        .list
        .iter()
        .filter(|r| !r.external && matches!(r.kind.as_str(), "commentAuthors" | "authors"))
    {
        if let Some(text) = pkg.read_optional(&rel.target, &mut doc)? {
            match comment_authors(&text) {
                Ok(found) => authors.extend(found),
                Err(e) => doc.warn(None, format!("{} unreadable: {e}", rel.target)),
            }
        }
    }
    let mut deck = Deck {
        pkg: &mut pkg,
        authors,
        layouts: HashMap::new(),
        masters: HashMap::new(),
        shown: HashSet::new(),
        skipped: BTreeMap::new(),
    };
    for &number in &read {
        let Some(target) = slides.get(number - 1) else {
            continue;
        };
        let part = slide::read_slide(&mut deck, number, target, &mut doc)?;
        doc.parts.push(part);
    }
    for (what, count) in std::mem::take(&mut deck.skipped) {
        let times = if count == 1 {
            String::new()
        } else {
            format!(" ({count}×)")
        };
        doc.warn(None, format!("{what} was skipped{times}"));
    }

    // Where to read on: the rest of the asked range, else the slides after it.
    if let Some(&last) = read.last()
        && last < total
    {
        let end = opts.pages.map_or(total, |r| r.last.min(total));
        let (first, last) = if wanted.len() > read.len() {
            let first = wanted.get(read.len()).copied().unwrap_or(last + 1);
            (first, first.saturating_add(limit - 1).min(end))
        } else {
            let first = last + 1;
            (first, first.saturating_add(read.len() - 1).min(total))
        };
        doc.next = Some(Chunk::Pages { first, last });
    }
    if doc.title.is_none() {
        doc.title = doc.parts.first().and_then(|p| p.name.clone());
    }
    Ok(doc)
}

/// Slide parts in presentation order: `p:sldIdLst` through the presentation's relationships;
/// decks without the list fall back to the slide relationships in file-name number order.
fn slide_order(presentation: &str, rels: &Rels) -> Result<Vec<String>, XmlError> {
    let mut slides = Vec::new();
    let mut xml = Xml::new(presentation);
    loop {
        match xml.next()? {
            Ev::Start(e) if e.local() == "sldId" => {
                if let Some(target) = e
                    .attr_ns("id")
                    .and_then(|id| rels.target_of(&id, &["slide"]).map(str::to_string))
                {
                    slides.push(target);
                }
            }
            // Only the slide list matters; the rest is styles and sizes.
            Ev::Start(e) if matches!(e.local(), "defaultTextStyle" | "extLst") => {
                drop(e);
                xml.skip()?
            }
            Ev::Eof => break,
            Ev::Start(_) | Ev::End | Ev::Text(_) => {}
        }
    }
    if slides.is_empty() {
        let mut listed: Vec<(u64, String)> = rels
            .list
            .iter()
            .filter(|r| r.kind == "slide" && !r.external)
            .map(|r| (trailing_number(&r.target), r.target.clone()))
            .collect();
        listed.sort();
        slides = listed.into_iter().map(|(_, t)| t).collect();
    }
    Ok(slides)
}

/// `ppt/slides/slide12.xml` → 12.
fn trailing_number(name: &str) -> u64 {
    let stem = name.trim_end_matches(".xml");
    let digits: String = stem
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().unwrap_or(u64::MAX)
}

/// Comment authors (legacy `p:cmAuthor` and modern `p188:author`): id → name.
fn comment_authors(text: &str) -> Result<HashMap<String, String>, XmlError> {
    let mut out = HashMap::new();
    let mut xml = Xml::new(text);
    loop {
        match xml.next()? {
            Ev::Start(e) if matches!(e.local(), "cmAuthor" | "author") => {
                if let (Some(id), Some(name)) = (e.attr_plain("id"), e.attr_plain("name")) {
                    out.insert(id, name);
                }
            }
            Ev::Eof => return Ok(out),
            Ev::Start(_) | Ev::End | Ev::Text(_) => {}
        }
    }
}
