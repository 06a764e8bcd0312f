//! Splitting a number-format code ("#,##0.00;[Red](#,##0.00)") into sections and tokens.
//!
//! The grammar is Excel's (ECMA-376 §18.8.31): sections separated by `;`, quoted literals,
//! backslash escapes, `_x` padding, `*x` fill, bracketed colours / conditions / currencies /
//! elapsed-time units, digit placeholders and date-time letters.

/// One token of a format section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// Text shown as is (quoted text, escaped characters, currency symbols, spaces …).
    Lit(String),
    /// A digit placeholder: `0` (shows zeros), `#` (no extra zeros), `?` (a space instead).
    Digit(char),
    Point,
    Comma,
    Percent,
    /// `E+` / `E-` of scientific notation; `true` when the exponent sign is always shown.
    Exp(bool),
    Slash,
    /// `@`: the cell's text.
    At,
    /// `General` inside a section.
    General,
    /// A run of one date/time letter (`y`, `m`, `d`, `h`, `s`) and its length.
    Date(char, usize),
    /// `[h]`, `[mm]`, `[ss]`: elapsed time units (unit letter, length).
    Elapsed(char, usize),
    /// `AM/PM` (`true`) or `A/P` (`false`), with the case written in the code.
    AmPm {
        long: bool,
        lower: bool,
    },
}

/// A condition such as `[>=100]` that selects a section.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Condition {
    op: CondOp,
    value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CondOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Condition {
    pub(crate) fn matches(self, v: f64) -> bool {
        match self.op {
            CondOp::Lt => v < self.value,
            CondOp::Le => v <= self.value,
            CondOp::Gt => v > self.value,
            CondOp::Ge => v >= self.value,
            CondOp::Eq => v == self.value,
            CondOp::Ne => v != self.value,
        }
    }

    fn parse(text: &str) -> Option<Condition> {
        let (op, rest) = if let Some(r) = text.strip_prefix("<=") {
            (CondOp::Le, r)
        } else if let Some(r) = text.strip_prefix(">=") {
            (CondOp::Ge, r)
        } else if let Some(r) = text.strip_prefix("<>") {
            (CondOp::Ne, r)
        } else if let Some(r) = text.strip_prefix('<') {
            (CondOp::Lt, r)
        } else if let Some(r) = text.strip_prefix('>') {
            (CondOp::Gt, r)
        } else if let Some(r) = text.strip_prefix('=') {
            (CondOp::Eq, r)
        } else {
            return None;
        };
        Some(Condition {
            op,
            value: rest.trim().parse().ok()?,
        })
    }
}

/// One `;`-separated section of a format code.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Section {
    pub(crate) tokens: Vec<Tok>,
    pub(crate) condition: Option<Condition>,
}

impl Section {
    /// Whether the section shows a date or time (it has date letters, elapsed units or AM/PM).
    pub(crate) fn is_date(&self) -> bool {
        self.tokens
            .iter()
            .any(|t| matches!(t, Tok::Date(..) | Tok::Elapsed(..) | Tok::AmPm { .. }))
    }
}

