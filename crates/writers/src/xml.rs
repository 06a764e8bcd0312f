//! XML text escaping for the parts written by hand (docx, pptx, charts).

/// Escape `text` for element content or a double-quoted attribute value. Characters XML 1.0
/// forbids (most C0 controls) are dropped rather than written: a single NUL from model output
/// would otherwise make the whole package unreadable.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether a run's text needs `xml:space="preserve"` (leading/trailing or repeated spaces).
pub(crate) fn needs_preserve(text: &str) -> bool {
    text.starts_with(' ') || text.ends_with(' ') || text.contains("  ") || text.contains('\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_controls() {
        assert_eq!(esc("a<b>&\"c'\u{0}d"), "a&lt;b&gt;&amp;&quot;c&apos;d");
        assert!(needs_preserve(" x"));
        assert!(!needs_preserve("x y"));
    }
}
