//! The schema summary the model reads before writing SQL.

use crate::engine::{DataEngine, TableInfo};
use crate::infer::SqlType;

/// Characters of a sample cell.
const SAMPLE_CHARS: usize = 40;

pub(crate) fn render(engine: &DataEngine, tables: &[TableInfo]) -> String {
    if tables.is_empty() {
        return "-- no tables loaded\n".into();
    }
    let mut out = String::from(
        "-- SQLite, read-only. Dates are TEXT 'YYYY-MM-DD' (date-times 'YYYY-MM-DD HH:MM:SS'): use strftime('%Y', col), date(col), julianday(col).\n",
    );
    for t in tables {
        out.push('\n');
        out.push_str(&format!("-- {} rows from {}", t.rows, t.source));
        if let Some(sheet) = &t.sheet {
            out.push_str(&format!(", sheet \"{sheet}\""));
        }
        if !t.aliases.is_empty() {
            out.push_str(&format!("; also available as {}", t.aliases.join(", ")));
        }
        out.push('\n');
        for w in &t.warnings {
            out.push_str(&format!("-- note: {w}\n"));
        }
        out.push_str(&format!("CREATE TABLE {} (\n", t.table));
        let count = t.columns.len();
        for (i, c) in t.columns.iter().enumerate() {
            let comma = if i + 1 < count { "," } else { "" };
            let mut comments = Vec::new();
            if !c.original.is_empty() && c.original != c.name {
                comments.push(format!("\"{}\"", c.original.replace('\n', " ")));
            }
            match c.sql_type {
                SqlType::Date => comments.push("date".into()),
                SqlType::DateTime => comments.push("date-time".into()),
                SqlType::Boolean => {}
                SqlType::Integer | SqlType::Real | SqlType::Text => {}
            }
            if let Some(n) = &c.note {
                comments.push(n.clone());
            }
            let comment = if comments.is_empty() {
                String::new()
            } else {
                format!(" -- {}", comments.join("; "))
            };
            out.push_str(&format!(
                "  {} {}{comma}{comment}\n",
                c.name,
                c.sql_type.declared()
            ));
        }
        out.push_str(");\n");
        let samples = engine.sample_rows(&t.table, 3);
        if !samples.is_empty() {
            out.push_str(&format!(
                "-- sample rows: {}\n",
                t.columns
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
            for row in samples {
                let cells: Vec<String> = row.iter().map(|c| short(c)).collect();
                out.push_str(&format!("--   {}\n", cells.join(" | ")));
            }
        }
    }
    out
}

fn short(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    match s.char_indices().nth(SAMPLE_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None if s.is_empty() => "NULL".into(),
        None => s,
    }
}
