//! List numbering (`numbering.xml`): the numbers Word shows before list paragraphs.
//!
//! A paragraph names a `num` and a level; the `num` points to an `abstractNum` whose levels
//! define the start value, the number format (decimal, lowerLetter, upperRoman …) and the
//! label template (`%1.%2.`). `lvlOverride`s of a `num` replace levels or restart them.
//! Counters run per abstract list, so separate `num`s of one list continue each other, while a
//! `num` with a start override is a list of its own — this is how Word's "restart numbering"
//! and "continue numbering" are stored.

use std::collections::HashMap;

use cowork_docmodel::ListMarker;

use super::styles::Styles;
use crate::xml::{Alternates, Ev, Xml, XmlError};

/// OOXML has levels 0–8.
const LEVELS: usize = 9;

/// One level of a list definition.
#[derive(Debug, Clone)]
struct Level {
    start: i64,
    format: String,
    /// For `numFmt="custom"` (Word 2010+): a sample like "α, β, γ, ..." or "001, 002, ...".
    custom: Option<String>,
    text: Option<String>,
    legal: bool,
    /// `lvlRestart`: restart after a use of a level numbered below this (1-based); 0 = never.
    restart: Option<usize>,
}

impl Default for Level {
    fn default() -> Self {
        Level {
            start: 1,
            format: "decimal".to_string(),
            custom: None,
            text: None,
            legal: false,
            restart: None,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Abstract {
    levels: [Option<Level>; LEVELS],
    /// `numStyleLink`: the definition lives in a numbering style's list.
    style_link: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct Num {
    abstract_id: String,
    start_overrides: [Option<i64>; LEVELS],
    level_overrides: [Option<Level>; LEVELS],
}

/// The list definitions of a document.
#[derive(Debug, Default)]
pub(crate) struct NumberingDefs {
    abstracts: HashMap<String, Abstract>,
    nums: HashMap<String, Num>,
}

impl NumberingDefs {
    pub(crate) fn parse(text: &str) -> Result<NumberingDefs, XmlError> {
        let mut defs = NumberingDefs::default();
        let mut xml = Xml::new(text);
        loop {
            match xml.next()? {
                Ev::Start(e) if e.local() == "abstractNum" => {
                    let id = e.attr("abstractNumId").unwrap_or_default();
                    let parsed = parse_abstract(&mut xml)?;
                    defs.abstracts.insert(id, parsed);
                }
                Ev::Start(e) if e.local() == "num" => {
                    let id = e.attr("numId").unwrap_or_default();
                    let parsed = parse_num(&mut xml)?;
                    defs.nums.insert(id, parsed);
                }
                Ev::Eof => return Ok(defs),
                Ev::Start(_) | Ev::End | Ev::Text(_) => {}
            }
        }
    }

    /// The abstract list id behind `num_id`, following `numStyleLink`s (bounded).
    fn abstract_of(&self, num_id: &str, styles: &Styles) -> Option<(&str, &Abstract)> {
        let mut num = self.nums.get(num_id)?;
        for _ in 0..4 {
            let id = num.abstract_id.as_str();
            let abs = self.abstracts.get(id)?;
            match &abs.style_link {
                Some(link) => {
                    let linked = styles.style_num_id(link)?;
                    num = self.nums.get(&linked)?;
                }
                None => return Some((id, abs)),
            }
        }
        None
    }
}

/// Running list counters while a part is read.
pub(crate) struct Counters<'d> {
    defs: &'d NumberingDefs,
    /// Per abstract list (or per overriding num): the last number used at each level.
    state: HashMap<String, [Option<i64>; LEVELS]>,
}

impl<'d> Counters<'d> {
    pub(crate) fn new(defs: &'d NumberingDefs) -> Counters<'d> {
        Counters {
            defs,
            state: HashMap::new(),
        }
    }

    /// Count one paragraph of list `num_id` at level `ilvl` and return its depth and marker;
    /// None when the paragraph shows no number (num 0, unknown list, format `none`).
    pub(crate) fn next(
        &mut self,
        num_id: &str,
        ilvl: u8,
        styles: &Styles,
    ) -> Option<(u8, ListMarker)> {
        let ilvl = usize::from(ilvl);
        if ilvl >= LEVELS {
            return None;
        }
        let num = self.defs.nums.get(num_id)?;
        let (abstract_id, abs) = self.defs.abstract_of(num_id, styles)?;
        let level_def = |k: usize| -> Level {
            num.level_overrides
                .get(k)
                .cloned()
                .flatten()
                .or_else(|| abs.levels.get(k).cloned().flatten())
                .unwrap_or_default()
        };
        let start_of = |k: usize| -> i64 {
            num.start_overrides
                .get(k)
                .copied()
                .flatten()
                .unwrap_or_else(|| level_def(k).start)
        };
        let overridden = num.start_overrides.iter().any(Option::is_some)
            || num.level_overrides.iter().any(Option::is_some);
        let key = if overridden {
            format!("num:{num_id}")
        } else {
            format!("abs:{abstract_id}")
        };
        let counters = self.state.entry(key).or_insert([None; LEVELS]);
        // Levels above that were never used show their start value, and count as started:
        // after "A" (level 0) and "a" (level 4), the next level-3 item is number 2.
        for k in 0..ilvl {
            if let Some(slot) = counters.get_mut(k)
                && slot.is_none()
            {
                *slot = Some(start_of(k));
            }
        }
        let value = match counters.get(ilvl).copied().flatten() {
            Some(v) => v.saturating_add(1),
            None => start_of(ilvl),
        };
        if let Some(slot) = counters.get_mut(ilvl) {
            *slot = Some(value);
        }
        for k in ilvl + 1..LEVELS {
            let restart = level_def(k).restart.unwrap_or(k);
            if ilvl < restart
                && let Some(slot) = counters.get_mut(k)
            {
                *slot = None;
            }
        }
        let level = level_def(ilvl);
        let depth = ilvl as u8;
        if level.format == "bullet" {
            return Some((depth, ListMarker::Bullet));
        }
        let template = level
            .text
            .clone()
            .unwrap_or_else(|| format!("%{}.", ilvl + 1));
        let mut label = String::new();
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%'
                && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
                && (1..=9).contains(&d)
            {
                chars.next();
                let k = d as usize - 1;
                let v = counters
                    .get(k)
                    .copied()
                    .flatten()
                    .unwrap_or_else(|| start_of(k));
                let def = level_def(k);
                // Legal numbering shows every level's number in decimal.
                if level.legal && k != ilvl {
                    label.push_str(&v.to_string());
                } else {
                    label.push_str(&format_number(v, &def.format, def.custom.as_deref()));
                }
            } else {
                label.push(c);
            }
        }
        let label = label.trim().to_string();
        if level.format == "none" && label.is_empty() {
            return None;
        }
        if label.is_empty() {
            return None;
        }
        Some((depth, ListMarker::Number(label)))
    }
}

fn parse_abstract(xml: &mut Xml<'_>) -> Result<Abstract, XmlError> {
    let mut abs = Abstract::default();
    let depth = xml.depth();
    loop {
        match xml.next()? {
            Ev::Start(e) => match e.local() {
                "lvl" => {
                    let ilvl = e.attr("ilvl").and_then(|v| v.parse::<usize>().ok());
                    let level = parse_level(xml)?;
                    // Out-of-range levels (hostile or broken files) are ignored.
                    if let Some(slot) = ilvl.and_then(|i| abs.levels.get_mut(i)) {
                        *slot = Some(level);
                    }
                }
                "numStyleLink" => abs.style_link = e.attr("val"),
                _ => xml.skip()?,
            },
            Ev::End if xml.depth() < depth => return Ok(abs),
            Ev::Eof => return Ok(abs),
            Ev::End | Ev::Text(_) => {}
        }
    }
}

fn parse_level(xml: &mut Xml<'_>) -> Result<Level, XmlError> {
    let mut level = Level::default();
    let depth = xml.depth();
    // Word 2010+ writes custom formats in an mc:Choice with a decimal Fallback.
    let mut alternates = Alternates::default();
    loop {
        match xml.next()? {
            Ev::Start(e) => {
                if alternates.skip_start(e.local(), xml.depth()) {
                    xml.skip()?;
                    alternates.end(xml.depth());
                    continue;
                }
                match e.local() {
                    "start" => {
                        level.start = e.attr("val").and_then(|v| v.parse().ok()).unwrap_or(1)
                    }
                    "numFmt" => {
                        level.format = e.attr("val").unwrap_or_else(|| "decimal".into());
                        level.custom = e.attr("format");
                    }
                    "lvlText" => level.text = e.attr("val"),
                    "isLgl" => level.legal = e.flag(),
                    "lvlRestart" => level.restart = e.attr("val").and_then(|v| v.parse().ok()),
                    "pPr" | "rPr" => xml.skip()?,
                    _ => {}
                }
            }
            Ev::End => {
                if xml.depth() < depth {
                    return Ok(level);
                }
                alternates.end(xml.depth());
            }
            Ev::Eof => return Ok(level),
            Ev::Text(_) => {}
        }
    }
}

fn parse_num(xml: &mut Xml<'_>) -> Result<Num, XmlError> {
    let mut num = Num::default();
    let depth = xml.depth();
    let mut current: Option<usize> = None;
    loop {
        match xml.next()? {
            Ev::Start(e) => match e.local() {
                "abstractNumId" => num.abstract_id = e.attr("val").unwrap_or_default(),
                "lvlOverride" => {
                    current = e
                        .attr("ilvl")
                        .and_then(|v| v.parse::<usize>().ok())
                        .filter(|&i| i < LEVELS);
                }
                "startOverride" => {
                    if let Some(slot) = current.and_then(|i| num.start_overrides.get_mut(i)) {
                        *slot = e.attr("val").and_then(|v| v.parse().ok());
                    }
                }
                "lvl" => {
                    let level = parse_level(xml)?;
                    if let Some(slot) = current.and_then(|i| num.level_overrides.get_mut(i)) {
                        *slot = Some(level);
                    }
                }
                _ => {}
            },
            Ev::End if xml.depth() < depth => return Ok(num),
            Ev::Eof => return Ok(num),
            Ev::End | Ev::Text(_) => {}
        }
    }
}

/// A counter value in a Word number format.
pub(crate) fn format_number(value: i64, format: &str, custom: Option<&str>) -> String {
    match format {
        "decimalZero" if (0..10).contains(&value) => format!("0{value}"),
        "upperRoman" => roman(value).unwrap_or_else(|| value.to_string()),
        "lowerRoman" => roman(value)
            .map(|r| r.to_ascii_lowercase())
            .unwrap_or_else(|| value.to_string()),
        "upperLetter" => letters(value, b'A'),
        "lowerLetter" => letters(value, b'a'),
        "ordinal" => ordinal(value),
        "chicago" => chicago(value),
        "none" => String::new(),
        "custom" => custom
            .and_then(|c| custom_format(value, c))
            .unwrap_or_else(|| value.to_string()),
        _ => value.to_string(),
    }
}

fn roman(value: i64) -> Option<String> {
    if !(1..4000).contains(&value) {
        return None;
    }
    const TABLE: [(i64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut n = value;
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    Some(out)
}

/// Word's letter numbering repeats the letter: a … z, aa … zz, aaa …
fn letters(value: i64, base: u8) -> String {
    if value < 1 {
        return value.to_string();
    }
    let index = (value - 1) % 26;
    let times = ((value - 1) / 26 + 1).min(100) as usize;
    let c = char::from(base + index as u8);
    std::iter::repeat_n(c, times).collect()
}

fn ordinal(value: i64) -> String {
    let suffix = match (value % 10, value % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{value}{suffix}")
}

fn chicago(value: i64) -> String {
    const SYMBOLS: [char; 4] = ['*', '†', '‡', '§'];
    if value < 1 {
        return value.to_string();
    }
    let index = ((value - 1) % 4) as usize;
    let times = ((value - 1) / 4 + 1).min(100) as usize;
    std::iter::repeat_n(SYMBOLS.get(index).copied().unwrap_or('*'), times).collect()
}

/// "α, β, γ, ..." counts in that alphabet; "001, 002, ..." pads decimals.
fn custom_format(value: i64, sample: &str) -> Option<String> {
    let first = sample.split(',').next()?.trim();
    if !first.is_empty() && first.chars().all(|c| c.is_ascii_digit()) {
        return Some(format!("{value:0width$}", width = first.len()));
    }
    let mut chars = first.chars();
    let c = chars.next()?;
    if chars.next().is_some() || value < 1 {
        return None;
    }
    let code = u32::from(c).checked_add(u32::try_from(value - 1).ok()?)?;
    char::from_u32(code).map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(format_number(4, "upperRoman", None), "IV");
        assert_eq!(format_number(9, "lowerRoman", None), "ix");
        assert_eq!(format_number(28, "lowerLetter", None), "bb");
        assert_eq!(format_number(3, "upperLetter", None), "C");
        assert_eq!(format_number(3, "decimalZero", None), "03");
        assert_eq!(format_number(12, "ordinal", None), "12th");
        assert_eq!(format_number(22, "ordinal", None), "22nd");
        assert_eq!(format_number(2, "custom", Some("α, β, γ, ...")), "β");
        assert_eq!(
            format_number(7, "custom", Some("001, 002, 003, ...")),
            "007"
        );
        assert_eq!(format_number(5, "chicago", None), "**");
    }

    #[test]
    fn counts_levels_restarts_and_overrides() {
        let text = r#"<w:numbering>
<w:abstractNum w:abstractNumId="0">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/></w:lvl>
 <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="o"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><mc:AlternateContent><mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="α, β, γ, ..."/></mc:Choice><mc:Fallback><w:numFmt w:val="decimal"/></mc:Fallback></mc:AlternateContent><w:lvlText w:val="(%1)"/></w:lvl>
 <w:lvl w:ilvl="2000000000"><w:start w:val="1"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"#;
        let defs = NumberingDefs::parse(text).unwrap();
        let styles = Styles::default();
        let mut c = Counters::new(&defs);
        let mut label = |num: &str, lvl: u8| match c.next(num, lvl, &styles) {
            Some((_, ListMarker::Number(l))) => l,
            Some((_, ListMarker::Bullet)) => "•".into(),
            None => "-".into(),
        };
        assert_eq!(label("1", 0), "1.");
        assert_eq!(label("1", 1), "1.1.");
        assert_eq!(label("1", 1), "1.2.");
        assert_eq!(label("1", 2), "•");
        assert_eq!(label("1", 0), "2.");
        assert_eq!(label("1", 1), "2.1.");
        // Another num of the same abstract list continues it.
        assert_eq!(label("2", 0), "3.");
        // A num with a start override is a list of its own.
        assert_eq!(label("3", 0), "5.");
        assert_eq!(label("3", 0), "6.");
        assert_eq!(label("4", 0), "(α)");
        assert_eq!(label("4", 0), "(β)");
        assert_eq!(label("0", 0), "-");
        assert_eq!(label("9", 0), "-");
    }
}
