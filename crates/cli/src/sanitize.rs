//! Make untrusted text safe to print on a terminal.
//!
//! Commentary, reasons, descriptions, previews, diffs and file names come from the model or from
//! files, so they may carry escape sequences that move the cursor, erase lines, retitle the window
//! or reorder text (bidi overrides) — enough to make a dangerous action look harmless at the
//! approval prompt. Every such string passes through [`clean`] before it is printed; our own ANSI
//! colours are added afterwards.

use std::borrow::Cow;

/// `text` with every control character (except newline and tab) and every bidi override or
/// isolate replaced by a visible escape such as `\u{1b}`.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// C0 controls (but '\n' and '\t', which only lay text out), DEL, C1 controls, and the bidi
/// embedding/override (U+202A–U+202E) and isolate (U+2066–U+2069) characters.
fn is_unsafe(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn plain_text_is_untouched_and_borrowed() {
        let text = "edit report.md — ünïcode ✓\n\tindented";
        assert!(matches!(clean(text), std::borrow::Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(clean("a\u{1b}[2Kb"), "a\\u{1b}[2Kb");
        assert_eq!(clean("\u{1b}]0;title\u{7}"), "\\u{1b}]0;title\\u{7}");
        assert_eq!(clean("over\rwrite"), "over\\u{d}write");
        assert_eq!(clean("nul\0"), "nul\\u{0}");
    }

    #[test]
    fn del_and_c1_controls_are_escaped() {
        assert_eq!(clean("x\u{7f}"), "x\\u{7f}");
        assert_eq!(clean("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(clean("\u{85}"), "\\u{85}");
        // The first printable character after C1 stays as it is.
        assert_eq!(clean("\u{a0}"), "\u{a0}");
    }

    #[test]
    fn bidi_overrides_and_isolates_are_escaped() {
        assert_eq!(clean("gnp.\u{202e}exe"), "gnp.\\u{202e}exe");
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{2066}', '\u{2069}',
        ] {
            let cleaned = clean(&c.to_string()).into_owned();
            assert!(!cleaned.contains(c), "{c:?} survived");
            assert!(cleaned.starts_with("\\u{20"), "{cleaned}");
        }
        // Neighbours of the ranges are ordinary text.
        assert_eq!(clean("\u{2029}\u{202f}\u{2065}\u{206a}").chars().count(), 4);
    }

    #[test]
    fn newlines_and_tabs_are_kept() {
        assert_eq!(clean("a\nb\tc"), "a\nb\tc");
    }
}
