//! Text clean-up shared by the layout: compatibility forms to plain letters, and visual to
//! logical order for right-to-left lines.

use unicode_normalization::UnicodeNormalization;

/// Ligatures (U+FB00…) and Arabic presentation forms (U+FB50…, U+FE70…) as plain letters, so
/// the text can be searched; everything else is left as drawn.
pub(crate) fn normalize(s: &str) -> String {
    if !s.chars().any(needs_nfkc) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if needs_nfkc(c) {
            out.extend(std::iter::once(c).nfkc());
        } else {
            out.push(c);
        }
    }
    out
}

/// Canonical composition (letter + combining accent → accented letter).
pub(crate) fn compose(s: &str) -> String {
    s.nfc().collect()
}

fn needs_nfkc(c: char) -> bool {
    matches!(u32::from(c), 0xFB00..=0xFDFF | 0xFE70..=0xFEFF)
}

fn is_ltr(c: char) -> bool {
    c.is_ascii_digit()
        || (c.is_alphanumeric()
            && !matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF))
}

fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        other => other,
    }
}

/// A right-to-left line drawn in visual order (left to right on the page) back to logical
/// order: reverse it, mirror brackets, and keep embedded left-to-right runs (numbers,
/// Latin words) in their own order.
pub(crate) fn visual_to_logical(s: &str) -> String {
    let rev: Vec<char> = s.chars().rev().collect();
    let mut out: Vec<char> = Vec::with_capacity(rev.len());
    let mut i = 0;
    while i < rev.len() {
        if is_ltr(rev[i]) {
            // Extend over neutrals only while an LTR character follows them.
            let mut end = i + 1;
            let mut j = i + 1;
            while j < rev.len() {
                if is_ltr(rev[j]) {
                    end = j + 1;
                } else if rev[j].is_alphanumeric() {
                    break;
                }
                j += 1;
            }
            out.extend(rev[i..end].iter().rev());
            i = end;
        } else {
            out.push(mirror(rev[i]));
            i += 1;
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtl_reordering_keeps_numbers_and_latin() {
        // Visual order "2024 ABC" inside Hebrew: alef bet drawn left of the numbers.
        assert_eq!(visual_to_logical("בא 2024"), "2024 אב");
        assert_eq!(visual_to_logical("(בא)"), "(אב)");
        assert_eq!(visual_to_logical("ב Hello World א"), "א Hello World ב");
    }

    #[test]
    fn ligatures_and_presentation_forms() {
        assert_eq!(normalize("e\u{FB03}cient"), "efficient");
        assert_eq!(normalize("\u{FEFB}"), "\u{0644}\u{0627}");
        assert_eq!(normalize("plain"), "plain");
    }
}
