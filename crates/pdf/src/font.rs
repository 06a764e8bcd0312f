//! Fonts as a text extractor needs them: how a shown string splits into codes, each code's
//! Unicode text and advance width. Text comes from, in order of trust: `/ToUnicode`, the
//! encoding's glyph names, a predefined CJK CMap, the embedded font's own `cmap` table, and
//! as a last guess the code read as Latin-1 (simple fonts only).

use std::collections::HashMap;

use lopdf::{Dictionary, Document as LoDoc, Object};

use crate::cmap::CMap;
use crate::encodings::{self, base_encoding, glyph_name_to_unicode};
use crate::objutil::{get, get_array, get_dict, get_name, get_num, get_stream, num, resolve};
use crate::truetype;

/// Largest font program or CMap stream we decode (real ones are far smaller).
const MAX_FONT_STREAM: usize = 32 * 1024 * 1024;
/// CIDs covered by one `/W` range entry at most (a hostile `[0 4000000000 500]`).
const MAX_W_RANGE: u32 = 1 << 20;

/// How codes are laid out in a shown string.
enum Codes {
    OneByte,
    TwoByte,
    /// Lengths from an (embedded or predefined) CMap's codespace.
    CMap(CMap),
    /// A predefined CJK byte encoding whose lead bytes announce two-byte codes.
    Legacy(&'static encoding_rs_lite::Legacy),
}

/// A font resolved for text extraction.
pub(crate) struct Font {
    codes: Codes,
    /// Simple fonts: the text of each code (empty when unknown).
    simple_text: Vec<String>,
    /// Simple fonts: advance of each code, in text-space units (1/1000 em already applied).
    simple_widths: Vec<f32>,
    to_unicode: Option<CMap>,
    /// Composite fonts: the encoding CMap (code → CID) when it is not Identity.
    cid_map: Option<CMap>,
    /// Composite fonts whose codes are Unicode (UCS-2 / UTF-16 predefined CMaps).
    codes_are_unicode: bool,
    /// Composite fonts without `/ToUnicode`: glyph id → text from the embedded TrueType.
    gid_text: HashMap<u16, char>,
    cid_to_gid: Option<Vec<u16>>,
    cid_widths: HashMap<u32, f32>,
    cid_width_ranges: Vec<(u32, u32, f32)>,
    default_width: f32,
    /// Writing mode 1: glyphs advance downwards.
    pub(crate) vertical: bool,
    /// Multiplies the font size into a glyph height (differs from 1 for Type 3 fonts).
    pub(crate) size_scale: f32,
    composite: bool,
}

/// One decoded glyph.
pub(crate) struct Glyph<'a> {
    pub(crate) text: &'a str,
    /// Advance in text-space units (multiply by the font size).
    pub(crate) width: f32,
    /// A single-byte code 32: word spacing (`Tw`) applies.
    pub(crate) is_space: bool,
}

impl Font {
    /// A stand-in used when a font cannot be resolved: bytes as Latin-1, half-em advances.
    pub(crate) fn fallback() -> Font {
        Font {
            codes: Codes::OneByte,
            simple_text: (0u8..=255).map(|b| latin1(b).to_string()).collect(),
            simple_widths: vec![0.5; 256],
            to_unicode: None,
            cid_map: None,
            codes_are_unicode: false,
            gid_text: HashMap::new(),
            cid_to_gid: None,
            cid_widths: HashMap::new(),
            cid_width_ranges: Vec::new(),
            default_width: 0.5,
            vertical: false,
            size_scale: 1.0,
            composite: false,
        }
    }

    /// Resolve a font dictionary.
    pub(crate) fn load(doc: &LoDoc, dict: &Dictionary) -> Font {
        let subtype = get_name(doc, dict, b"Subtype").unwrap_or(b"Type1");
        let to_unicode = get_stream(doc, dict, b"ToUnicode")
            .and_then(|s| {
                s.get_plain_content_with_limit(MAX_FONT_STREAM)
                    .ok()
                    .or_else(|| Some(s.content.clone()))
            })
            .map(|data| CMap::parse(&data))
            .filter(CMap::has_unicode);
        if subtype == b"Type0" {
            load_composite(doc, dict, to_unicode)
        } else {
            load_simple(doc, dict, subtype, to_unicode)
        }
    }

