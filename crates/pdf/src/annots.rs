//! What sits on a page beside its content stream: annotations with text (notes, comments,
//! highlights, free text) and filled AcroForm fields (their widgets are annotations too).

use std::collections::HashSet;

use cowork_docmodel::{Block, NoteKind};
use lopdf::{Dictionary, Document as LoDoc, Object, ObjectId};

use crate::objutil::{as_dict, get, get_array, get_dict, get_name, get_text, resolve};

/// Annotations looked at per page at most.
const MAX_ANNOTS: usize = 10_000;
/// Parent links followed at most when naming a field or finding its value.
const MAX_PARENTS: usize = 32;

/// Notes and form fields of a page, in the order of its `/Annots`. `seen_fields` keeps a
/// field with several widgets (radio buttons) from being listed twice.
pub(crate) fn page_annotations(
    doc: &LoDoc,
    page: &Dictionary,
    seen_fields: &mut HashSet<ObjectId>,
) -> Vec<Block> {
    let mut out = Vec::new();
    let Some(annots) = get_array(doc, page, b"Annots") else {
        return out;
    };
    for entry in annots.iter().take(MAX_ANNOTS) {
        let Some(annot) = as_dict(doc, entry) else {
            continue;
        };
        let subtype = get_name(doc, annot, b"Subtype").unwrap_or(b"");
        match subtype {
            b"Widget" => {
                if let Some(block) = form_field(doc, entry, annot, seen_fields) {
                    out.push(block);
                }
            }
            // Links carry no text of their own; popups repeat their parent's.
            b"Link" | b"Popup" => {}
            _ => {
                let text = get_text(doc, annot, b"Contents")
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty());
                let Some(text) = text else { continue };
                let kind = String::from_utf8_lossy(subtype).into_owned();
                let label = match get_text(doc, annot, b"T").map(|a| a.trim().to_string()) {
                    Some(author) if !author.is_empty() => format!("{kind} by {author}"),
                    _ => kind,
                };
                out.push(Block::Note {
                    kind: NoteKind::Annotation,
                    label: Some(label),
                    text,
                });
            }
        }
    }
    out
}

/// The field a widget belongs to: the widget itself when it has a name, else its parent.
fn form_field(
    doc: &LoDoc,
    entry: &Object,
    widget: &Dictionary,
    seen: &mut HashSet<ObjectId>,
) -> Option<Block> {
    let (field_id, field) = if widget.has(b"T") {
        (entry.as_reference().ok(), widget)
    } else {
        let parent = widget.get(b"Parent").ok()?;
        (parent.as_reference().ok(), as_dict(doc, parent)?)
    };
    if let Some(id) = field_id
        && !seen.insert(id)
    {
        return None;
    }
    let value = inherited(doc, field, b"V").and_then(|v| value_text(doc, v))?;
    let value = value.trim().to_string();
    if value.is_empty() {
        return None;
    }
    let name = get_text(doc, field, b"TU")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| qualified_name(doc, field));
    Some(Block::FormField { name, value })
}

/// A field attribute found on the field or its nearest ancestor.
fn inherited<'a>(doc: &'a LoDoc, field: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = field;
    for _ in 0..MAX_PARENTS {
        if let Some(v) = get(doc, node, key) {
            return Some(v);
        }
        node = get_dict(doc, node, b"Parent")?;
    }
    None
}

fn value_text(doc: &LoDoc, v: &Object) -> Option<String> {
    match resolve(doc, v)? {
        Object::String(bytes, _) => Some(crate::objutil::text_string(bytes)),
        Object::Name(n) if n.as_slice() == b"Off" => None,
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        Object::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(|i| value_text(doc, i)).collect();
            Some(parts.join(", "))
        }
        Object::Integer(i) => Some(i.to_string()),
        Object::Real(r) => Some(r.to_string()),
        _ => None,
    }
}

/// "parent.child.leaf" from the `/T` names up the field tree.
fn qualified_name(doc: &LoDoc, field: &Dictionary) -> String {
    let mut parts = Vec::new();
    let mut node = Some(field);
    for _ in 0..MAX_PARENTS {
        let Some(n) = node else { break };
        if let Some(t) = get_text(doc, n, b"T") {
            parts.push(t);
        }
        node = get_dict(doc, n, b"Parent");
    }
    parts.reverse();
    // XFA-generated names carry "[0]" indexes on every level: noise for a reader.
    parts
        .iter()
        .map(|p| p.strip_suffix("[0]").unwrap_or(p))
        .collect::<Vec<_>>()
        .join(".")
}
