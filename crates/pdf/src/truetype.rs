//! Just enough of an embedded TrueType/OpenType font to recover text when a composite font
//! has no `/ToUnicode`: the font's own `cmap` table, read backwards (glyph id → Unicode).
//! Every read is bounds-checked; loops are capped by the table sizes.

use std::collections::HashMap;

/// Characters read at most from one font (a full CJK font has ~30 000).
const MAX_CHARS: usize = 200_000;

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(at)?,
        *d.get(at + 1)?,
        *d.get(at + 2)?,
        *d.get(at + 3)?,
    ]))
}

/// The `cmap` table of a font program, if it has one.
fn cmap_table(font: &[u8]) -> Option<&[u8]> {
    let num_tables = usize::from(u16_at(font, 4)?);
    for i in 0..num_tables.min(512) {
        let rec = 12 + 16 * i;
        if font.get(rec..rec + 4)? == b"cmap" {
            let off = u32_at(font, rec + 8)? as usize;
            let len = u32_at(font, rec + 12)? as usize;
            return font.get(off..off.checked_add(len)?.min(font.len()));
        }
    }
    None
}

/// Glyph id → Unicode character, from the font's Unicode `cmap` subtables (Windows
/// Unicode BMP / full repertoire, or Unicode platform). Empty when there is none.
pub(crate) fn glyph_to_unicode(font: &[u8]) -> HashMap<u16, char> {
    let mut map = HashMap::new();
    let Some(cmap) = cmap_table(font) else {
        return map;
    };
    let Some(n) = u16_at(cmap, 2) else { return map };
    let mut best: Option<(u8, usize)> = None;
    for i in 0..usize::from(n).min(64) {
        let rec = 4 + 8 * i;
        let (Some(platform), Some(encoding), Some(off)) = (
            u16_at(cmap, rec),
            u16_at(cmap, rec + 2),
            u32_at(cmap, rec + 4),
        ) else {
            break;
        };
        // Prefer full-repertoire tables, then BMP ones.
        let rank = match (platform, encoding) {
            (3, 10) | (0, 4) | (0, 6) => 3,
            (3, 1) | (0, _) => 2,
            _ => continue,
        };
        if best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, off as usize));
        }
    }
    if let Some((_, off)) = best
        && let Some(sub) = cmap.get(off..)
    {
        let mut put = |ch: u32, gid: u16| {
            if gid != 0
                && map.len() < MAX_CHARS
                && let Some(c) = char::from_u32(ch)
            {
                map.entry(gid).or_insert(c);
            }
        };
        match u16_at(sub, 0) {
            Some(4) => read_format4(sub, &mut put),
            Some(12) => read_format12(sub, &mut put),
            _ => {}
        }
    }
    map
}

fn read_format4(sub: &[u8], put: &mut impl FnMut(u32, u16)) {
    let Some(seg_x2) = u16_at(sub, 6).map(usize::from) else {
        return;
    };
    let ends = 14;
    let starts = ends + seg_x2 + 2;
    let deltas = starts + seg_x2;
    let range_offsets = deltas + seg_x2;
    for seg in 0..seg_x2 / 2 {
        let (Some(end), Some(start), Some(delta), Some(ro)) = (
            u16_at(sub, ends + 2 * seg),
            u16_at(sub, starts + 2 * seg),
            u16_at(sub, deltas + 2 * seg),
            u16_at(sub, range_offsets + 2 * seg),
        ) else {
            return;
        };
        if start > end {
            continue;
        }
        for c in start..=end {
            if c == 0xFFFF {
                break;
            }
            let gid = if ro == 0 {
                c.wrapping_add(delta)
            } else {
                let at = range_offsets + 2 * seg + usize::from(ro) + 2 * usize::from(c - start);
                match u16_at(sub, at) {
                    Some(0) | None => continue,
                    Some(g) => g.wrapping_add(delta),
                }
            };
            put(u32::from(c), gid);
        }
    }
}

fn read_format12(sub: &[u8], put: &mut impl FnMut(u32, u16)) {
    let Some(groups) = u32_at(sub, 12) else {
        return;
    };
    let mut budget = MAX_CHARS;
    for g in 0..groups as usize {
        let rec = 16 + 12 * g;
        let (Some(start), Some(end), Some(first_gid)) =
            (u32_at(sub, rec), u32_at(sub, rec + 4), u32_at(sub, rec + 8))
        else {
            return;
        };
        if end < start {
            continue;
        }
        for c in start..=end {
            if budget == 0 {
                return;
            }
            budget -= 1;
            let gid = first_gid.saturating_add(c - start);
            if let Ok(gid) = u16::try_from(gid) {
                put(c, gid);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal font: one `cmap` table with a format-4 subtable mapping 'A'..'C' to 1..3.
    fn tiny_font() -> Vec<u8> {
        let mut sub = Vec::new();
        let seg = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_be_bytes());
        // format, length, language, segCountX2=4, searchRange, entrySelector, rangeShift
        for x in [4u16, 32, 0, 4, 4, 1, 0] {
            seg(&mut sub, x);
        }
        for x in [0x43u16, 0xFFFF, 0, 0x41, 0xFFFF] {
            seg(&mut sub, x); // endCodes, pad, startCodes
        }
        for x in [(1u16).wrapping_sub(0x41), 1, 0, 0] {
            seg(&mut sub, x); // deltas, rangeOffsets
        }
        let mut cmap = Vec::new();
        for x in [0u16, 1, 3, 1] {
            seg(&mut cmap, x);
        }
        cmap.extend_from_slice(&12u32.to_be_bytes());
        cmap.extend_from_slice(&sub);
        let mut font = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        font.extend_from_slice(b"cmap");
        font.extend_from_slice(&0u32.to_be_bytes());
        font.extend_from_slice(&28u32.to_be_bytes());
        font.extend_from_slice(&(cmap.len() as u32).to_be_bytes());
        font.extend_from_slice(&cmap);
        font
    }

    #[test]
    fn reverse_format4() {
        let map = glyph_to_unicode(&tiny_font());
        assert_eq!(map.get(&1), Some(&'A'));
        assert_eq!(map.get(&3), Some(&'C'));
        assert!(glyph_to_unicode(b"garbage").is_empty());
        let font = tiny_font();
        for cut in 0..font.len() {
            let _ = glyph_to_unicode(&font[..cut]);
        }
    }
}
