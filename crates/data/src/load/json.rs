//! JSON: an array of objects is a table (keys in first-seen order are the columns); an object
//! holding such arrays gives one table per key; a flat object is a one-row table; JSON Lines
//! (one object per line) also works. Nested values are stored as JSON text, which SQLite's
//! json_extract() can still open.

use std::collections::HashMap;

use serde_json::Value;

use crate::error::DataError;
use crate::infer::Raw;
use crate::table::{RowSource, RowVisitor};

/// Cells owned by a JSON table (strings copied once out of the parsed document).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

impl Cell {
    fn raw(&self) -> Raw<'_> {
        match self {
            Cell::Empty => Raw::Empty,
            Cell::Int(i) => Raw::Int(*i),
            Cell::Float(f) => Raw::Float(*f),
            Cell::Bool(b) => Raw::Bool(*b),
            Cell::Text(t) => Raw::Text(t),
        }
    }
}

pub(crate) struct JsonTable {
    /// The object key the records were under, None for a top-level array.
    pub key: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl JsonTable {
    pub fn rows(&self) -> JsonRows<'_> {
        JsonRows { table: self }
    }
}

pub(crate) struct JsonRows<'a> {
    table: &'a JsonTable,
}

impl RowSource for JsonRows<'_> {
    fn each_row(&self, f: &mut RowVisitor<'_>) -> Result<(), DataError> {
        for row in &self.table.rows {
            let cells: Vec<Raw<'_>> = row.iter().map(Cell::raw).collect();
            if f(&cells)?.is_break() {
                break;
            }
        }
        Ok(())
    }
}

/// A JSON value that keeps object keys in file order (serde_json's own `Map` sorts them unless
/// a workspace-wide feature is switched on, and column order should follow the file).
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            // A repeated key keeps its last value, as serde_json does.
            match entries.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = v,
                None => entries.push((k, v)),
            }
        }
        Ok(Json::Object(entries))
    }
}

impl Json {
    /// Compact JSON text, for nested values stored in one cell.
    fn to_text(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(&n.to_string()),
            Json::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
            Json::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.to_text(out);
                }
                out.push(']');
            }
            Json::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    v.to_text(out);
                }
                out.push('}');
            }
        }
    }
}

/// Parses JSON (or JSON Lines) text into tables; the error says why it is not tabular.
pub(crate) fn read(text: &str) -> Result<Vec<JsonTable>, String> {
    let value: Json = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return json_lines(text).ok_or_else(|| format!("it is not valid JSON ({e})")),
    };
    match value {
        Json::Array(items) => Ok(vec![records(None, &items)]),
        Json::Object(entries) => {
            let tables: Vec<JsonTable> = entries
                .iter()
                .filter_map(|(k, v)| match v {
                    Json::Array(items) if items.iter().any(|i| matches!(i, Json::Object(_))) => {
                        Some(records(Some(k.clone()), items))
                    }
                    _ => None,
                })
                .collect();
            if tables.is_empty() {
                Ok(vec![records(None, &[Json::Object(entries)])])
            } else {
                Ok(tables)
            }
        }
        Json::Null | Json::Bool(_) | Json::Number(_) | Json::String(_) => Err(
            "it holds a single value, not records; a table needs an array of objects".to_string(),
        ),
    }
}

/// One JSON object per line; None unless every non-blank line is an object.
fn json_lines(text: &str) -> Option<Vec<JsonTable>> {
    let mut items = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match serde_json::from_str::<Json>(line) {
            Ok(v @ Json::Object(_)) => items.push(v),
            _ => return None,
        }
    }
    (!items.is_empty()).then(|| vec![records(None, &items)])
}

/// Objects become rows over the union of their keys; other items go to a `value` column.
fn records(key: Option<String>, items: &[Json]) -> JsonTable {
    let mut columns: Vec<String> = Vec::new();
    let mut index = HashMap::<String, usize>::new();
    let objects = items
        .iter()
        .all(|v| matches!(v, Json::Object(_) | Json::Null));
    if objects {
        for item in items {
            if let Json::Object(entries) = item {
                for (k, _) in entries {
                    if !index.contains_key(k) {
                        index.insert(k.clone(), columns.len());
                        columns.push(k.clone());
                    }
                }
            }
        }
    } else {
        columns.push("value".to_string());
    }
    let rows = items
        .iter()
        .map(|item| match item {
            Json::Object(entries) if objects => object_row(entries, &index, columns.len()),
            Json::Null if objects => vec![Cell::Empty; columns.len()],
            other => vec![cell(other)],
        })
        .collect();
    JsonTable { key, columns, rows }
}

fn object_row(
    entries: &[(String, Json)],
    index: &HashMap<String, usize>,
    width: usize,
) -> Vec<Cell> {
    let mut row = vec![Cell::Empty; width];
    for (k, v) in entries {
        if let Some(slot) = index.get(k).and_then(|i| row.get_mut(*i)) {
            *slot = cell(v);
        }
    }
    row
}

fn cell(v: &Json) -> Cell {
    match v {
        Json::Null => Cell::Empty,
        Json::Bool(b) => Cell::Bool(*b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Cell::Int(i),
            (None, Some(f)) => Cell::Float(f),
            (None, None) => Cell::Text(n.to_string()),
        },
        Json::String(s) => Cell::Text(s.clone()),
        Json::Array(_) | Json::Object(_) => {
            let mut text = String::new();
            v.to_text(&mut text);
            Cell::Text(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let t = read(r#"[{"b":1,"a":"x"},{"a":"y","c":[1,{"k":"v"}]}]"#).unwrap();
        assert_eq!(t[0].columns, ["b", "a", "c"]);
        assert_eq!(
            t[0].rows[1],
            vec![
                Cell::Empty,
                Cell::Text("y".into()),
                Cell::Text(r#"[1,{"k":"v"}]"#.into())
            ]
        );
        let t = read(r#"{"meta":1,"items":[{"a":1}],"more":[{"b":2}]}"#).unwrap();
        assert_eq!(
            t.iter().map(|t| t.key.clone().unwrap()).collect::<Vec<_>>(),
            ["items", "more"]
        );
        let t = read("{\"a\":1}\n{\"a\":2}\n").unwrap();
        assert_eq!(t[0].rows.len(), 2);
        let t = read(r#"{"k":"v","n":2}"#).unwrap();
        assert_eq!((t[0].columns.len(), t[0].rows.len()), (2, 1));
        assert!(read("42").is_err());
        assert!(read("{oops").is_err());
    }
}
