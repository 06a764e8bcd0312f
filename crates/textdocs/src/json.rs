//! JSON: an array of flat records becomes a table; anything else is shown pretty-printed,
//! keys in their original order. Invalid JSON is an error with its line and column.

use std::fmt::Write as _;

use cowork_docmodel::{Block, Chunk, DocError, Document, Format, Part, PartKind, ReadOptions};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::grid::Window;
use crate::text::{TEXT_CHUNK_BYTES, chunk_end};
use crate::util::check_size;

/// A JSON value that keeps object keys in document order (serde_json's own Value sorts them
/// unless a workspace-wide feature is switched on).
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            entries.push((key, value));
        }
        Ok(Json::Object(entries))
    }
}

/// Read a JSON file.
pub fn read_json(bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    check_size(bytes, Format::Json, opts)?;
    let decoded = crate::encoding::decode_text(bytes);
    let text = decoded.text.as_str();
    let mut doc = Document::new(Format::Json);
    let mut part = Part::new(PartKind::Section, 1);
    match serde_json::from_str::<Json>(text) {
        Ok(value) => {
            if let Some(table) = records_table(&value, opts, &mut doc) {
                part.blocks.push(table);
            } else {
                let mut pretty = String::new();
                write_pretty(&value, 0, &mut pretty);
                push_code(&pretty, &mut part, &mut doc);
            }
        }
        Err(err) if err.to_string().starts_with("recursion limit exceeded") => {
            doc.warn(
                None,
                "JSON nested more than 128 levels deep: shown as written, not re-indented",
            );
            push_code(text, &mut part, &mut doc);
        }
        Err(err) => match json_lines(text) {
            Some(values) => {
                doc.metadata.insert("layout".into(), "JSON Lines".into());
                let array = Json::Array(values);
                if let Some(table) = records_table(&array, opts, &mut doc) {
                    part.blocks.push(table);
                } else {
                    push_code(text, &mut part, &mut doc);
                }
            }
            None => {
                return Err(DocError::corrupt(
                    Format::Json,
                    format!(
                        "invalid JSON at line {}, column {}: {err}",
                        err.line(),
                        err.column()
                    ),
                ));
            }
        },
    }
    doc.parts.push(part);
    Ok(doc)
}

/// JSON Lines: one value per non-empty line (at least two lines).
fn json_lines(text: &str) -> Option<Vec<Json>> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() < 2 {
        return None;
    }
    lines
        .iter()
        .map(|line| serde_json::from_str::<Json>(line).ok())
        .collect()
}

fn push_code(text: &str, part: &mut Part, doc: &mut Document) {
    let end = chunk_end(text, TEXT_CHUNK_BYTES);
    if end < text.len() {
        doc.warn(
            None,
            format!(
                "JSON text is {} bytes; the first {end} are shown",
                text.len()
            ),
        );
        doc.next = Some(Chunk::Offset {
            offset: text[..end].chars().count(),
        });
    }
    part.blocks.push(Block::Code {
        language: Some("json".into()),
        text: text[..end].to_string(),
    });
}

/// An array of objects whose values are all scalars, as a table (columns in first-seen
/// order), windowed like a sheet.
fn records_table(value: &Json, opts: &ReadOptions, doc: &mut Document) -> Option<Block> {
    let Json::Array(items) = value else {
        return None;
    };
    if items.is_empty() {
        return None;
    }
    let mut columns: Vec<&str> = Vec::new();
    for item in items {
        let Json::Object(entries) = item else {
            return None;
        };
        for (key, value) in entries {
            if matches!(value, Json::Array(_) | Json::Object(_)) {
                return None;
            }
            if !columns.contains(&key.as_str()) {
                columns.push(key);
                if columns.len() > 1000 {
                    return None;
                }
            }
        }
    }
    let window = Window::new(opts, true);
    let header: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    let mut rows = Vec::new();
    if window.wants(0) {
        rows.push(window.cut(&header));
    }
    for (i, item) in items.iter().enumerate() {
        let row_index = i + 1;
        if window.past(row_index) {
            break;
        }
        if !window.wants(row_index) {
            continue;
        }
        let Json::Object(entries) = item else {
            continue;
        };
        let row: Vec<String> = columns
            .iter()
            .map(|col| {
                entries
                    .iter()
                    .find(|(k, _)| k == col)
                    .map(|(_, v)| scalar_text(v))
                    .unwrap_or_default()
            })
            .collect();
        rows.push(window.cut(&row));
    }
    let header_copy = window.wants_header_copy().then(|| window.cut(&header));
    let (table, next) = window.finish(header_copy, rows, items.len() + 1, columns.len());
    if let Some(range) = next {
        doc.next = Some(Chunk::Range {
            sheet: String::new(),
            range,
        });
    }
    doc.metadata
        .insert("records".into(), items.len().to_string());
    Some(Block::Table(table))
}

fn scalar_text(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) | Json::String(n) => n.clone(),
        Json::Array(_) | Json::Object(_) => String::new(),
    }
}

fn write_pretty(value: &Json, indent: usize, out: &mut String) {
    let pad = |n: usize, out: &mut String| out.extend(std::iter::repeat_n("  ", n));
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Json::Number(n) => out.push_str(n),
        Json::String(s) => write_string(s, out),
        Json::Array(items) if items.is_empty() => out.push_str("[]"),
        Json::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                pad(indent + 1, out);
                write_pretty(item, indent + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            pad(indent, out);
            out.push(']');
        }
        Json::Object(entries) if entries.is_empty() => out.push_str("{}"),
        Json::Object(entries) => {
            out.push_str("{\n");
            for (i, (key, item)) in entries.iter().enumerate() {
                pad(indent + 1, out);
                write_string(key, out);
                out.push_str(": ");
                write_pretty(item, indent + 1, out);
                out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
            }
            pad(indent, out);
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => {
            let _ = write!(out, "{s:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_reports_line_col() {
        let doc = read_json(br#"{"z": 1, "a": [true, null]}"#, &ReadOptions::default()).unwrap();
        let Block::Code { text, .. } = &doc.parts[0].blocks[0] else {
            panic!("not code")
        };
        assert_eq!(
            text,
            "{\n  \"z\": 1,\n  \"a\": [\n    true,\n    null\n  ]\n}"
        );
        let err = read_json(b"{\n  \"a\": 1,,\n}", &ReadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("line 2, column"), "{err}");
    }

    #[test]
    fn records_become_a_table() {
        let doc = read_json(
            br#"[{"name": "a", "n": 1}, {"name": "b", "extra": false}]"#,
            &ReadOptions::default(),
        )
        .unwrap();
        let Block::Table(t) = &doc.parts[0].blocks[0] else {
            panic!("not a table")
        };
        assert_eq!(t.rows[0], vec!["name", "n", "extra"]);
        assert_eq!(t.rows[2], vec!["b", "", "false"]);
        assert_eq!(t.header_rows, 1);
    }
}