    /// Split `bytes` into glyphs and call `each` for every one, in order.
    pub(crate) fn decode(&self, bytes: &[u8], mut each: impl FnMut(Glyph<'_>)) {
        let mut scratch = String::new();
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            let n = match &self.codes {
                Codes::OneByte => 1,
                Codes::TwoByte => 2,
                Codes::CMap(cmap) => cmap.code_len(rest).unwrap_or(2),
                Codes::Legacy(legacy) => legacy.code_len(rest[0]),
            }
            .min(rest.len())
            .max(1);
            let code_bytes = &rest[..n];
            let code = code_bytes
                .iter()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            i += n;
            if !self.composite {
                let idx = (code & 0xFF) as usize;
                each(Glyph {
                    text: self.simple_text.get(idx).map_or("", String::as_str),
                    width: self.simple_widths.get(idx).copied().unwrap_or(0.5),
                    is_space: code == 32,
                });
                continue;
            }
            scratch.clear();
            self.composite_text(code, code_bytes, &mut scratch);
            each(Glyph {
                text: &scratch,
                width: self.cid_width(self.cid(code)),
                is_space: n == 1 && code == 32,
            });
        }
    }

    fn cid(&self, code: u32) -> u32 {
        match &self.cid_map {
            Some(map) => map.cid(code).unwrap_or(code),
            None => code,
        }
    }

    fn composite_text(&self, code: u32, code_bytes: &[u8], out: &mut String) {
        if let Some(tu) = &self.to_unicode
            && tu.unicode(code, out)
        {
            return;
        }
        if self.codes_are_unicode {
            let units: Vec<u16> = code_bytes
                .chunks(2)
                .map(|c| c.iter().fold(0u16, |a, &b| (a << 8) | u16::from(b)))
                .collect();
            out.extend(char::decode_utf16(units).filter_map(Result::ok));
            return;
        }
        if let Codes::Legacy(legacy) = &self.codes {
            legacy.decode(code_bytes, out);
            return;
        }
        let cid = self.cid(code);
        let gid = match &self.cid_to_gid {
            Some(map) => map.get(cid as usize).copied().unwrap_or(0),
            None => u16::try_from(cid).unwrap_or(0),
        };
        if let Some(c) = self.gid_text.get(&gid) {
            out.push(*c);
        }
    }

    fn cid_width(&self, cid: u32) -> f32 {
        if let Some(w) = self.cid_widths.get(&cid) {
            return *w;
        }
        self.cid_width_ranges
            .iter()
            .find(|(lo, hi, _)| *lo <= cid && cid <= *hi)
            .map_or(self.default_width, |(_, _, w)| *w)
    }
}

fn latin1(b: u8) -> char {
    match b {
        0..=31 => ' ',
        _ => char::from(b),
    }
}

fn decode_stream(doc: &LoDoc, dict: &Dictionary, key: &[u8]) -> Option<Vec<u8>> {
    let s = get_stream(doc, dict, key)?;
    s.get_plain_content_with_limit(MAX_FONT_STREAM).ok()
}

