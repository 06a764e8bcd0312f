//! CMap programs: `/ToUnicode` maps (code → text) and embedded encoding CMaps of composite
//! fonts (code → CID, with the codespace that says how many bytes a code takes). Ranges are
//! kept as ranges, never expanded, so `<0000> <FFFF>` costs one entry.

use std::collections::HashMap;

use crate::lexer::{Lexer, Operand, Token};

/// Entries read at most from one CMap: far above real fonts, bounds memory on hostile ones.
const MAX_ENTRIES: usize = 200_000;

#[derive(Debug, Clone)]
enum Target {
    /// UTF-16 units of the first code's text; later codes increment the last unit.
    Offset(Vec<u16>),
    /// One text per code.
    List(Vec<String>),
    /// The first CID; later codes add their offset.
    Cid(u32),
}

#[derive(Debug, Clone)]
struct Range {
    lo: u32,
    hi: u32,
    target: Target,
}

/// A parsed CMap (either kind: the same syntax serves both).
#[derive(Debug, Clone, Default)]
pub(crate) struct CMap {
    /// (bytes per code, first, last).
    pub(crate) codespace: Vec<(u8, u32, u32)>,
    singles: HashMap<u32, String>,
    cid_singles: HashMap<u32, u32>,
    ranges: Vec<Range>,
    /// Writing mode 1: vertical.
    pub(crate) vertical: bool,
    /// The predefined CMap this one builds on (`usecmap`).
    pub(crate) uses: Option<Vec<u8>>,
}

fn code_of(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() == 1 {
        // Some producers write one-byte targets; read them as Latin-1.
        return vec![u16::from(bytes[0])];
    }
    bytes
        .chunks(2)
        .map(|c| match c {
            [a, b] => u16::from_be_bytes([*a, *b]),
            [a] => u16::from(*a),
            _ => 0,
        })
        .collect()
}

fn units_to_string(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .filter_map(Result::ok)
        .filter(|c| *c != '\0')
        .collect()
}

