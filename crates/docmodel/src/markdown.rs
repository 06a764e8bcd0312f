//! Markdown rendering: what the model and `cowork read` see.

use std::fmt::Write as _;

use crate::document::{Block, Document, ListMarker, Part, PartKind, Table};

impl Document {
    /// The document as Markdown: parts marked (`<!-- page 3 -->`, `## Sheet: Q1`), tables as
    /// pipe tables, notes labelled, warnings and the next chunk at the end.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if let Some(title) = &self.title {
            let first_is_title = self
                .parts
                .first()
                .and_then(|p| p.blocks.first())
                .is_some_and(|b| matches!(b, Block::Heading { text, .. } if text == title));
            if !first_is_title
                && !matches!(self.parts.first().map(|p| p.kind), Some(PartKind::Slide))
            {
                let _ = writeln!(out, "# {title}\n");
            }
        }
        for part in &self.parts {
            render_part(part, &mut out);
        }
        for attachment in &self.attachments {
            let kind = attachment.content_type.as_deref().unwrap_or("unknown type");
            let _ = writeln!(
                out,
                "\n## Attachment: {} ({kind}, {} bytes)\n",
                attachment.name, attachment.size
            );
            if let Some(content) = &attachment.content {
                out.push_str(&content.to_markdown());
            }
        }
        if !self.warnings.is_empty() {
            out.push('\n');
            for w in &self.warnings {
                match w.part {
                    Some(n) => {
                        let _ =
                            writeln!(out, "> warning ({} {n}): {}", self.part_word(), w.message);
                    }
                    None => {
                        let _ = writeln!(out, "> warning: {}", w.message);
                    }
                }
            }
        }
        if let Some(next) = &self.next {
            let total = self
                .total_parts
                .map(|t| format!(" of {t} {}s", self.part_word()))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "\n> more follows{total}: read on with {}",
                next.describe()
            );
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
        out
    }

    fn part_word(&self) -> &'static str {
        match self.parts.first().map(|p| p.kind) {
            Some(PartKind::Page) | None => "page",
            Some(PartKind::Slide) => "slide",
            Some(PartKind::Sheet) => "sheet",
            Some(PartKind::Section) => "section",
            Some(PartKind::Message) => "message",
            Some(PartKind::Event) => "event",
        }
    }
}

fn render_part(part: &Part, out: &mut String) {
    match part.kind {
        PartKind::Page => {
            let _ = writeln!(out, "\n<!-- page {} -->\n", part.number);
        }
        PartKind::Slide => {
            let _ = writeln!(out, "\n<!-- slide {} -->", part.number);
            if let Some(name) = &part.name {
                let _ = writeln!(out, "## {name}");
            }
            out.push('\n');
        }
        PartKind::Sheet => {
            let name = part
                .name
                .clone()
                .unwrap_or_else(|| format!("Sheet {}", part.number));
            let _ = writeln!(out, "\n## Sheet: {name}\n");
        }
        PartKind::Message => {
            let name = part.name.as_deref().unwrap_or("(no subject)");
            let _ = writeln!(out, "\n## Message {}: {name}\n", part.number);
        }
        PartKind::Event => {
            let name = part.name.as_deref().unwrap_or("(untitled)");
            let _ = writeln!(out, "\n## {name}\n");
        }
        PartKind::Section => {
            if part.number > 1 {
                out.push_str("\n---\n\n");
            }
            if let Some(name) = &part.name {
                let _ = writeln!(out, "## {name}\n");
            }
        }
    }
    let mut prev_list = false;
    for block in &part.blocks {
        let is_list = matches!(block, Block::ListItem { .. });
        if prev_list && !is_list {
            out.push('\n');
        }
        render_block(block, out);
        prev_list = is_list;
    }
}

