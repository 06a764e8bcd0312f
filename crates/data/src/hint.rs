//! Helpful endings for SQL errors: the tables and columns that do exist, and the closest name
//! to a misspelt one, so the next query can be right.

use crate::engine::TableInfo;

/// Longest hint, so a workspace with hundreds of columns does not flood the answer.
const MAX_HINT: usize = 1500;

/// The text after SQLite's message, e.g. " — did you mean `region`? columns of sales: …".
pub(crate) fn for_error(message: &str, sql: &str, tables: &[TableInfo]) -> String {
    if tables.is_empty() {
        return " — no tables are loaded yet; load a CSV, XLSX or JSON file first".into();
    }
    let lower_sql = sql.to_ascii_lowercase();
    let mentioned: Vec<&TableInfo> = tables
        .iter()
        .filter(|t| names_of(t).any(|n| mentions(&lower_sql, n)))
        .collect();
    let relevant = if mentioned.is_empty() {
        tables.iter().collect()
    } else {
        mentioned
    };
    let mut hint = String::new();
    if let Some(missing) = message.strip_prefix("no such column: ") {
        let missing = missing.rsplit('.').next().unwrap_or(missing);
        let columns = relevant
            .iter()
            .flat_map(|t| t.columns.iter().map(|c| c.name.as_str()));
        if let Some(best) = closest(missing, columns) {
            hint.push_str(&format!(" — did you mean `{best}`?"));
        }
        hint.push_str(&column_lists(&relevant));
    } else if let Some(missing) = message.strip_prefix("no such table: ") {
        let all = tables.iter().flat_map(names_of);
        if let Some(best) = closest(missing, all) {
            hint.push_str(&format!(" — did you mean `{best}`?"));
        }
        hint.push_str(&column_lists(&tables.iter().collect::<Vec<_>>()));
    } else {
        hint.push_str(&column_lists(&relevant));
    }
    if hint.len() > MAX_HINT {
        let mut cut = MAX_HINT;
        while !hint.is_char_boundary(cut) {
            cut -= 1;
        }
        hint.truncate(cut);
        hint.push_str(" …");
    }
    hint
}

fn names_of(t: &TableInfo) -> impl Iterator<Item = &str> {
    std::iter::once(t.table.as_str()).chain(t.aliases.iter().map(String::as_str))
}

/// Whole-word occurrence of `name` in the (lowercased) SQL.
fn mentions(sql: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    sql.match_indices(name).any(|(i, _)| {
        let before = sql[..i].chars().next_back();
        let after = sql[i + name.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

fn column_lists(tables: &[&TableInfo]) -> String {
    let lists: Vec<String> = tables
        .iter()
        .map(|t| {
            let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
            format!("{}: {}", t.table, cols.join(", "))
        })
        .collect();
    format!(" — columns of {}", lists.join("; "))
}

/// The candidate within a small edit distance of `wanted` (case-insensitive), if any.
fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted
        .trim()
        .trim_matches(['"', '`', '[', ']'])
        .to_ascii_lowercase();
    let limit = (wanted.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| (edit_distance(&wanted, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance with adjacent transpositions counted as one edit ("regoin" → "region").
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("regoin", "region"), 1);
        assert_eq!(edit_distance("revenue", "revenue"), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(
            closest("regoin", ["product", "region"].into_iter()),
            Some("region")
        );
        assert_eq!(closest("xyz", ["product", "region"].into_iter()), None);
        assert!(mentions("select * from sales s", "sales"));
        assert!(!mentions("select * from sales_2024", "sales"));
    }
}
