//! JSON: an array of objects is a table (keys in first-seen order are the columns); an object
//! holding such arrays gives one table per key; a flat object is a one-row table; JSON Lines
//! (one object per line) also works. Nested values are stored as JSON text, which SQLite's
//! json_extract() can still open.

use std::ops::ControlFlow;

use serde_json::{Map, Value};

use crate::error::DataError;
use crate::infer::Raw;
use crate::table::RowSource;

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
    fn each_row(
        &self,
        f: &mut dyn FnMut(&[Raw<'_>]) -> Result<ControlFlow<()>, DataError>,
    ) -> Result<(), DataError> {
        for row in &self.table.rows {
            let cells: Vec<Raw<'_>> = row.iter().map(Cell::raw).collect();
            if f(&cells)?.is_break() {
                break;
            }
        }
        Ok(())
    }
}

/// Parses JSON (or JSON Lines) text into tables; the error says why it is not tabular.
pub(crate) fn read(text: &str) -> Result<Vec<JsonTable>, String> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return json_lines(text).ok_or_else(|| format!("it is not valid JSON ({e})")),
    };
    match value {
        Value::Array(items) => Ok(vec![records(None, &items)]),
        Value::Object(map) => {
            let tables: Vec<JsonTable> = map
                .iter()
                .filter_map(|(k, v)| match v {
                    Value::Array(items) if items.iter().any(Value::is_object) => {
                        Some(records(Some(k.clone()), items))
                    }
                    _ => None,
                })
                .collect();
            if tables.is_empty() {
                Ok(vec![records(None, &[Value::Object(map)])])
            } else {
                Ok(tables)
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => Err(
            "it holds a single value, not records; a table needs an array of objects".to_string(),
        ),
    }
}

/// One JSON object per line; None unless every non-blank line is an object.
fn json_lines(text: &str) -> Option<Vec<JsonTable>> {
    let mut items = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match serde_json::from_str::<Value>(line) {
            Ok(v @ Value::Object(_)) => items.push(v),
            _ => return None,
        }
    }
    (!items.is_empty()).then(|| vec![records(None, &items)])
}

/// Objects become rows over the union of their keys; other items go to a `value` column.
fn records(key: Option<String>, items: &[Value]) -> JsonTable {
    let mut columns: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::<String, usize>::new();
    let objects = items.iter().all(|v| v.is_object() || v.is_null());
    if objects {
        for map in items.iter().filter_map(Value::as_object) {
            for k in map.keys() {
                if !index.contains_key(k) {
                    index.insert(k.clone(), columns.len());
                    columns.push(k.clone());
                }
            }
        }
    } else {
        columns.push("value".to_string());
    }
    let rows = items
        .iter()
        .map(|item| match item {
            Value::Object(map) if objects => object_row(map, &index, columns.len()),
            Value::Null if objects => vec![Cell::Empty; columns.len()],
            other => vec![cell(other)],
        })
        .collect();
    JsonTable { key, columns, rows }
}

fn object_row(
    map: &Map<String, Value>,
    index: &std::collections::HashMap<String, usize>,
    width: usize,
) -> Vec<Cell> {
    let mut row = vec![Cell::Empty; width];
    for (k, v) in map {
        if let Some(slot) = index.get(k).and_then(|i| row.get_mut(*i)) {
            *slot = cell(v);
        }
    }
    row
}

fn cell(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Empty,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Cell::Int(i),
            (None, Some(f)) => Cell::Float(f),
            (None, None) => Cell::Text(n.to_string()),
        },
        Value::String(s) => Cell::Text(s.clone()),
        Value::Array(_) | Value::Object(_) => Cell::Text(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let t = read(r#"[{"a":1,"b":"x"},{"b":"y","c":[1,2]}]"#).unwrap();
        assert_eq!(t[0].columns, ["a", "b", "c"]);
        assert_eq!(t[0].rows[1], vec![Cell::Empty, Cell::Text("y".into()), Cell::Text("[1,2]".into())]);
        let t = read(r#"{"meta":1,"items":[{"a":1}],"more":[{"b":2}]}"#).unwrap();
        assert_eq!(t.iter().map(|t| t.key.clone().unwrap()).collect::<Vec<_>>(), ["items", "more"]);
        let t = read("{\"a\":1}\n{\"a\":2}\n").unwrap();
        assert_eq!(t[0].rows.len(), 2);
        let t = read(r#"{"k":"v","n":2}"#).unwrap();
        assert_eq!((t[0].columns.len(), t[0].rows.len()), (2, 1));
        assert!(read("42").is_err());
        assert!(read("{oops").is_err());
    }
}
