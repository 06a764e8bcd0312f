//! Small formatting helpers shared by the tools: sizes, dates, previews and diffs.

use cowork_protocol::Preview;

/// Lines shown in a text preview of new content.
const PREVIEW_LINES: usize = 40;
/// Bytes shown in a text preview of new content.
const PREVIEW_BYTES: usize = 4 * 1024;
/// Diff lines shown in a preview; a person cannot review more on one screen anyway.
const DIFF_LINES: usize = 400;

/// "4 B", "2.1 KB", "12.0 KB", "3.4 MB" (1 KB = 1024 B).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KB", "MB", "GB", "TB", "PB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    // Precision loss above 2^53 bytes is irrelevant for a one-decimal display.
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// "2026-11-22 01:33" (the timestamp's own offset, normally UTC).
pub(crate) fn short_time(t: Option<time::OffsetDateTime>) -> String {
    let Some(t) = t else {
        return "-".repeat(16);
    };
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    t.format(&fmt).unwrap_or_else(|_| "-".repeat(16))
}

/// The start of new content: the first ~40 lines or 4 KB, whichever is shorter.
pub fn text_preview(content: &str) -> Preview {
    if content.len() <= PREVIEW_BYTES && content.lines().count() <= PREVIEW_LINES {
        return Preview::Text {
            text: content.to_string(),
            truncated: false,
        };
    }
    // Cut after the last whole line that fits both limits.
    let mut end = 0;
    for (line, (idx, _)) in content.match_indices('\n').enumerate() {
        if line >= PREVIEW_LINES || idx + 1 > PREVIEW_BYTES {
            break;
        }
        end = idx + 1;
    }
    if end == 0 {
        // One very long first line: cut it at a character boundary.
        end = floor_char_boundary(content, PREVIEW_BYTES);
    }
    Preview::Text {
        text: content[..end].to_string(),
        truncated: true,
    }
}

/// A unified diff (3 lines of context) between two versions of `path`, cut after 400 lines.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    let total = text.lines().count();
    if total <= DIFF_LINES {
        return text;
    }
    let mut cut: String = text.lines().take(DIFF_LINES).collect::<Vec<_>>().join("\n");
    cut.push_str(&format!(
        "\n… diff cut: {} more lines\n",
        total - DIFF_LINES
    ));
    cut
}

/// Lines added and removed between two versions, for consequence texts.
pub(crate) fn diff_counts(old: &str, new: &str) -> (usize, usize) {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut added = 0;
    let mut removed = 0;
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Insert => added += 1,
            similar::ChangeTag::Delete => removed += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    (added, removed)
}

/// The largest index <= `max` that is a char boundary of `s`.
pub(crate) fn floor_char_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut i = max;
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Cut a line for display, marking the cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    format!("{}…", &s[..floor_char_boundary(s, max)])
}

/// "1 file", "3 files".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_human() {
        assert_eq!(human_size(4), "4 B");
        assert_eq!(human_size(2150), "2.1 KB");
        assert_eq!(human_size(12 * 1024), "12.0 KB");
        assert_eq!(human_size(3_565_158), "3.4 MB");
    }

    #[test]
    fn previews_cut_long_text() {
        let short = "a\nb\n";
        assert_eq!(
            text_preview(short),
            Preview::Text {
                text: short.into(),
                truncated: false
            }
        );
        let long: String = (0..100).map(|i| format!("line {i}\n")).collect();
        match text_preview(&long) {
            Preview::Text { text, truncated } => {
                assert!(truncated);
                assert_eq!(text.lines().count(), 40);
                assert!(text.ends_with('\n'));
            }
            other => panic!("{other:?}"),
        }
        let wide = "é".repeat(5000);
        match text_preview(&wide) {
            Preview::Text { text, truncated } => {
                assert!(truncated);
                assert!(text.len() <= PREVIEW_BYTES);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn diffs_have_headers_and_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        let d = unified_diff("n.txt", old, new);
        assert!(d.starts_with("--- a/n.txt\n+++ b/n.txt\n"), "{d}");
        assert!(d.contains("-5\n+five\n"), "{d}");
        assert!(
            d.contains(" 2\n") && !d.contains(" 1\n"),
            "3 lines of context: {d}"
        );
        assert_eq!(diff_counts(old, new), (1, 1));
    }
}
