//! Path-component normalization and the hidden set (state dir + restricted folders).
//!
//! Hidden folders are compared case-insensitively and after Unicode NFC normalization, so that
//! `hr/confidential`, `HR/Confidential` and a decomposed `é` all name the same restricted folder:
//! on a case-insensitive or normalizing filesystem they *are* the same folder, and even where they
//! are not, refusing a look-alike is the safe side.

use unicode_normalization::UnicodeNormalization;

/// The comparison key of one path component.
pub(crate) fn fold(component: &str) -> String {
    let nfc: String = component.nfc().collect();
    nfc.to_lowercase().nfc().collect()
}

/// Split a relative path into normal components: `.` and empty parts dropped, `..` applied.
/// Returns `None` when `..` would climb above the start.
pub(crate) fn normalize_components(rel: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            other => out.push(other.to_string()),
        }
    }
    Some(out)
}

/// Why a path is hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HiddenKind {
    StateDir,
    Restricted,
}

/// One hidden folder inside a root: its folded components and how to name it in errors.
#[derive(Debug, Clone)]
pub(crate) struct HiddenEntry {
    pub folded: Vec<String>,
    pub label: String,
    pub kind: HiddenKind,
}

/// The hidden folders of one root.
#[derive(Debug, Clone, Default)]
pub(crate) struct HiddenSet {
    entries: Vec<HiddenEntry>,
}

impl HiddenSet {
    pub fn add(&mut self, components: &[String], label: String, kind: HiddenKind) {
        if components.is_empty() {
            return;
        }
        let folded: Vec<String> = components.iter().map(|c| fold(c)).collect();
        if self
            .entries
            .iter()
            .any(|e| e.folded == folded && e.kind == kind)
        {
            return;
        }
        self.entries.push(HiddenEntry {
            folded,
            label,
            kind,
        });
    }

    /// The hidden folder that `components` is (or is inside of), if any. The state dir wins
    /// over a restricted folder so the error says the more specific thing.
    pub fn matching<S: AsRef<str>>(&self, components: &[S]) -> Option<&HiddenEntry> {
        let folded: Vec<String> = components.iter().map(|c| fold(c.as_ref())).collect();
        let mut found: Option<&HiddenEntry> = None;
        for entry in &self.entries {
            if folded.len() >= entry.folded.len()
                && folded[..entry.folded.len()] == entry.folded[..]
            {
                match (&found, &entry.kind) {
                    (None, _) | (Some(_), HiddenKind::StateDir) => found = Some(entry),
                    (Some(_), HiddenKind::Restricted) => {}
                }
            }
        }
        found
    }

    /// A hidden folder strictly inside `components` (moving or deleting such a folder would
    /// carry the hidden one along).
    pub fn inside<S: AsRef<str>>(&self, components: &[S]) -> Option<&HiddenEntry> {
        let folded: Vec<String> = components.iter().map(|c| fold(c.as_ref())).collect();
        self.entries.iter().find(|entry| {
            entry.folded.len() > folded.len() && entry.folded[..folded.len()] == folded[..]
        })
    }
}

/// Make a task or action id safe as one path component inside the trash.
pub(crate) fn sanitize_component(id: &str) -> String {
    let cleaned: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.as_str() {
        "" | "." | ".." => "_".to_string(),
        _ => cleaned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comps(s: &str) -> Vec<String> {
        normalize_components(s).unwrap()
    }

    #[test]
    fn normalizes_dots_and_slashes() {
        assert_eq!(comps("./a//b/./c/"), vec!["a", "b", "c"]);
        assert_eq!(comps("a/../b"), vec!["b"]);
        assert!(normalize_components("a/../../b").is_none());
        assert!(comps("").is_empty());
    }

    #[test]
    fn hidden_matching_is_case_and_nfc_insensitive() {
        let mut set = HiddenSet::default();
        set.add(
            &comps("HR/Confid\u{e9}ntial"),
            "HR/Confidéntial".into(),
            HiddenKind::Restricted,
        );
        assert!(set.matching(&comps("hr/CONFIDE\u{301}NTIAL/x")).is_some());
        assert!(set.matching(&comps("hr")).is_none());
        assert!(set.inside(&comps("Hr")).is_some());
        assert!(set.inside(&comps("hr/confidéntial")).is_none());
    }

    #[test]
    fn sanitizes_ids() {
        assert_eq!(sanitize_component("t-1/../x"), "t-1_.._x");
        assert_eq!(sanitize_component(".."), "_");
    }
}