fn load_simple(doc: &LoDoc, dict: &Dictionary, subtype: &[u8], to_unicode: Option<CMap>) -> Font {
    let base_font = get_name(doc, dict, b"BaseFont").unwrap_or(b"");
    let descriptor = get_dict(doc, dict, b"FontDescriptor");
    let lower_name = String::from_utf8_lossy(base_font).to_ascii_lowercase();

    // Code → glyph name (Differences) or code → Unicode (base encoding).
    let mut names: Vec<Option<Vec<u8>>> = vec![None; 256];
    let encoding_obj = get(doc, dict, b"Encoding");
    let mut base: Option<&'static [u16; 256]> = None;
    match encoding_obj {
        Some(Object::Name(n)) => base = base_encoding(n),
        Some(Object::Dictionary(enc)) => {
            base = get_name(doc, enc, b"BaseEncoding").and_then(base_encoding);
            if let Some(diffs) = get_array(doc, enc, b"Differences") {
                let mut code: usize = 0;
                for item in diffs.iter().take(4096) {
                    match resolve(doc, item) {
                        Some(Object::Integer(c)) => code = usize::try_from(*c).unwrap_or(256),
                        Some(Object::Name(n)) => {
                            if let Some(slot) = names.get_mut(code) {
                                *slot = Some(n.clone());
                            }
                            code = code.saturating_add(1);
                        }
                        _ => {}
                    }
                }
            }
        }
        _ => {}
    }
    let builtin = if base.is_none() {
        descriptor
            .and_then(|d| decode_stream(doc, d, b"FontFile"))
            .map(|p| type1_builtin_encoding(&p))
    } else {
        None
    };
    let is_symbol_font = lower_name.contains("symbol");
    // Without an encoding: Symbol's own, WinAnsi for TrueType (what viewers do), else
    // Standard (the spec's default for Type 1).
    let default_base: &'static [u16; 256] = if is_symbol_font {
        &encodings::SYMBOL_ENCODING
    } else if subtype == b"TrueType" {
        &encodings::WIN_ANSI_ENCODING
    } else {
        &encodings::STANDARD_ENCODING
    };
    let base_table = base.unwrap_or(default_base);

    let mut simple_text = Vec::with_capacity(256);
    for (code, &base_char) in base_table.iter().enumerate() {
        let mut text = String::new();
        if let Some(tu) = &to_unicode {
            tu.unicode(code as u32, &mut text);
        }
        if text.is_empty()
            && let Some(Some(name)) = names.get(code)
        {
            text = glyph_name_to_unicode(name).unwrap_or_default();
        }
        if text.is_empty()
            && let Some(Some(Some(name))) = builtin.as_ref().map(|b| b.get(code))
        {
            text = glyph_name_to_unicode(name).unwrap_or_default();
        }
        // A glyph name we cannot read (`g18`, `cid42`) overrides the base encoding: guessing
        // from the base would print wrong letters, so the glyph stays without text.
        let named = names.get(code).is_some_and(Option::is_some);
        if text.is_empty() && !named {
            match base_char {
                // Not in the encoding and no glyph name: the code itself is the best guess.
                0 if code >= 32 => text.push(latin1(code as u8)),
                0 => {}
                u => text.extend(char::from_u32(u32::from(u))),
            }
        }
        simple_text.push(text);
    }

    // Widths: /FirstChar + /Widths, else the standard-14 metrics, else half an em.
    let scale = if subtype == b"Type3" {
        get_array(doc, dict, b"FontMatrix")
            .and_then(|m| m.first())
            .and_then(|v| num(doc, v))
            .map_or(0.001, |v| v.abs() as f32)
    } else {
        0.001
    };
    let missing = descriptor
        .and_then(|d| get_num(doc, d, b"MissingWidth"))
        .map(|w| w as f32 * scale);
    let mut simple_widths: Vec<f32> = (0..256)
        .map(|code| {
            let ch = simple_text[code].chars().next().unwrap_or(' ');
            missing
                .filter(|w| *w > 0.0)
                .or_else(|| encodings::standard_width(base_font, ch).map(|w| w * 0.001))
                .unwrap_or(0.5)
        })
        .collect();
    if let Some(widths) = get_array(doc, dict, b"Widths") {
        let first = get_num(doc, dict, b"FirstChar").unwrap_or(0.0).max(0.0) as usize;
        for (i, w) in widths.iter().enumerate() {
            if let (Some(slot), Some(w)) = (simple_widths.get_mut(first + i), num(doc, w)) {
                *slot = (w as f32 * scale).abs();
            }
        }
    }
    let size_scale = if subtype == b"Type3" {
        type3_size_scale(doc, dict)
    } else {
        1.0
    };
    Font {
        simple_text,
        simple_widths,
        to_unicode,
        size_scale,
        ..Font::fallback()
    }
}

