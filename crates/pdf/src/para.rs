//! Lines → blocks: paragraphs joined from lines (split on vertical gaps, indents, short
//! lines and size changes), headings by size, list items by their bullet or number.

use std::collections::HashSet;

use cowork_docmodel::{Block, ListMarker};

use crate::layout::{Line, Region};

/// The most common text size of the page, weighted by characters: the body text.
pub(crate) fn body_size(regions: &[Region]) -> f32 {
    let mut hist: Vec<(i32, usize)> = Vec::new();
    for line in regions.iter().flat_map(|r| &r.lines) {
        let key = (line.size * 2.0).round() as i32;
        let n = line.text.chars().count();
        match hist.iter_mut().find(|(k, _)| *k == key) {
            Some(e) => e.1 += n,
            None => hist.push((key, n)),
        }
    }
    hist.iter()
        .max_by_key(|(_, n)| *n)
        .map_or(10.0, |(k, _)| *k as f32 / 2.0)
}

struct Para<'a> {
    lines: Vec<&'a Line>,
}

/// Blocks of a page's regions, in order.
pub(crate) fn blocks(regions: &[Region], body: f32) -> Vec<Block> {
    let compounds = compounds(regions);
    let mut out = Vec::new();
    for region in regions {
        for para in paragraphs(region) {
            out.push(to_block(&para, body, &compounds));
        }
    }
    out
}

fn starts_item(text: &str) -> bool {
    list_marker(text).is_some()
}

fn paragraphs(region: &Region) -> Vec<Para<'_>> {
    let lines = &region.lines;
    // Typical distance between consecutive baselines of same-size lines.
    let mut pitches: Vec<f32> = lines
        .windows(2)
        .filter(|w| (w[0].size - w[1].size).abs() < 0.5)
        .map(|w| w[0].y - w[1].y)
        .filter(|d| *d > 0.0 && *d < 3.0 * lines[0].size.max(1.0))
        .collect();
    pitches.sort_by(f32::total_cmp);
    let pitch = pitches.get(pitches.len() / 2).copied();
    let width = region.x1 - region.x0;

    let mut paras: Vec<Para<'_>> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| lines.get(p));
        let new_para = match prev {
            None => true,
            Some(p) => {
                let size = p.size.max(line.size);
                let gap = p.y - line.y;
                let expected = pitch.unwrap_or(1.2 * size);
                let big_gap = gap > 1.45 * expected.max(size) || gap < -0.5 * size;
                let size_change = (p.size - line.size).abs() > 0.12 * size;
                let indented = line.x0 > region.x0 + 0.8 * size
                    && p.x0 < region.x0 + 0.5 * size
                    && width > 15.0 * size;
                let short_prev = p.x1 < region.x1 - 0.25 * width && width > 15.0 * size;
                big_gap || size_change || indented || short_prev || starts_item(&line.text)
            }
        };
        if new_para {
            paras.push(Para { lines: vec![line] });
        } else if let Some(last) = paras.last_mut() {
            last.lines.push(line);
        }
    }
    paras
}

/// Whether `text` ends in a line-break hyphen after a letter: "com-".
fn hyphen_stem(text: &str) -> Option<&str> {
    let stem = text
        .strip_suffix('-')
        .or_else(|| text.strip_suffix('\u{AD}'))
        .or_else(|| text.strip_suffix('\u{2010}'))?;
    stem.chars()
        .last()
        .is_some_and(char::is_alphabetic)
        .then_some(stem)
}

/// The word a line starts with, as far as letters go.
fn first_word(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(text.len(), |(i, _)| i);
    &text[..end]
}

fn last_word(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    &text[start..]
}

/// Join a paragraph's lines. A word hyphenated across a line break is joined ("com-" +
/// "piler" → "compiler"), unless the page writes it with the hyphen elsewhere
/// ("type-specific"), which marks a real compound.
fn join_lines(lines: &[&Line], compounds: &HashSet<String>) -> String {
    let mut text = String::new();
    for line in lines {
        if text.is_empty() {
            text.push_str(&line.text);
            continue;
        }
        let next_word = first_word(&line.text);
        let starts_lower = next_word.chars().next().is_some_and(char::is_lowercase);
        if let Some(stem) = hyphen_stem(&text)
            && starts_lower
        {
            let compound = format!("{}-{}", last_word(stem), next_word).to_lowercase();
            if compounds.contains(&compound) {
                text.push_str(&line.text);
            } else {
                let keep = stem.len();
                text.truncate(keep);
                text.push_str(&line.text);
            }
            continue;
        }
        text.push(' ');
        text.push_str(&line.text);
    }
    text
}

