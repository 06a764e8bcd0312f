//! The docx reader: a WordprocessingML package into one [`PartKind::Section`] of blocks.
//!
//! Order of work: package relationships → main part (named by the `officeDocument`
//! relationship, so Strict and renamed parts work) → properties, styles, numbering, settings
//! and comments → the body in one streaming pass → headers/footers and notes referenced from
//! it. Damaged secondary parts become warnings; a damaged body keeps the text read so far.

mod body;
mod math;
mod notes;
mod numbering;
mod para;
mod styles;

use std::collections::{BTreeMap, HashMap, HashSet};

use cowork_docmodel::{
    Block, DocError, Document, Format, NoteKind, Part, PartKind, ReadOptions, Table,
};

use crate::opc::{Package, Rels};
use crate::xml::{Xml, XmlError};
use body::Body;
use notes::{Comment, NoteRefs};
use numbering::{Counters, NumberingDefs};
use styles::Styles;

pub(crate) use numbering::format_number;

/// What every part reader of one document shares.
pub(crate) struct Ctx<'d, 'a> {
    pkg: &'d mut Package<'a>,
    pub(crate) styles: &'d Styles,
    pub(crate) counters: Counters<'d>,
    /// Relationships of the part being read (hyperlinks, images, charts resolve through them).
    pub(crate) rels: Rels,
    pub(crate) notes: NoteRefs,
    comments: HashMap<String, Comment>,
    comments_used: HashSet<String>,
    /// Header and footer parts in the order sections reference them.
    pub(crate) sections: Vec<(NoteKind, String)>,
    skipped: BTreeMap<&'static str, usize>,
    warnings: Vec<String>,
}

impl Ctx<'_, '_> {
    /// Count something left out, for one warning per kind at the end.
    pub(crate) fn skipped(&mut self, what: &'static str) {
        *self.skipped.entry(what).or_insert(0) += 1;
    }

    /// The note of comment `id` the first time it is referenced.
    pub(crate) fn take_comment(&mut self, id: &str) -> Option<Block> {
        if !self.comments_used.insert(id.to_string()) {
            return None;
        }
        let comment = self.comments.get(id)?;
        Some(Block::Note {
            kind: NoteKind::Comment,
            label: comment.author.clone(),
            text: comment.text.clone(),
        })
    }

    /// A part named by relationship `id` of the given kinds, as text; problems are warnings.
    fn related_part(&mut self, id: &str, kinds: &[&str]) -> Option<(String, String)> {
        let target = self.rels.target_of(id, kinds)?.to_string();
        match self.pkg.read_text(&target) {
            Ok(Some(text)) => Some((target, text)),
            Ok(None) => {
                self.warnings.push(format!("part {target} is missing"));
                None
            }
            Err(e) => {
                self.warnings.push(format!("part {target} skipped: {e}"));
                None
            }
        }
    }

    /// The chart of relationship `id` as a table of its cached data.
    pub(crate) fn chart(&mut self, id: &str) -> Option<Table> {
        let (target, text) = self.related_part(id, &["chart"])?;
        match crate::chart::chart_table(&text) {
            Ok(Some(table)) => Some(table),
            Ok(None) => {
                self.skipped("a chart without cached data");
                None
            }
            Err(e) => {
                self.warnings
                    .push(format!("chart {target} unreadable: {e}"));
                None
            }
        }
    }

    /// The text of a SmartArt diagram's data part, one line per text paragraph.
    pub(crate) fn diagram(&mut self, id: &str) -> Option<String> {
        let (target, text) = self.related_part(id, &["diagramData"])?;
        let mut xml = Xml::new(&text);
        match xml.text_of(&["p"]) {
            Ok(text) => {
                let lines: Vec<&str> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect();
                (!lines.is_empty()).then(|| lines.join("\n"))
            }
            Err(e) => {
                self.warnings
                    .push(format!("diagram {target} unreadable: {e}"));
                None
            }
        }
    }
}