/// Type 3 glyphs live in their own space: estimate how tall a glyph is relative to the
/// font size from the font matrix and bounding box.
fn type3_size_scale(doc: &LoDoc, dict: &Dictionary) -> f32 {
    let d = get_array(doc, dict, b"FontMatrix")
        .and_then(|m| m.get(3))
        .and_then(|v| num(doc, v))
        .unwrap_or(0.001)
        .abs();
    let height = get_array(doc, dict, b"FontBBox")
        .filter(|b| b.len() == 4)
        .and_then(|b| Some(num(doc, &b[3])? - num(doc, &b[1])?))
        .filter(|h| *h > 0.0)
        .unwrap_or(1000.0);
    ((d * height) as f32).clamp(0.05, 20.0)
}

/// The built-in encoding of a Type 1 font program: its `dup <code> /<name> put` lines.
fn type1_builtin_encoding(program: &[u8]) -> Vec<Option<Vec<u8>>> {
    let mut names: Vec<Option<Vec<u8>>> = vec![None; 256];
    // The encoding sits in the clear-text part, before `eexec`.
    let end = find(program, b"eexec")
        .unwrap_or(program.len())
        .min(1 << 20);
    let Some(text) = program.get(..end) else {
        return names;
    };
    let mut lexer = crate::lexer::Lexer::new(text);
    let mut window: Vec<crate::lexer::Token<'_>> = Vec::new();
    while let Some(tok) = lexer.next_token() {
        if window.len() == 4 {
            window.remove(0);
        }
        window.push(tok);
        if let [
            crate::lexer::Token::Operator(b"dup"),
            crate::lexer::Token::Operand(crate::lexer::Operand::Num(code)),
            crate::lexer::Token::Operand(crate::lexer::Operand::Name(name)),
            crate::lexer::Token::Operator(b"put"),
        ] = window.as_slice()
            && let Some(slot) = names.get_mut(*code as usize)
        {
            *slot = Some(name.clone());
        }
    }
    names
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn load_composite(doc: &LoDoc, dict: &Dictionary, to_unicode: Option<CMap>) -> Font {
    let descendant = get_array(doc, dict, b"DescendantFonts")
        .and_then(|a| a.first())
        .and_then(|d| crate::objutil::as_dict(doc, d));
    let mut font = Font {
        composite: true,
        codes: Codes::TwoByte,
        to_unicode,
        default_width: 1.0,
        simple_text: Vec::new(),
        simple_widths: Vec::new(),
        ..Font::fallback()
    };
    match get(doc, dict, b"Encoding") {
        Some(Object::Name(name)) => {
            let name = name.as_slice();
            font.vertical = name.ends_with(b"-V");
            if name.starts_with(b"Identity") {
                font.codes = Codes::TwoByte;
            } else if contains(name, b"UCS2") {
                font.codes = Codes::TwoByte;
                font.codes_are_unicode = true;
            } else if contains(name, b"UTF16") {
                let mut cmap = CMap::default();
                // UTF-16: two bytes, or four for a surrogate pair.
                cmap.codespace = vec![
                    (2, 0, 0xD7FF),
                    (4, 0xD800_0000, 0xDBFF_FFFF),
                    (2, 0xE000, 0xFFFF),
                ];
                font.codes = Codes::CMap(cmap);
                font.codes_are_unicode = true;
            } else if let Some(legacy) = encoding_rs_lite::Legacy::for_cmap(name) {
                font.codes = Codes::Legacy(legacy);
            }
        }
        Some(Object::Stream(s)) => {
            if let Ok(data) = s.get_plain_content_with_limit(MAX_FONT_STREAM) {
                let cmap = CMap::parse(&data);
                font.vertical = cmap.vertical;
                if cmap.codespace.is_empty() {
                    font.codes = Codes::TwoByte;
                } else {
                    font.cid_map = Some(cmap.clone());
                    font.codes = Codes::CMap(cmap);
                }
            }
        }
        _ => {}
    }
    let Some(desc) = descendant else {
        return font;
    };
    font.default_width = get_num(doc, desc, b"DW").map_or(1.0, |w| w as f32 * 0.001);
    if let Some(w) = get_array(doc, desc, b"W") {
        read_cid_widths(doc, w, &mut font);
    }
    let needs_glyph_text = font.to_unicode.is_none() && !font.codes_are_unicode;
    if needs_glyph_text && !matches!(font.codes, Codes::Legacy(_)) {
        let program = get_dict(doc, desc, b"FontDescriptor").and_then(|fd| {
            decode_stream(doc, fd, b"FontFile2").or_else(|| decode_stream(doc, fd, b"FontFile3"))
        });
        if let Some(program) = program {
            font.gid_text = truetype::glyph_to_unicode(&program);
        }
        if let Some(map) = get_stream(doc, desc, b"CIDToGIDMap")
            .and_then(|s| s.get_plain_content_with_limit(MAX_FONT_STREAM).ok())
        {
            font.cid_to_gid = Some(
                map.chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect(),
            );
        }
    }
    font
}

fn read_cid_widths(doc: &LoDoc, w: &[Object], font: &mut Font) {
    let mut i = 0;
    while i < w.len() && font.cid_widths.len() < 200_000 {
        let Some(first) = num(doc, &w[i]).map(|v| v.max(0.0) as u32) else {
            i += 1;
            continue;
        };
        match w.get(i + 1).and_then(|o| resolve(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate() {
                    if let Some(v) = num(doc, v) {
                        font.cid_widths
                            .insert(first.saturating_add(k as u32), v as f32 * 0.001);
                    }
                }
                i += 2;
            }
            Some(_) => {
                let last = w
                    .get(i + 1)
                    .and_then(|o| num(doc, o))
                    .map(|v| v.max(0.0) as u32);
                let width = w.get(i + 2).and_then(|o| num(doc, o));
                if let (Some(last), Some(width)) = (last, width)
                    && last >= first
                    && last - first <= MAX_W_RANGE
                {
                    font.cid_width_ranges
                        .push((first, last, width as f32 * 0.001));
                }
                i += 3;
            }
            None => break,
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

/// Predefined CJK CMaps with a byte encoding: decoded through encoding_rs when the font has
/// no `/ToUnicode`.
mod encoding_rs_lite {
    pub(crate) struct Legacy {
        encoding: &'static encoding_rs::Encoding,
        /// Lead bytes of two-byte codes.
        lead: fn(u8) -> bool,
    }

    static SJIS: Legacy = Legacy {
        encoding: encoding_rs::SHIFT_JIS,
        lead: |b| matches!(b, 0x81..=0x9F | 0xE0..=0xFC),
    };
    static EUC_JP: Legacy = Legacy {
        encoding: encoding_rs::EUC_JP,
        lead: |b| b >= 0x8E,
    };
    static GBK: Legacy = Legacy {
        encoding: encoding_rs::GBK,
        lead: |b| (0x81..=0xFE).contains(&b),
    };
    static BIG5: Legacy = Legacy {
        encoding: encoding_rs::BIG5,
        lead: |b| (0x81..=0xFE).contains(&b),
    };
    static EUC_KR: Legacy = Legacy {
        encoding: encoding_rs::EUC_KR,
        lead: |b| (0x81..=0xFE).contains(&b),
    };

    impl Legacy {
        pub(crate) fn for_cmap(name: &[u8]) -> Option<&'static Legacy> {
            let name = std::str::from_utf8(name).ok()?;
            if name.contains("RKSJ") {
                Some(&SJIS)
            } else if name.starts_with("GB") {
                Some(&GBK)
            } else if name.starts_with("B5")
                || name.starts_with("ETen")
                || name.starts_with("HKscs")
            {
                Some(&BIG5)
            } else if name.starts_with("KSC") {
                Some(&EUC_KR)
            } else if name.starts_with("EUC") {
                Some(&EUC_JP)
            } else {
                None
            }
        }

        pub(crate) fn code_len(&self, first: u8) -> usize {
            if (self.lead)(first) { 2 } else { 1 }
        }

        pub(crate) fn decode(&self, bytes: &[u8], out: &mut String) {
            let (text, _) = self.encoding.decode_without_bom_handling(bytes);
            out.push_str(&text);
        }
    }
}
