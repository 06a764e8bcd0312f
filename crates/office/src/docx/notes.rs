//! The parts around the body: footnotes, endnotes, comments, headers and footers. Each is
//! read with the same block reader as the body, then flattened to the text of a note.

use std::collections::HashMap;

use cowork_docmodel::Block;

use super::Ctx;
use super::body::{Body, blocks_to_text};
use super::numbering::format_number;
use crate::xml::{Ev, XmlError};

/// A comment as read from the comments part.
#[derive(Debug, Clone)]
pub(crate) struct Comment {
    pub(crate) author: Option<String>,
    pub(crate) text: String,
}

/// Footnote and endnote numbers, given in the order the body references them (as Word
/// numbers them), in the formats `settings.xml` asks for.
#[derive(Debug)]
pub(crate) struct NoteRefs {
    kinds: [NoteSeries; 2],
}

#[derive(Debug)]
struct NoteSeries {
    order: Vec<String>,
    labels: HashMap<String, String>,
    format: String,
    start: i64,
}

impl NoteSeries {
    fn new(format: &str) -> NoteSeries {
        NoteSeries {
            order: Vec::new(),
            labels: HashMap::new(),
            format: format.to_string(),
            start: 1,
        }
    }
}

impl Default for NoteRefs {
    fn default() -> Self {
        // Word's defaults: footnotes 1, 2, 3 …; endnotes i, ii, iii …
        NoteRefs {
            kinds: [NoteSeries::new("decimal"), NoteSeries::new("lowerRoman")],
        }
    }
}

impl NoteRefs {
    fn series(&mut self, endnote: bool) -> &mut NoteSeries {
        let [foot, end] = &mut self.kinds;
        if endnote { end } else { foot }
    }

    /// The label of note `id`, numbering it at its first reference.
    pub(crate) fn reference(&mut self, endnote: bool, id: &str) -> String {
        let series = self.series(endnote);
        if let Some(label) = series.labels.get(id) {
            return label.clone();
        }
        series.order.push(id.to_string());
        let n = series.start.saturating_add(series.order.len() as i64 - 1);
        let label = format_number(n, &series.format, None);
        series.labels.insert(id.to_string(), label.clone());
        label
    }

    /// Referenced note ids in order, with their labels.
    pub(crate) fn referenced(&self, endnote: bool) -> Vec<(String, String)> {
        let series = &self.kinds[usize::from(endnote)];
        series
            .order
            .iter()
            .map(|id| {
                let label = series.labels.get(id).cloned().unwrap_or_default();
                (id.clone(), label)
            })
            .collect()
    }

    /// Note number formats from `settings.xml` (`footnotePr` / `endnotePr`).
    pub(crate) fn configure(&mut self, settings: &str) -> Result<(), XmlError> {
        let mut xml = crate::xml::Xml::new(settings);
        let mut within: Option<bool> = None;
        let mut within_depth = 0;
        loop {
            match xml.next()? {
                Ev::Start(e) => match e.local() {
                    "footnotePr" | "endnotePr" => {
                        within = Some(e.local() == "endnotePr");
                        within_depth = xml.depth();
                    }
                    "numFmt" if within.is_some() => {
                        if let (Some(endnote), Some(fmt)) = (within, e.attr("val")) {
                            self.series(endnote).format = fmt;
                        }
                    }
                    "numStart" if within.is_some() => {
                        if let (Some(endnote), Some(start)) =
                            (within, e.attr("val").and_then(|v| v.parse().ok()))
                        {
                            self.series(endnote).start = start;
                        }
                    }
                    _ => {}
                },
                Ev::End if xml.depth() < within_depth => within = None,
                Ev::Eof => return Ok(()),
                Ev::End | Ev::Text(_) => {}
            }
        }
    }
}

/// Footnotes or endnotes: note id → text (separators left out).
pub(crate) fn read_notes(
    text: &str,
    ctx: &mut Ctx<'_, '_>,
) -> Result<HashMap<String, String>, XmlError> {
    let mut notes = HashMap::new();
    let mut body = Body::new(text, ctx);
    loop {
        match body.xml.next()? {
            Ev::Start(e) if matches!(e.local(), "footnote" | "endnote") => {
                let id = e.attr("id").unwrap_or_default();
                let separator = e.attr("type").is_some_and(|t| {
                    matches!(
                        t.as_str(),
                        "separator" | "continuationSeparator" | "continuationNotice"
                    )
                });
                if separator {
                    body.xml.skip()?;
                    continue;
                }
                let mut blocks = Vec::new();
                body.blocks(&mut blocks)?;
                notes.insert(id, blocks_to_text(&blocks));
            }
            Ev::Eof => return Ok(notes),
            Ev::Start(_) | Ev::End | Ev::Text(_) => {}
        }
    }
}

/// Comments in file order: (id, comment).
pub(crate) fn read_comments(
    text: &str,
    ctx: &mut Ctx<'_, '_>,
) -> Result<Vec<(String, Comment)>, XmlError> {
    let mut comments = Vec::new();
    let mut body = Body::new(text, ctx);
    loop {
        match body.xml.next()? {
            Ev::Start(e) if e.local() == "comment" => {
                let id = e.attr("id").unwrap_or_default();
                let author = e.attr("author").filter(|a| !a.trim().is_empty());
                let mut blocks = Vec::new();
                body.blocks(&mut blocks)?;
                comments.push((
                    id,
                    Comment {
                        author,
                        text: blocks_to_text(&blocks),
                    },
                ));
            }
            Ev::Eof => return Ok(comments),
            Ev::Start(_) | Ev::End | Ev::Text(_) => {}
        }
    }
}

/// A header or footer part as text.
pub(crate) fn read_header(text: &str, ctx: &mut Ctx<'_, '_>) -> Result<String, XmlError> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut body = Body::new(text, ctx);
    body.blocks(&mut blocks)?;
    Ok(blocks_to_text(&blocks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_number_in_reference_order_and_format() {
        let mut refs = NoteRefs::default();
        refs.configure(
            r#"<w:settings><w:endnotePr><w:numFmt w:val="upperLetter"/></w:endnotePr></w:settings>"#,
        )
        .unwrap();
        assert_eq!(refs.reference(false, "5"), "1");
        assert_eq!(refs.reference(false, "2"), "2");
        assert_eq!(refs.reference(false, "5"), "1");
        assert_eq!(refs.reference(true, "1"), "A");
        assert_eq!(
            refs.referenced(false),
            vec![("5".into(), "1".into()), ("2".into(), "2".into())]
        );
    }
}