impl CMap {
    /// Parse a CMap program. Never fails: what cannot be read is left out.
    pub(crate) fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let mut lexer = Lexer::new(data);
        let mut operands: Vec<Operand> = Vec::new();
        let mut entries = 0usize;
        while let Some(tok) = lexer.next_token() {
            let op = match tok {
                Token::Operand(o) => {
                    // A long run of operands without an operator is garbage: keep memory flat.
                    if operands.len() < 3 * 100 + 3 {
                        operands.push(o);
                    }
                    continue;
                }
                Token::Operator(op) => op,
            };
            match op {
                b"endcodespacerange" => {
                    for pair in operands.chunks_exact(2) {
                        if let [Operand::Str(lo), Operand::Str(hi)] = pair {
                            let n = lo.len().clamp(1, 4) as u8;
                            cmap.codespace.push((n, code_of(lo), code_of(hi)));
                        }
                    }
                }
                b"endbfchar" => {
                    for pair in operands.chunks_exact(2) {
                        let text = match pair {
                            [Operand::Str(_), Operand::Str(dst)] => {
                                units_to_string(&utf16_units(dst))
                            }
                            [Operand::Str(_), Operand::Name(n)] => {
                                crate::encodings::glyph_name_to_unicode(n).unwrap_or_default()
                            }
                            _ => continue,
                        };
                        if let Operand::Str(src) = &pair[0]
                            && entries < MAX_ENTRIES
                        {
                            entries += 1;
                            cmap.singles.insert(code_of(src), text);
                        }
                    }
                }
                b"endbfrange" => {
                    for triple in operands.chunks_exact(3) {
                        let (Operand::Str(lo), Operand::Str(hi)) = (&triple[0], &triple[1]) else {
                            continue;
                        };
                        let target = match &triple[2] {
                            Operand::Str(dst) => Target::Offset(utf16_units(dst)),
                            Operand::Array(items) => Target::List(
                                items
                                    .iter()
                                    .map(|i| match i {
                                        Operand::Str(s) => units_to_string(&utf16_units(s)),
                                        _ => String::new(),
                                    })
                                    .collect(),
                            ),
                            _ => continue,
                        };
                        cmap.push_range(code_of(lo), code_of(hi), target, &mut entries);
                    }
                }
                b"endcidrange" => {
                    for triple in operands.chunks_exact(3) {
                        if let [Operand::Str(lo), Operand::Str(hi), Operand::Num(cid)] = triple {
                            let cid = cid.max(0.0) as u32;
                            cmap.push_range(
                                code_of(lo),
                                code_of(hi),
                                Target::Cid(cid),
                                &mut entries,
                            );
                        }
                    }
                }
                b"endcidchar" => {
                    for pair in operands.chunks_exact(2) {
                        if let [Operand::Str(src), Operand::Num(cid)] = pair
                            && entries < MAX_ENTRIES
                        {
                            entries += 1;
                            cmap.cid_singles.insert(code_of(src), cid.max(0.0) as u32);
                        }
                    }
                }
                b"def" => {
                    if let [.., Operand::Name(key), Operand::Num(v)] = operands.as_slice()
                        && key == b"WMode"
                    {
                        cmap.vertical = *v == 1.0;
                    }
                }
                b"usecmap" => {
                    if let Some(Operand::Name(n)) = operands.last() {
                        cmap.uses = Some(n.clone());
                    }
                }
                _ => {}
            }
            operands.clear();
        }
        cmap.ranges.sort_by_key(|r| r.lo);
        cmap
    }

    fn push_range(&mut self, lo: u32, hi: u32, target: Target, entries: &mut usize) {
        if hi < lo || *entries >= MAX_ENTRIES {
            return;
        }
        *entries += 1;
        self.ranges.push(Range { lo, hi, target });
    }

    fn find_range(&self, code: u32) -> Option<&Range> {
        // Ranges are sorted by start; overlapping ranges are rare, so look back a little.
        let idx = self.ranges.partition_point(|r| r.lo <= code);
        self.ranges[..idx]
            .iter()
            .rev()
            .take(8)
            .find(|r| code <= r.hi)
    }

    /// Whether the map has any code → text entry.
    pub(crate) fn has_unicode(&self) -> bool {
        !self.singles.is_empty()
            || self
                .ranges
                .iter()
                .any(|r| !matches!(r.target, Target::Cid(_)))
    }

    /// Append the text of `code`; false when the map has no entry for it.
    pub(crate) fn unicode(&self, code: u32, out: &mut String) -> bool {
        if let Some(s) = self.singles.get(&code) {
            out.push_str(s);
            return true;
        }
        let Some(range) = self.find_range(code) else {
            return false;
        };
        let offset = code - range.lo;
        match &range.target {
            Target::Offset(units) => {
                let mut units = units.clone();
                if let Some(last) = units.last_mut() {
                    *last = last.wrapping_add(offset as u16);
                }
                out.push_str(&units_to_string(&units));
                true
            }
            Target::List(list) => match list.get(offset as usize) {
                Some(s) => {
                    out.push_str(s);
                    true
                }
                None => false,
            },
            Target::Cid(_) => false,
        }
    }

    /// The CID of `code` in an encoding CMap.
    pub(crate) fn cid(&self, code: u32) -> Option<u32> {
        if let Some(&c) = self.cid_singles.get(&code) {
            return Some(c);
        }
        match self.find_range(code)?.target {
            Target::Cid(first) => Some(first.saturating_add(code - self.find_range(code)?.lo)),
            _ => None,
        }
    }

    /// How many bytes the code starting at `bytes` takes, from the codespace ranges
    /// (None when the map declares none).
    pub(crate) fn code_len(&self, bytes: &[u8]) -> Option<usize> {
        if self.codespace.is_empty() {
            return None;
        }
        for n in 1..=4usize {
            let Some(prefix) = bytes.get(..n) else { break };
            let v = code_of(prefix);
            if self
                .codespace
                .iter()
                .any(|&(len, lo, hi)| usize::from(len) == n && lo <= v && v <= hi)
            {
                return Some(n);
            }
        }
        // No range matches: take the shortest declared length, as the spec suggests.
        self.codespace
            .iter()
            .map(|&(len, _, _)| usize::from(len))
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bfchar_bfrange_and_codespace() {
        let src = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
            1 begincodespacerange <0000> <FFFF> endcodespacerange
            2 beginbfchar <0003> <0020> <0011> <00660069> endbfchar
            2 beginbfrange <0024> <0026> <0041> <0030> <0031> [<0061> <0062>] endbfrange
            endcmap";
        let cmap = CMap::parse(src);
        let mut s = String::new();
        for code in [0x24, 0x25, 0x26, 0x03, 0x11, 0x30, 0x31] {
            assert!(cmap.unicode(code, &mut s), "code {code:#x}");
        }
        assert_eq!(s, "ABC fiab");
        assert!(!cmap.unicode(0x99, &mut s));
        assert_eq!(cmap.code_len(&[0, 1, 2]), Some(2));
    }

    #[test]
    fn cid_ranges_and_vertical() {
        let src = b"/WMode 1 def 1 begincodespacerange <00> <80> endcodespacerange
            1 begincidrange <20> <7e> 1 endcidrange";
        let cmap = CMap::parse(src);
        assert!(cmap.vertical);
        assert_eq!(cmap.cid(0x21), Some(2));
        assert_eq!(cmap.code_len(&[0x41]), Some(1));
    }
}
