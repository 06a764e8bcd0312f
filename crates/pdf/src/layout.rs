//! Reading order. Glyphs become spans (runs of text on one baseline with no wide gap), spans
//! are split into regions by whitespace (an XY-cut that looks for column gutters running
//! through consecutive horizontal strips, so the two columns of a paper are read one after
//! the other and a title or figure across the page stays where it is), and each region's
//! spans become lines sorted top to bottom. Text in another direction (rotated labels,
//! vertical CJK) is laid out in its own frame and read after the main text.

use crate::interp::{Glyph, PageContent};

/// A run of glyphs on one baseline, in the frame of its writing direction.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    pub(crate) x0: f32,
    pub(crate) x1: f32,
    /// Baseline.
    pub(crate) y: f32,
    pub(crate) size: f32,
    pub(crate) text: String,
    /// Combining marks were attached: compose before use.
    marked: bool,
}

impl Span {
    pub(crate) fn top(&self) -> f32 {
        self.y + 0.75 * self.size
    }
    pub(crate) fn bottom(&self) -> f32 {
        self.y - 0.25 * self.size
    }
}

/// A text line of a region.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) x0: f32,
    pub(crate) x1: f32,
    pub(crate) y: f32,
    pub(crate) size: f32,
    pub(crate) text: String,
}

/// The lines of one region (a column, a band across the page …), top to bottom.
#[derive(Debug, Clone)]
pub(crate) struct Region {
    pub(crate) lines: Vec<Line>,
    pub(crate) x0: f32,
    pub(crate) x1: f32,
}

/// Regions nested deeper than this are read as they are.
const MAX_DEPTH: usize = 10;

/// Lay out a page: regions in reading order, main writing direction first.
pub(crate) fn layout(page: &PageContent) -> Vec<Region> {
    let mut counts = [0usize; 4];
    for g in &page.glyphs {
        counts[usize::from(g.dir & 3)] += 1;
    }
    let mut dirs: Vec<u8> = (0..4u8).filter(|d| counts[usize::from(*d)] > 0).collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(counts[usize::from(*d)]));
    let mut regions = Vec::new();
    for dir in dirs {
        let spans = build_spans(page, dir);
        let all: Vec<usize> = (0..spans.len()).collect();
        let mut leaves = Vec::new();
        segment(&spans, all, 0, &mut leaves);
        for leaf in leaves {
            let region = lines_of(&spans, &leaf);
            if !region.lines.is_empty() {
                regions.push(region);
            }
        }
    }
    regions
}

/// Coordinates in the frame where text of direction `dir` runs left to right.
fn frame(g: &Glyph, dir: u8) -> (f32, f32) {
    match dir {
        1 => (g.y, -g.x),
        2 => (-g.x, -g.y),
        3 => (-g.y, g.x),
        _ => (g.x, g.y),
    }
}

