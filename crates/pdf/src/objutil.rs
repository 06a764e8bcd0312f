//! Small, bounded helpers over lopdf objects: dereference with a hop limit (reference chains
//! and cycles in hostile files must not loop), typed getters that never fail loudly, and
//! PDF text-string decoding.

use lopdf::{Dictionary, Document as LoDoc, Object, Stream};

use crate::encodings::PDF_DOC_ENCODING;

/// Reference hops followed before giving up: real files need one or two; a longer chain is
/// a cycle or an attack.
const MAX_HOPS: usize = 16;

/// Follow references until a direct object; None for a dangling reference or a cycle.
pub(crate) fn resolve<'a>(doc: &'a LoDoc, mut obj: &'a Object) -> Option<&'a Object> {
    for _ in 0..MAX_HOPS {
        match obj {
            Object::Reference(id) => obj = doc.get_object(*id).ok()?,
            other => return Some(other),
        }
    }
    None
}

/// `dict[key]`, dereferenced.
pub(crate) fn get<'a>(doc: &'a LoDoc, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    resolve(doc, dict.get(key).ok()?)
}

/// The dictionary of an object (a stream's dictionary too).
pub(crate) fn as_dict<'a>(doc: &'a LoDoc, obj: &'a Object) -> Option<&'a Dictionary> {
    match resolve(doc, obj)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn get_dict<'a>(
    doc: &'a LoDoc,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Dictionary> {
    as_dict(doc, dict.get(key).ok()?)
}

pub(crate) fn get_stream<'a>(
    doc: &'a LoDoc,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Stream> {
    match get(doc, dict, key)? {
        Object::Stream(s) => Some(s),
        _ => None,
    }
}

pub(crate) fn get_array<'a>(
    doc: &'a LoDoc,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a [Object]> {
    match get(doc, dict, key)? {
        Object::Array(a) => Some(a),
        _ => None,
    }
}

pub(crate) fn get_name<'a>(doc: &'a LoDoc, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, dict, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

/// A number (integer or real) as f64.
pub(crate) fn num(doc: &LoDoc, obj: &Object) -> Option<f64> {
    match resolve(doc, obj)? {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)).filter(|v| v.is_finite()),
        _ => None,
    }
}

pub(crate) fn get_num(doc: &LoDoc, dict: &Dictionary, key: &[u8]) -> Option<f64> {
    num(doc, dict.get(key).ok()?)
}

/// A text string (`/Title`, `/T`, `/V`, `/Contents`) decoded: UTF-16 with a byte-order mark,
/// UTF-8 with its mark, else PDFDocEncoding.
pub(crate) fn text_string(bytes: &[u8]) -> String {
    let s = if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, u16::from_be_bytes)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        bytes
            .iter()
            .filter_map(|&b| match PDF_DOC_ENCODING[usize::from(b)] {
                0 => None,
                u => char::from_u32(u32::from(u)),
            })
            .collect()
    };
    // Strip controls (a NUL-padded field, a stray ESC language marker) but keep line breaks.
    s.chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

fn utf16(bytes: &[u8], conv: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|c| conv([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// The string value of `dict[key]` when it is a PDF string.
pub(crate) fn get_text(doc: &LoDoc, dict: &Dictionary, key: &[u8]) -> Option<String> {
    match get(doc, dict, key)? {
        Object::String(bytes, _) => Some(text_string(bytes)),
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}