/// Split a format code into sections (at most four are meaningful; more are kept but unused).
pub(crate) fn parse_sections(code: &str) -> Vec<Section> {
    let chars: Vec<char> = code.chars().collect();
    let mut sections = Vec::new();
    let mut current = Section::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            ';' => sections.push(std::mem::take(&mut current)),
            '"' => {
                let start = i;
                while i < chars.len() && chars[i] != '"' {
                    i += 1;
                }
                push_lit(&mut current.tokens, chars[start..i].iter().collect());
                i += 1; // the closing quote (or past the end)
            }
            '\\' => {
                if let Some(&next) = chars.get(i) {
                    push_lit(&mut current.tokens, next.to_string());
                    i += 1;
                }
            }
            // `_x` leaves room for the width of x: a space is the closest plain-text rendering.
            '_' => {
                push_lit(&mut current.tokens, " ".to_string());
                i += 1;
            }
            // `*x` repeats x to fill the cell: shown as one space when it is a space, else dropped.
            '*' => {
                if chars.get(i) == Some(&' ') {
                    push_lit(&mut current.tokens, " ".to_string());
                }
                i += 1;
            }
            '[' => {
                let start = i;
                while i < chars.len() && chars[i] != ']' {
                    i += 1;
                }
                let inner: String = chars[start..i].iter().collect();
                i += 1;
                bracket(&inner, &mut current);
            }
            '0' | '#' | '?' => current.tokens.push(Tok::Digit(c)),
            '.' => current.tokens.push(Tok::Point),
            ',' => current.tokens.push(Tok::Comma),
            '%' => current.tokens.push(Tok::Percent),
            '/' => current.tokens.push(Tok::Slash),
            '@' => current.tokens.push(Tok::At),
            'E' | 'e' if matches!(chars.get(i), Some('+' | '-')) => {
                current.tokens.push(Tok::Exp(chars.get(i) == Some(&'+')));
                i += 1;
            }
            _ if starts_with_ci(&chars[i - 1..], "AM/PM") => {
                current.tokens.push(Tok::AmPm {
                    long: true,
                    lower: c.is_ascii_lowercase(),
                });
                i += 4;
            }
            _ if starts_with_ci(&chars[i - 1..], "A/P") => {
                current.tokens.push(Tok::AmPm {
                    long: false,
                    lower: c.is_ascii_lowercase(),
                });
                i += 2;
            }
            _ if starts_with_ci(&chars[i - 1..], "General") => {
                current.tokens.push(Tok::General);
                i += 6;
            }
            'y' | 'Y' | 'm' | 'M' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' => {
                let letter = c.to_ascii_lowercase();
                let mut n = 1;
                while i < chars.len() && chars[i].to_ascii_lowercase() == letter {
                    n += 1;
                    i += 1;
                }
                current.tokens.push(Tok::Date(letter, n));
            }
            // Buddhist / Hijri calendar markers (B1, B2): not rendered.
            'B' | 'b' if matches!(chars.get(i), Some('1' | '2')) => i += 1,
            _ => push_lit(&mut current.tokens, c.to_string()),
        }
    }
    sections.push(current);
    sections
}

/// What a `[...]` group means: elapsed unit, currency/locale, condition, or a colour (ignored).
fn bracket(inner: &str, section: &mut Section) {
    let lower = inner.to_ascii_lowercase();
    if let Some(first) = lower.chars().next()
        && matches!(first, 'h' | 'm' | 's')
        && lower.chars().all(|c| c == first)
    {
        section.tokens.push(Tok::Elapsed(first, lower.len()));
    } else if let Some(rest) = inner.strip_prefix('$') {
        // [$€-407]: the symbol before the locale id; [$-409] alone is only a locale.
        let symbol = rest.split('-').next().unwrap_or("");
        if !symbol.is_empty() {
            push_lit(&mut section.tokens, symbol.to_string());
        }
    } else if let Some(cond) = Condition::parse(inner) {
        section.condition = Some(cond);
    }
    // Colours ([Red], [Color10]) and unknown groups change nothing in plain text.
}

fn push_lit(tokens: &mut Vec<Tok>, text: String) {
    if let Some(Tok::Lit(prev)) = tokens.last_mut() {
        prev.push_str(&text);
    } else {
        tokens.push(Tok::Lit(text));
    }
}

fn starts_with_ci(chars: &[char], pat: &str) -> bool {
    let mut it = chars.iter();
    pat.chars()
        .all(|p| it.next().is_some_and(|c| c.eq_ignore_ascii_case(&p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_literals() {
        let s = parse_sections("\"$\"#,##0.00_);[Red]\\(\"$\"#,##0.00\\)");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tokens[0], Tok::Lit("$".into()));
        assert_eq!(s[1].tokens[0], Tok::Lit("($".into()));
        assert!(!s[0].is_date());
    }

    #[test]
    fn dates_and_brackets() {
        let s = parse_sections("[$-409]h:mm AM/PM;@");
        assert!(s[0].is_date());
        assert!(s[0].tokens.contains(&Tok::AmPm {
            long: true,
            lower: false
        }));
        let e = parse_sections("[h]:mm:ss");
        assert_eq!(e[0].tokens[0], Tok::Elapsed('h', 1));
        let c = parse_sections("[>=100]0;0.00");
        assert!(c[0].condition.is_some_and(|c| c.matches(100.0)));
        let cur = parse_sections("[$€-407] #,##0.00");
        assert_eq!(cur[0].tokens[0], Tok::Lit("€ ".into()));
    }
}