fn is_rtl(c: char) -> bool {
    matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// A spacing accent as its combining mark (TeX draws "ï" as "¨" over "ı").
fn combining_mark(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    Some(match c {
        '\u{A8}' => '\u{308}',
        '\u{B4}' => '\u{301}',
        '`' => '\u{300}',
        '\u{2C6}' | '^' => '\u{302}',
        '\u{2DC}' | '~' => '\u{303}',
        '\u{AF}' => '\u{304}',
        '\u{2D8}' => '\u{306}',
        '\u{2D9}' => '\u{307}',
        '\u{2C7}' => '\u{30C}',
        '\u{2DA}' => '\u{30A}',
        '\u{B8}' => '\u{327}',
        '\u{2DD}' => '\u{30B}',
        '\u{2DB}' => '\u{328}',
        _ => return None,
    })
}

/// Put a combining mark on the last letter of `text` (dotless i becomes i), if it ends in one.
fn attach_mark(text: &mut String, mark: char) -> bool {
    let Some(last) = text.chars().last().filter(|c| c.is_alphabetic()) else {
        return false;
    };
    if last == '\u{131}' {
        text.pop();
        text.push('i');
    }
    text.push(mark);
    true
}

/// Glyphs of one direction → spans, in content-stream order (which keeps words whole even
/// when a producer draws them in pieces).
fn build_spans(page: &PageContent, dir: u8) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    let mut cur: Option<Span> = None;
    let mut last_x0 = f32::NEG_INFINITY;
    let mut last_x1 = f32::NEG_INFINITY;
    let mut pending_space = false;
    // An accent drawn before its letter: (mark, its text, centre, baseline).
    let mut pending_mark: Option<(char, String, f32, f32)> = None;
    for g in page.glyphs.iter().filter(|g| g.dir == dir) {
        let raw = page.glyph_text(g);
        let (x, y) = frame(g, dir);
        let size = g.size.max(0.1);
        if raw.chars().all(char::is_whitespace) {
            // An explicit space separates words; it never starts a span.
            pending_space = true;
            continue;
        }
        let x1 = x + g.adv;
        let centre = x + g.adv / 2.0;
        if let Some(mark) = combining_mark(raw) {
            // Over the letter just drawn: attach it there.
            if let Some(s) = cur.as_mut()
                && centre > last_x0
                && centre < last_x1
                && (y - s.y).abs() < s.size
                && attach_mark(&mut s.text, mark)
            {
                s.marked = true;
                continue;
            }
            if pending_mark.is_none() {
                pending_mark = Some((mark, raw.to_string(), centre, y));
                continue;
            }
        }
        let mut text = std::borrow::Cow::Borrowed(raw);
        let mut marked = false;
        if let Some((mark, mark_text, c, my)) = pending_mark.take() {
            let mut owned = raw.to_string();
            if c > x && c < x1 && (my - y).abs() < size && attach_mark(&mut owned, mark) {
                marked = true;
            } else {
                owned.insert_str(0, &mark_text);
            }
            text = std::borrow::Cow::Owned(owned);
        }
        let starts_new = match &cur {
            None => true,
            Some(s) => {
                let tol = 0.45 * s.size.max(size);
                let gap = x - s.x1;
                (y - s.y).abs() > tol
                    || x + 0.01 < last_x0
                    || gap > 1.0 * s.size.max(size)
                    || gap < -0.6 * s.size.max(size)
            }
        };
        if starts_new {
            if let Some(done) = cur.take() {
                push_span(&mut spans, done);
            }
            cur = Some(Span {
                x0: x,
                x1,
                y,
                size,
                text: text.into_owned(),
                marked,
            });
        } else if let Some(s) = cur.as_mut() {
            let gap = x - s.x1;
            if (pending_space || gap > 0.15 * s.size.max(size)) && !s.text.ends_with(' ') {
                s.text.push(' ');
            }
            s.text.push_str(&text);
            s.x1 = s.x1.max(x1);
            s.marked |= marked;
            if size > s.size {
                // A larger glyph sets the line's reference (drop caps aside, rare).
                s.size = size;
            }
        }
        pending_space = false;
        last_x0 = x;
        last_x1 = x1;
    }
    if let Some((_, mark_text, _, _)) = pending_mark
        && let Some(s) = cur.as_mut()
    {
        s.text.push_str(&mark_text);
    }
    if let Some(done) = cur.take() {
        push_span(&mut spans, done);
    }
    spans
}

/// Add a span unless it repeats one just drawn at the same place (fake bold: the same text
/// drawn twice, slightly offset).
fn push_span(spans: &mut Vec<Span>, mut span: Span) {
    if span.marked {
        span.text = crate::text::compose(&span.text);
        span.marked = false;
    }
    let dup = spans.iter().rev().take(4).any(|s| {
        s.text == span.text
            && (s.x0 - span.x0).abs() < 0.2 * span.size
            && (s.y - span.y).abs() < 0.2 * span.size
    });
    if !dup {
        spans.push(span);
    }
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 10.0;
    }
    let mid = v.len() / 2;
    v.select_nth_unstable_by(mid, f32::total_cmp);
    v[mid]
}