/// Hyphenated words written within a line anywhere on the page ("type-specific"): the
/// compounds a line-break hyphen must keep.
fn compounds(regions: &[Region]) -> HashSet<String> {
    let mut set = HashSet::new();
    for line in regions.iter().flat_map(|r| &r.lines) {
        if !line.text.contains('-') {
            continue;
        }
        for word in line.text.split_whitespace() {
            let word = word.trim_matches(|c: char| !c.is_alphabetic());
            if word.contains('-') {
                set.insert(word.to_lowercase());
            }
        }
    }
    set
}

fn to_block(para: &Para<'_>, body: f32, compounds: &HashSet<String>) -> Block {
    let text = join_lines(&para.lines, compounds);
    let size = para.lines.iter().map(|l| l.size).fold(0.0f32, f32::max);
    let ratio = size / body.max(0.1);
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if ratio >= 1.2 && para.lines.len() <= 3 && text.chars().count() <= 200 && letters >= 2 {
        let level = if ratio >= 1.8 {
            1
        } else if ratio >= 1.4 {
            2
        } else {
            3
        };
        return Block::heading(level, text);
    }
    if let Some((marker, rest)) = list_marker(&text) {
        return Block::ListItem {
            depth: 0,
            marker,
            text: rest.to_string(),
        };
    }
    Block::paragraph(text)
}

/// A list item's marker and the text after it: bullets, "1.", "2)", "(a)", "iv.".
fn list_marker(text: &str) -> Option<(ListMarker, &str)> {
    let (first, rest) = text.split_once(' ')?;
    let rest = rest.trim_start();
    if rest.is_empty() {
        return None;
    }
    if matches!(
        first,
        "•" | "◦"
            | "▪"
            | "‣"
            | "●"
            | "○"
            | "■"
            | "□"
            | "–"
            | "-"
            | "*"
            | "·"
            | "➢"
            | "✓"
            | "❖"
    ) {
        return Some((ListMarker::Bullet, rest));
    }
    let core = first
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .or_else(|| first.strip_suffix('.'))
        .or_else(|| first.strip_suffix(')'))?;
    let numeric = !core.is_empty() && core.len() <= 3 && core.chars().all(|c| c.is_ascii_digit());
    let letter = core.len() == 1 && core.chars().all(|c| c.is_ascii_lowercase());
    let roman = (1..=5).contains(&core.len()) && core.chars().all(|c| "ivx".contains(c));
    (numeric || letter || roman).then(|| (ListMarker::Number(first.to_string()), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert!(matches!(
            list_marker("• item"),
            Some((ListMarker::Bullet, "item"))
        ));
        assert!(
            matches!(list_marker("12. twelve"), Some((ListMarker::Number(m), "twelve")) if m == "12.")
        );
        assert!(matches!(list_marker("(a) first"), Some((ListMarker::Number(m), _)) if m == "(a)"));
        assert!(list_marker("2024. The year").is_none());
        assert!(list_marker("Hello world").is_none());
    }

    fn line(text: &str) -> Line {
        Line {
            x0: 0.0,
            x1: 100.0,
            y: 0.0,
            size: 10.0,
            text: text.to_string(),
        }
    }

    #[test]
    fn hyphenation_across_lines() {
        let (a, b, c) = (
            line("a com-"),
            line("piler for type-"),
            line("specific code"),
        );
        let mut known = HashSet::new();
        assert_eq!(
            join_lines(&[&a, &b, &c], &known),
            "a compiler for typespecific code"
        );
        known.insert("type-specific".to_string());
        assert_eq!(
            join_lines(&[&a, &b, &c], &known),
            "a compiler for type-specific code"
        );
        // A dash before a capital or a number is not a broken word.
        let (d, e) = (line("see page -"), line("Next"));
        assert_eq!(join_lines(&[&d, &e], &known), "see page - Next");
    }
}
