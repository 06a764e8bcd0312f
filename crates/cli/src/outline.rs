//! Turning read documents into writer specs for `cowork convert`: Markdown → slide outline,
//! document tables → workbook.

use cowork_docmodel::{Block, DocError, Document, Table};
use cowork_writers::pptx::{Bullet, PresentationSpec, SlideSpec};
use cowork_writers::xlsx::{CellInput, ColumnSpec, SheetSpec, SpreadsheetSpec};

/// A deck from Markdown: the first `#` heading (with no bullets under it) is the title slide;
/// every other heading starts a slide whose list items and paragraphs are its bullets; a
/// paragraph starting with "Notes:" becomes the slide's speaker notes.
pub fn presentation_from_markdown(markdown: &str) -> PresentationSpec {
    let mut slides: Vec<(String, Vec<Bullet>, Option<String>)> = Vec::new();
    for line in markdown.lines() {
        let trimmed = line.trim_end();
        if let Some(rest) = trimmed.strip_prefix('#') {
            let title = rest.trim_start_matches('#').trim().to_string();
            slides.push((title, Vec::new(), None));
            continue;
        }
        if trimmed.trim().is_empty() {
            continue;
        }
        if slides.is_empty() {
            slides.push((String::new(), Vec::new(), None));
        }
        let Some(slide) = slides.last_mut() else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let text = trimmed.trim();
        if let Some(note) = text.strip_prefix("Notes:") {
            slide.2 = Some(note.trim().to_string());
            continue;
        }
        let item = text
            .strip_prefix("- ")
            .or_else(|| text.strip_prefix("* "))
            .or_else(|| {
                text.split_once(". ")
                    .filter(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
                    .map(|(_, t)| t)
            })
            .unwrap_or(text);
        slide.1.push(Bullet::Item {
            text: item.to_string(),
            level: (indent / 2).min(4) as u8,
        });
    }
    let mut out = Vec::new();
    for (i, (title, bullets, notes)) in slides.into_iter().enumerate() {
        if i == 0 && bullets.is_empty() {
            out.push(SlideSpec::Title {
                title,
                subtitle: None,
                notes,
            });
        } else {
            out.push(SlideSpec::Bullets {
                title,
                bullets,
                notes,
            });
        }
    }
    PresentationSpec {
        title: None,
        slides: out,
    }
}

/// Every table of the document, in order.
pub fn tables(doc: &Document) -> Vec<Table> {
    doc.parts
        .iter()
        .flat_map(|p| p.blocks.iter())
        .filter_map(|b| match b {
            Block::Table(t) if !t.rows.is_empty() => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// One sheet per table; the header row becomes the columns; numbers stay numbers.
pub fn workbook_from_tables(doc: &Document) -> Result<SpreadsheetSpec, DocError> {
    let all = tables(doc);
    if all.is_empty() {
        return Err(DocError::InvalidOption {
            detail: "the document has no table to write as a spreadsheet".into(),
        });
    }
    let sheets = all
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (columns, body) = if t.header_rows > 0 {
                let cols = t.rows[0]
                    .iter()
                    .map(|h| ColumnSpec {
                        header: h.clone(),
                        width: None,
                        format: None,
                    })
                    .collect();
                (cols, &t.rows[1..])
            } else {
                (Vec::new(), &t.rows[..])
            };
            SheetSpec {
                name: format!("Table {}", i + 1),
                columns,
                rows: body
                    .iter()
                    .map(|r| r.iter().map(|c| cell(c)).collect())
                    .collect(),
                freeze_header: t.header_rows > 0,
                autofilter: t.header_rows > 0,
                table: false,
                charts: Vec::new(),
                totals: None,
            }
        })
        .collect();
    Ok(SpreadsheetSpec { sheets })
}

fn cell(text: &str) -> CellInput {
    let t = text.trim();
    if t.is_empty() {
        return CellInput::Null;
    }
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() => CellInput::Number(n),
        _ if t.starts_with('=') => CellInput::Text(format!("'{t}")),
        _ => CellInput::Text(t.to_string()),
    }
}