/// Free horizontal intervals of `[lo, hi]` not covered by any of the spans, at least `min`
/// wide.
fn free_intervals(spans: &[Span], idx: &[usize], lo: f32, hi: f32, min: f32) -> Vec<(f32, f32)> {
    let mut cover: Vec<(f32, f32)> = idx.iter().map(|&i| (spans[i].x0, spans[i].x1)).collect();
    cover.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut free = Vec::new();
    let mut at = lo;
    for (a, b) in cover {
        if a - at >= min {
            free.push((at, a));
        }
        at = at.max(b);
    }
    if hi - at >= min {
        free.push((at, hi));
    }
    free
}

fn intersect(a: &[(f32, f32)], b: &[(f32, f32)], min: f32) -> Vec<(f32, f32)> {
    let mut out = Vec::new();
    for &(a0, a1) in a {
        for &(b0, b1) in b {
            let (lo, hi) = (a0.max(b0), a1.min(b1));
            if hi - lo >= min {
                out.push((lo, hi));
            }
        }
    }
    out
}

/// Split `idx` into reading-order leaves.
fn segment(spans: &[Span], mut idx: Vec<usize>, depth: usize, leaves: &mut Vec<Vec<usize>>) {
    if idx.len() < 2 || depth >= MAX_DEPTH {
        leaves.push(idx);
        return;
    }
    let size = median(idx.iter().map(|&i| spans[i].size).collect());
    let min_gutter = 0.9 * size;
    let x_lo = idx
        .iter()
        .map(|&i| spans[i].x0)
        .fold(f32::INFINITY, f32::min);
    let x_hi = idx
        .iter()
        .map(|&i| spans[i].x1)
        .fold(f32::NEG_INFINITY, f32::max);
    let interior = |iv: &(f32, f32)| iv.0 > x_lo + 0.5 && iv.1 < x_hi - 0.5;

    // Horizontal strips: spans whose vertical extents overlap, top to bottom.
    idx.sort_by(|&a, &b| spans[b].top().total_cmp(&spans[a].top()));
    let mut strips: Vec<Vec<usize>> = Vec::new();
    let mut floor = f32::INFINITY;
    for &i in &idx {
        let s = &spans[i];
        match strips.last_mut() {
            Some(strip) if s.top() > floor + 0.05 * size => {
                strip.push(i);
                floor = floor.min(s.bottom());
            }
            _ => {
                strips.push(vec![i]);
                floor = s.bottom();
            }
        }
    }

    // Bands: consecutive strips that share a gutter (or that all have none).
    struct Band {
        members: Vec<usize>,
        gutters: Vec<(f32, f32)>,
    }
    let mut bands: Vec<Band> = Vec::new();
    for strip in strips {
        let free = free_intervals(spans, &strip, x_lo, x_hi, min_gutter);
        if let Some(band) = bands.last_mut() {
            let common = intersect(&band.gutters, &free, min_gutter);
            let shares_gutter = common.iter().any(interior);
            let neither = !band.gutters.iter().any(interior) && !free.iter().any(interior);
            if shares_gutter || neither {
                band.members.extend(strip);
                band.gutters = common;
                continue;
            }
        }
        bands.push(Band {
            members: strip,
            gutters: free,
        });
    }

    let single = bands.len() == 1;
    for band in bands {
        let cuts: Vec<(f32, f32)> = band.gutters.iter().copied().filter(interior).collect();
        if cuts.is_empty() {
            if single {
                leaves.push(band.members);
            } else {
                segment(spans, band.members, depth + 1, leaves);
            }
            continue;
        }
        let mut columns: Vec<Vec<usize>> = vec![Vec::new(); cuts.len() + 1];
        for &i in &band.members {
            let mid = (spans[i].x0 + spans[i].x1) / 2.0;
            let col = cuts.iter().filter(|c| c.1 <= mid).count();
            columns[col].push(i);
        }
        columns.retain(|c| !c.is_empty());
        // Margin line numbers (law texts, manuscripts, book proofs) are a column of their
        // own, read after the text rather than glued into its lines.
        let (numbers, text_columns): (Vec<Vec<usize>>, Vec<Vec<usize>>) = columns
            .into_iter()
            .partition(|c| c.len() >= 3 && c.iter().all(|&i| is_margin_number(&spans[i].text)));
        // Narrow "columns" are table cells: keep their rows together as lines.
        let narrow = text_columns.iter().any(|c| {
            let lo = c.iter().map(|&i| spans[i].x0).fold(f32::INFINITY, f32::min);
            let hi = c
                .iter()
                .map(|&i| spans[i].x1)
                .fold(f32::NEG_INFINITY, f32::max);
            hi - lo < 10.0 * size
        });
        let table_like = narrow && text_columns.len() > 1;
        if text_columns.is_empty() || table_like || (numbers.is_empty() && text_columns.len() < 2) {
            leaves.push(band.members);
            continue;
        }
        for col in text_columns {
            segment(spans, col, depth + 1, leaves);
        }
        leaves.extend(numbers);
    }
}