fn render_block(block: &Block, out: &mut String) {
    match block {
        Block::Heading { level, text } => {
            let _ = writeln!(
                out,
                "{} {}\n",
                "#".repeat(usize::from((*level).clamp(1, 6))),
                one_line(text)
            );
        }
        Block::Paragraph { text } => {
            let _ = writeln!(out, "{}\n", text.trim_end());
        }
        Block::ListItem {
            depth,
            marker,
            text,
        } => {
            let indent = "  ".repeat(usize::from(*depth));
            let mark = match marker {
                ListMarker::Bullet => "-".to_string(),
                ListMarker::Number(label) => label.clone(),
            };
            let _ = writeln!(out, "{indent}{mark} {}", one_line(text));
        }
        Block::Table(table) => render_table(table, out),
        Block::Note { kind, label, text } => {
            let label = label.as_ref().map(|l| format!(" {l}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "> **{}{label}:** {}\n",
                kind.label(),
                text.trim().replace('\n', "\n> ")
            );
        }
        Block::Code { language, text } => {
            let fence = if text.contains("```") { "````" } else { "```" };
            let _ = writeln!(
                out,
                "{fence}{}\n{}\n{fence}\n",
                language.as_deref().unwrap_or(""),
                text.trim_end()
            );
        }
        Block::Quote { text } => {
            let _ = writeln!(out, "> {}\n", text.trim().replace('\n', "\n> "));
        }
        Block::Image { alt, target } => {
            let _ = writeln!(
                out,
                "![{}]({})\n",
                one_line(alt),
                target.as_deref().unwrap_or("")
            );
        }
        Block::FormField { name, value } => {
            let _ = writeln!(out, "- **{}:** {}", one_line(name), one_line(value));
        }
        Block::Revision {
            inserted,
            author,
            text,
        } => {
            let by = author
                .as_ref()
                .map(|a| format!(" by {a}"))
                .unwrap_or_default();
            if *inserted {
                let _ = writeln!(out, "<ins title=\"inserted{by}\">{}</ins>\n", text.trim());
            } else {
                let _ = writeln!(out, "<del title=\"deleted{by}\">{}</del>\n", text.trim());
            }
        }
    }
}

fn render_table(table: &Table, out: &mut String) {
    if let Some(caption) = &table.caption {
        let _ = writeln!(out, "**{}**\n", one_line(caption));
    }
    let width = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 {
        return;
    }
    let row_line = |row: &[String]| {
        let mut line = String::from("|");
        for i in 0..width {
            let cell = row.get(i).map(String::as_str).unwrap_or("");
            line.push(' ');
            line.push_str(&cell_text(cell));
            line.push_str(" |");
        }
        line
    };
    // A pipe table needs a header row; a table without one gets an empty header so no data
    // row is mistaken for column names.
    let header_rows = table.header_rows.min(table.rows.len());
    let (header, body) = if header_rows > 0 {
        (table.rows[0].clone(), &table.rows[1..])
    } else {
        (vec![String::new(); width], &table.rows[..])
    };
    let _ = writeln!(out, "{}", row_line(&header));
    let _ = writeln!(out, "|{}", " --- |".repeat(width));
    for row in body {
        let _ = writeln!(out, "{}", row_line(row));
    }
    out.push('\n');
    if !table.formulas.is_empty() {
        let list: Vec<String> = table
            .formulas
            .iter()
            .map(|f| format!("{} `{}`", f.cell, f.formula.replace('`', "'")))
            .collect();
        let _ = writeln!(out, "Formulas: {}\n", list.join(", "));
    }
    if let Some(t) = &table.truncated {
        let next = t
            .next
            .as_ref()
            .map(|n| format!("; next: {n}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "> showing {} of {} rows × {} columns{next}\n",
            t.shown, t.total_rows, t.total_cols
        );
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cell_text(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use crate::document::*;

    #[test]
    fn renders_parts_tables_notes_and_next_chunk() {
        let mut doc = Document::new(Format::Pdf);
        let mut page = Part::new(PartKind::Page, 3);
        page.blocks.push(Block::heading(1, "Results"));
        page.blocks.push(Block::ListItem {
            depth: 0,
            marker: ListMarker::Number("1.".into()),
            text: "first".into(),
        });
        page.blocks.push(Block::ListItem {
            depth: 1,
            marker: ListMarker::Bullet,
            text: "nested".into(),
        });
        page.blocks.push(Block::Table(Table {
            rows: vec![
                vec!["Region".into(), "Sales".into()],
                vec!["North|East".into(), "12".into()],
            ],
            header_rows: 1,
            ..Table::default()
        }));
        page.blocks.push(Block::Note {
            kind: NoteKind::Footnote,
            label: Some("1".into()),
            text: "A note".into(),
        });
        doc.parts.push(page);
        doc.warn(Some(3), "no text layer (scanned?)");
        doc.total_parts = Some(40);
        doc.next = Some(Chunk::Pages { first: 4, last: 13 });
        let md = doc.to_markdown();
        assert!(md.contains("<!-- page 3 -->"), "{md}");
        assert!(md.contains("# Results"));
        assert!(md.contains("1. first\n  - nested"));
        assert!(md.contains("| Region | Sales |\n| --- | --- |\n| North\\|East | 12 |"));
        assert!(md.contains("> **Footnote 1:** A note"));
        assert!(md.contains("> warning (page 3): no text layer (scanned?)"));
        assert!(md.contains("read on with pages 4-13"));
        assert!(md.contains("of 40 pages"));
    }
}
