//! SQL names for tables and columns: lowercase ASCII `[a-z0-9_]`, never a keyword, never
//! starting with a digit, unique. The model writes these names without quoting, so they must be
//! plain identifiers; the original header stays in [`crate::ColumnInfo::original`].

use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// SQLite's keywords (https://sqlite.org/lang_keywords.html): a column called `order` or `group`
/// would force the model to quote it, so such names get a trailing underscore.
const KEYWORDS: &[&str] = &[
    "abort",
    "action",
    "add",
    "after",
    "all",
    "alter",
    "always",
    "analyze",
    "and",
    "as",
    "asc",
    "attach",
    "autoincrement",
    "before",
    "begin",
    "between",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "commit",
    "conflict",
    "constraint",
    "create",
    "cross",
    "current",
    "current_date",
    "current_time",
    "current_timestamp",
    "database",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "detach",
    "distinct",
    "do",
    "drop",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclude",
    "exclusive",
    "exists",
    "explain",
    "fail",
    "filter",
    "first",
    "following",
    "for",
    "foreign",
    "from",
    "full",
    "generated",
    "glob",
    "group",
    "groups",
    "having",
    "if",
    "ignore",
    "immediate",
    "in",
    "index",
    "indexed",
    "initially",
    "inner",
    "insert",
    "instead",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "last",
    "left",
    "like",
    "limit",
    "match",
    "materialized",
    "natural",
    "no",
    "not",
    "nothing",
    "notnull",
    "null",
    "nulls",
    "of",
    "offset",
    "on",
    "or",
    "order",
    "others",
    "outer",
    "over",
    "partition",
    "plan",
    "pragma",
    "preceding",
    "primary",
    "query",
    "raise",
    "range",
    "recursive",
    "references",
    "regexp",
    "reindex",
    "release",
    "rename",
    "replace",
    "restrict",
    "returning",
    "right",
    "rollback",
    "row",
    "rows",
    "savepoint",
    "select",
    "set",
    "table",
    "temp",
    "temporary",
    "then",
    "ties",
    "to",
    "transaction",
    "trigger",
    "unbounded",
    "union",
    "unique",
    "update",
    "using",
    "vacuum",
    "values",
    "view",
    "virtual",
    "when",
    "where",
    "window",
    "with",
    "without",
    "rowid",
    "oid",
    "_rowid_",
];

/// Turns any label into a plain SQL identifier, or None when nothing usable is left (e.g. a
/// header written only in CJK characters): the caller then picks a positional name.
pub(crate) fn sanitize(label: &str) -> Option<String> {
    let mut out = String::with_capacity(label.len());
    // NFKD then dropping combining marks folds "Année" to "annee" and full-width digits to ASCII.
    for c in label.nfkd().filter(|c| !is_combining_mark(*c)) {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    if trimmed.is_empty() {
        return None;
    }
    let mut name = trimmed.to_string();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
        name.insert(0, 'n');
    }
    if is_keyword(&name) || name.starts_with("sqlite_") {
        name.push('_');
    }
    Some(name)
}

fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// The base name of a file without directories or extension: "data/Sales 2024.csv" → "Sales 2024".
pub(crate) fn file_stem(source_name: &str) -> &str {
    let base = source_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(source_name);
    match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    }
}

/// Makes `name` unique among `taken` by appending `_2`, `_3` …, and records it.
pub(crate) fn unique(name: String, taken: &mut HashSet<String>) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    let mut n = 2usize;
    loop {
        let candidate = format!("{name}_{n}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

/// Quotes an identifier for SQL text we generate ourselves (names are already sanitized, this
/// is belt and braces).
pub(crate) fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_labels() {
        assert_eq!(sanitize("sales_2024").as_deref(), Some("sales_2024"));
        assert_eq!(sanitize("Cost Total $").as_deref(), Some("cost_total"));
        assert_eq!(sanitize("Année fiscale").as_deref(), Some("annee_fiscale"));
        assert_eq!(sanitize("2024 Revenue").as_deref(), Some("n_2024_revenue"));
        assert_eq!(sanitize("Order").as_deref(), Some("order_"));
        assert_eq!(sanitize("名前"), None);
        assert_eq!(sanitize("  "), None);
    }

    #[test]
    fn stems_and_dedups() {
        assert_eq!(file_stem("dir/sub/Sales 2024.csv"), "Sales 2024");
        assert_eq!(file_stem(".hidden"), ".hidden");
        assert_eq!(file_stem("c:\\x\\a.b.xlsx"), "a.b");
        let mut taken = HashSet::new();
        assert_eq!(unique("a".into(), &mut taken), "a");
        assert_eq!(unique("a".into(), &mut taken), "a_2");
        assert_eq!(unique("a".into(), &mut taken), "a_3");
    }
}