/// A line number in a margin: a short run of digits, maybe with a mark ("32S").
fn is_margin_number(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.len() <= 5
        && t.starts_with(|c: char| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A leaf's spans as lines, top to bottom, words left to right (right to left for lines
/// that are mostly Arabic or Hebrew).
fn lines_of(spans: &[Span], idx: &[usize]) -> Region {
    let mut order: Vec<usize> = idx.to_vec();
    order.sort_by(|&a, &b| spans[b].y.total_cmp(&spans[a].y));
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new(); // (reference span, members)
    for i in order {
        let s = &spans[i];
        if let Some((reference, members)) = groups.last_mut() {
            let r = &spans[*reference];
            let overlap = r.top().min(s.top()) - r.bottom().max(s.bottom());
            let smaller = (r.top() - r.bottom()).min(s.top() - s.bottom()).max(0.01);
            if overlap / smaller >= 0.5 {
                members.push(i);
                if s.size > r.size {
                    *reference = i;
                }
                continue;
            }
        }
        groups.push((i, vec![i]));
    }
    let mut lines = Vec::with_capacity(groups.len());
    for (reference, mut members) in groups {
        members.sort_by(|&a, &b| spans[a].x0.total_cmp(&spans[b].x0));
        let rtl_chars: usize = members
            .iter()
            .map(|&i| spans[i].text.chars().filter(|c| is_rtl(*c)).count())
            .sum();
        let ltr_chars: usize = members
            .iter()
            .map(|&i| {
                spans[i]
                    .text
                    .chars()
                    .filter(|c| c.is_alphabetic() && !is_rtl(*c))
                    .count()
            })
            .sum();
        let rtl = rtl_chars > ltr_chars;
        let mut text = String::new();
        let mut prev: Option<&Span> = None;
        for &i in &members {
            let s = &spans[i];
            if let Some(p) = prev {
                let gap = s.x0 - p.x1;
                if gap > 0.12 * s.size.max(p.size) && !text.ends_with(' ') {
                    text.push(' ');
                }
            }
            text.push_str(&s.text);
            prev = Some(s);
        }
        if rtl {
            text = crate::text::visual_to_logical(&text);
        }
        let r = &spans[reference];
        lines.push(Line {
            x0: members
                .iter()
                .map(|&i| spans[i].x0)
                .fold(f32::INFINITY, f32::min),
            x1: members
                .iter()
                .map(|&i| spans[i].x1)
                .fold(f32::NEG_INFINITY, f32::max),
            y: r.y,
            size: r.size,
            text: crate::text::normalize(text.trim()),
        });
    }
    lines.retain(|l| !l.text.is_empty());
    let x0 = lines.iter().map(|l| l.x0).fold(f32::INFINITY, f32::min);
    let x1 = lines.iter().map(|l| l.x1).fold(f32::NEG_INFINITY, f32::max);
    Region { lines, x0, x1 }
}