/// Read a docx (also docm/dotx) file.
pub fn read_docx(bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    let mut pkg = Package::open(bytes, Format::Docx, opts)?;
    let mut doc = Document::new(Format::Docx);
    let root = pkg.rels("", &mut doc)?;
    let main = pkg.main_part(&root, "word/document.xml", &mut doc)?;
    pkg.read_properties(&root, &mut doc)?;
    let rels = pkg.rels(&main, &mut doc)?;

    let styles = match read_related(&mut pkg, &rels, "styles", &mut doc)? {
        Some((part, text)) => parse_or_warn(&mut doc, &part, Styles::parse(&text)),
        None => Styles::default(),
    };
    let defs = match read_related(&mut pkg, &rels, "numbering", &mut doc)? {
        Some((part, text)) => parse_or_warn(&mut doc, &part, NumberingDefs::parse(&text)),
        None => NumberingDefs::default(),
    };
    let mut notes = NoteRefs::default();
    if let Some((part, text)) = read_related(&mut pkg, &rels, "settings", &mut doc)? {
        let result = notes.configure(&text);
        parse_or_warn(&mut doc, &part, result.map(|_| ()));
    }
    let body_text = pkg.read_text(&main)?.ok_or_else(|| {
        DocError::corrupt(Format::Docx, format!("the main part {main} is missing"))
    })?;
    crate::opc::check_root(&body_text, "document", Format::Docx)?;
    let footnotes = read_related(&mut pkg, &rels, "footnotes", &mut doc)?;
    let endnotes = read_related(&mut pkg, &rels, "endnotes", &mut doc)?;
    let comments = read_related(&mut pkg, &rels, "comments", &mut doc)?;

    let mut ctx = Ctx {
        pkg: &mut pkg,
        styles: &styles,
        counters: Counters::new(&defs),
        rels: Rels::default(),
        notes,
        comments: HashMap::new(),
        comments_used: HashSet::new(),
        sections: Vec::new(),
        skipped: BTreeMap::new(),
        warnings: Vec::new(),
    };
    // Comments first: the body places each after the paragraph that references it.
    let mut comment_order = Vec::new();
    if let Some((part, text)) = comments {
        ctx.rels = ctx.pkg.rels(&part, &mut doc)?;
        // Lists inside comments must not advance the body's list numbers.
        let body_counters = std::mem::replace(&mut ctx.counters, Counters::new(&defs));
        let list = aux_part(&mut doc, &part, notes::read_comments(&text, &mut ctx))?;
        ctx.counters = body_counters;
        for (id, comment) in list.unwrap_or_default() {
            comment_order.push(id.clone());
            ctx.comments.insert(id, comment);
        }
    }

    ctx.rels = rels;
    let mut blocks = Vec::new();
    let result = Body::new(&body_text, &mut ctx).blocks(&mut blocks);
    match result {
        Ok(()) => {}
        Err(XmlError::TooDeep) => {
            return Err(DocError::corrupt(
                Format::Docx,
                format!(
                    "{main}: XML nested too deeply (over {} levels)",
                    crate::xml::MAX_DEPTH
                ),
            ));
        }
        Err(e @ XmlError::Syntax(_)) if !blocks.is_empty() => doc.warn(
            None,
            format!("{main} is damaged ({e}); the text before the damage is shown"),
        ),
        Err(e) => return Err(DocError::corrupt(Format::Docx, format!("{main}: {e}"))),
    }

    let mut part = Part::new(PartKind::Section, 1);
    // Headers first (they open the page), footers last; each distinct text once.
    let mut headers = Vec::new();
    let mut footers = Vec::new();
    let mut seen = HashSet::new();
    for (kind, target) in std::mem::take(&mut ctx.sections) {
        let Some(text) = ctx.pkg.read_optional(&target, &mut doc)? else {
            continue;
        };
        ctx.rels = ctx.pkg.rels(&target, &mut doc)?;
        let Some(text) = aux_part(&mut doc, &target, notes::read_header(&text, &mut ctx))? else {
            continue;
        };
        if text.trim().is_empty() || !seen.insert((kind == NoteKind::Header, text.clone())) {
            continue;
        }
        let note = Block::Note {
            kind,
            label: None,
            text,
        };
        match kind {
            NoteKind::Header => headers.push(note),
            _ => footers.push(note),
        }
    }
    part.blocks = headers;
    part.blocks.append(&mut blocks);

    for (endnote, source) in [(false, footnotes), (true, endnotes)] {
        let Some((source, text)) = source else {
            continue;
        };
        ctx.rels = ctx.pkg.rels(&source, &mut doc)?;
        let Some(mut texts) = aux_part(&mut doc, &source, notes::read_notes(&text, &mut ctx))?
        else {
            continue;
        };
        let kind = if endnote {
            NoteKind::Endnote
        } else {
            NoteKind::Footnote
        };
        for (id, label) in ctx.notes.referenced(endnote) {
            if let Some(text) = texts.remove(&id) {
                part.blocks.push(Block::Note {
                    kind,
                    label: Some(label),
                    text: text.trim().to_string(),
                });
            }
        }
    }
    // Comments no paragraph referenced (their anchor was deleted) still say something.
    for id in comment_order {
        if let Some(note) = ctx.take_comment(&id) {
            part.blocks.push(note);
        }
    }
    part.blocks.append(&mut footers);

    for (what, count) in std::mem::take(&mut ctx.skipped) {
        let times = if count == 1 {
            String::new()
        } else {
            format!(" ({count}×)")
        };
        doc.warn(None, format!("{what} was skipped{times}"));
    }
    for warning in std::mem::take(&mut ctx.warnings) {
        doc.warn(None, warning);
    }
    if opts.pages.is_some() {
        doc.warn(
            None,
            "a docx has no fixed pages: the whole document is shown",
        );
    }
    doc.parts.push(part);
    doc.total_parts = Some(1);
    Ok(doc)
}

/// The part of the main part's first relationship of `kind`, as text.
fn read_related(
    pkg: &mut Package<'_>,
    rels: &Rels,
    kind: &str,
    doc: &mut Document,
) -> Result<Option<(String, String)>, DocError> {
    let Some(rel) = rels.first_of(kind).filter(|r| !r.external) else {
        return Ok(None);
    };
    let target = rel.target.clone();
    Ok(pkg.read_optional(&target, doc)?.map(|text| (target, text)))
}

fn parse_or_warn<T: Default>(doc: &mut Document, part: &str, result: Result<T, XmlError>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => {
            doc.warn(None, format!("{part} unreadable ({e}); read without it"));
            T::default()
        }
    }
}

/// A secondary part's result: too deep is fatal (hostile), other damage a warning.
fn aux_part<T>(
    doc: &mut Document,
    part: &str,
    result: Result<T, XmlError>,
) -> Result<Option<T>, DocError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(XmlError::TooDeep) => Err(DocError::corrupt(
            Format::Docx,
            format!(
                "{part}: XML nested too deeply (over {} levels)",
                crate::xml::MAX_DEPTH
            ),
        )),
        Err(e) => {
            doc.warn(None, format!("{part} skipped: {e}"));
            Ok(None)
        }
    }
}
