//! "Did you mean …?" for typos in keys and names.

/// Levenshtein distance in chars (inputs are short config keys, so O(n·m) is fine).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `given`, if it is close enough to be a plausible typo.
pub(crate) fn closest<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let given_lower = given.to_ascii_lowercase();
    let limit = (given.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (distance(&given_lower, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "; did you mean `x`?" or "; expected one of: a, b, c".
pub(crate) fn hint(given: &str, candidates: &[&str]) -> String {
    match closest(given, candidates.iter().copied()) {
        Some(best) => format!("; did you mean `{best}`?"),
        None => format!("; expected one of: {}", candidates.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_plausible_typos_only() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(
            closest(
                "max_action_per_task",
                ["timeout_minutes", "max_actions_per_task"]
            ),
            Some("max_actions_per_task")
        );
        assert_eq!(closest("zzz", ["limits", "files"]), None);
        assert!(hint("zzz", &["a", "b"]).contains("one of: a, b"));
    }
}
