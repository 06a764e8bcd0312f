//! Excel number formats: a cell's value shown the way the spreadsheet shows it.
//!
//! calamine hands us each cell's format code (from styles.xml, or its table of built-in ids);
//! this module parses the code once per style and renders values with it. Locale-dependent
//! built-ins (14 "short date", 22, 5–8 currency …) are rendered as Excel does in en-US.

mod date;
mod number;
mod tokens;

use tokens::{Section, Tok, parse_sections};

pub(crate) use date::Parts;
pub(crate) use number::general;

/// A parsed number format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NumFmt {
    sections: Vec<Section>,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    General,
    /// The first section shows a date and/or a time.
    Date {
        date: bool,
        time: bool,
        /// Shows elapsed time (`[h]:mm`), a duration rather than a moment.
        elapsed: bool,
    },
    Number,
}

impl NumFmt {
    /// The General format.
    pub(crate) fn general() -> NumFmt {
        NumFmt {
            sections: Vec::new(),
            kind: Kind::General,
        }
    }

    /// Parse a format code as written in styles.xml.
    pub(crate) fn parse(code: &str) -> NumFmt {
        let trimmed = code.trim();
        if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("general") {
            return NumFmt::general();
        }
        let sections = parse_sections(trimmed);
        let kind = match sections.first() {
            Some(s) if s.is_date() => {
                let (date, time) = date::shows(&s.tokens);
                let elapsed = s.tokens.iter().any(|t| matches!(t, Tok::Elapsed(..)));
                Kind::Date {
                    date,
                    time,
                    elapsed,
                }
            }
            _ => Kind::Number,
        };
        NumFmt { sections, kind }
    }

    /// The format of a style: its code, except for built-in ids whose code calamine gives in
    /// a locale-neutral spelling that Excel does not show (14 is "m/d/yyyy" in en-US Excel).
    pub(crate) fn for_style(code: &str, id: Option<u32>) -> NumFmt {
        let code = match id {
            Some(id) if id > 0 && id < 164 => match builtin(id) {
                Some(b) if code == "General" || calamine_spelling(id) == Some(code) => b,
                _ => code,
            },
            _ => code,
        };
        NumFmt::parse(code)
    }

    /// A date/time format: (shows date fields, shows time fields); None for other formats.
    pub(crate) fn date_fields(&self) -> Option<(bool, bool)> {
        match self.kind {
            Kind::Date { date, time, .. } => Some((date, time)),
            Kind::General | Kind::Number => None,
        }
    }

    /// Whether the format shows elapsed time (`[h]:mm:ss`).
    pub(crate) fn is_elapsed(&self) -> bool {
        matches!(self.kind, Kind::Date { elapsed: true, .. })
    }

    /// `v` as this format shows it.
    pub(crate) fn format(&self, v: f64, is_1904: bool) -> String {
        if self.kind == Kind::General || !v.is_finite() {
            return general(v);
        }
        let Some((section, negative)) = self.pick(v) else {
            return general(v);
        };
        let text = if section.is_date() {
            match date::render(&section.tokens, v, is_1904) {
                Some(text) => text,
                // Excel shows ##### for dates before its epoch or past 9999: give the number.
                None => return general(v),
            }
        } else if section.tokens.is_empty() {
            String::new()
        } else {
            let body = number::render(&section.tokens, v.abs());
            if negative && body.chars().any(|c| c.is_ascii_digit() && c != '0') {
                format!("-{body}")
            } else {
                body
            }
        };
        text.trim().to_string()
    }

    /// The section that shows `v`, and whether a minus sign must be added (the first section
    /// showing a negative number).
    fn pick(&self, v: f64) -> Option<(&Section, bool)> {
        let s = &self.sections;
        if s.iter().any(|sec| sec.condition.is_some()) {
            let usable = &s[..s.len().min(3)];
            if let Some((i, sec)) = usable
                .iter()
                .enumerate()
                .find(|(_, sec)| sec.condition.is_some_and(|c| c.matches(v)))
            {
                return Some((sec, i == 0 && v < 0.0));
            }
            return usable
                .iter()
                .rev()
                .find(|sec| sec.condition.is_none())
                .map(|sec| (sec, v < 0.0));
        }
        // A section that only holds text (`@`) is the text section, not a number section.
        let numeric: Vec<&Section> = s
            .iter()
            .take(3)
            .filter(|sec| !sec.tokens.contains(&Tok::At) || sec.is_date())
            .collect();
        match numeric.len() {
            0 => None,
            1 => Some((numeric[0], v < 0.0)),
            2 if v < 0.0 => Some((numeric[1], false)),
            2 => Some((numeric[0], false)),
            _ if v > 0.0 => Some((numeric[0], false)),
            _ if v < 0.0 => Some((numeric[1], false)),
            _ => Some((numeric[2], false)),
        }
    }

    /// ISO 8601 text of a date serial under this format ("2024-01-31", "14:30:00",
    /// "2024-01-31T14:30:00"); None when it is not a date format or not a valid date.
    pub(crate) fn iso(&self, v: f64, is_1904: bool) -> Option<String> {
        let (date, time) = self.date_fields()?;
        let parts = Parts::new(v, is_1904, 0)?;
        // A moment shown only by its time still has a date: keep it in the typed value.
        let date = date || (time && v >= 1.0);
        Some(parts.iso(date, time))
    }
}

/// Built-in formats as Excel shows them in the en-US locale.
fn builtin(id: u32) -> Option<&'static str> {
    Some(match id {
        1 => "0",
        2 => "0.00",
        3 => "#,##0",
        4 => "#,##0.00",
        5 => "$#,##0_);($#,##0)",
        6 => "$#,##0_);[Red]($#,##0)",
        7 => "$#,##0.00_);($#,##0.00)",
        8 => "$#,##0.00_);[Red]($#,##0.00)",
        9 => "0%",
        10 => "0.00%",
        11 => "0.00E+00",
        12 => "# ?/?",
        13 => "# ??/??",
        14 => "m/d/yyyy",
        15 => "d-mmm-yy",
        16 => "d-mmm",
        17 => "mmm-yy",
        18 => "h:mm AM/PM",
        19 => "h:mm:ss AM/PM",
        20 => "h:mm",
        21 => "h:mm:ss",
        22 => "m/d/yyyy h:mm",
        // East-Asian locale dates: shown as ISO dates rather than guessing the era calendar.
        27..=36 | 50..=58 => "yyyy-mm-dd",
        37 => "#,##0 ;(#,##0)",
        38 => "#,##0 ;[Red](#,##0)",
        39 => "#,##0.00;(#,##0.00)",
        40 => "#,##0.00;[Red](#,##0.00)",
        41 => "_(* #,##0_);_(* (#,##0);_(* \"-\"_);_(@_)",
        42 => "_($* #,##0_);_($* (#,##0);_($* \"-\"_);_(@_)",
        43 => "_(* #,##0.00_);_(* (#,##0.00);_(* \"-\"??_);_(@_)",
        44 => "_($* #,##0.00_);_($* (#,##0.00);_($* \"-\"??_);_(@_)",
        45 => "mm:ss",
        46 => "[h]:mm:ss",
        47 => "mm:ss.0",
        48 => "##0.0E+0",
        49 => "@",
        _ => return None,
    })
}

/// The code calamine reports for the built-ins whose en-US rendering differs.
fn calamine_spelling(id: u32) -> Option<&'static str> {
    match id {
        14 => Some("mm-dd-yy"),
        22 => Some("m/d/yy h:mm"),
        47 => Some("mmss.0"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(code: &str, v: f64) -> String {
        NumFmt::parse(code).format(v, false)
    }

    #[test]
    fn sections_pick_the_sign() {
        let cur = "\"$\"#,##0.00_);[Red]\\(\"$\"#,##0.00\\)";
        assert_eq!(show(cur, 1599.99), "$1,599.99");
        assert_eq!(show(cur, -1599.99), "($1,599.99)");
        assert_eq!(show("#,##0.00", -1599.99), "-1,599.99");
        assert_eq!(show("0.00E+00", -198356388.0), "-1.98E+08");
        assert_eq!(show("0;-0;\"zero\"", 0.0), "zero");
        assert_eq!(show("[>=1000]#,##0,\"K\";0", 12345.0), "12K");
        assert_eq!(show("[>=1000]#,##0,\"K\";0", 12.0), "12");
        assert_eq!(show("0.00", -0.001), "0.00");
    }

    #[test]
    fn accounting_and_currency() {
        let acc = builtin(44).unwrap_or_default();
        assert_eq!(show(acc, 1234.5), "$ 1,234.50");
        assert_eq!(show(acc, -1234.5), "$ (1,234.50)");
        assert_eq!(show(acc, 0.0), "$ -");
        assert_eq!(show("[$€-407] #,##0.00", 5.0), "€ 5.00");
        assert_eq!(show("#,##0.00 [$€-1]", 5.0), "5.00 €");
        assert_eq!(show("£#,##0", 1234.0), "£1,234");
    }

    #[test]
    fn builtins_follow_excel_en_us() {
        let f = NumFmt::for_style("mm-dd-yy", Some(14));
        assert_eq!(f.format(43363.0, false), "9/20/2018");
        assert_eq!(f.iso(43363.0, false).as_deref(), Some("2018-09-20"));
        let custom = NumFmt::for_style("dd.mm.yyyy", Some(14));
        assert_eq!(custom.format(43363.0, false), "20.09.2018");
        assert_eq!(
            NumFmt::for_style("General", Some(7)).format(-2.5, false),
            "($2.50)"
        );
        let text = NumFmt::parse("@");
        assert_eq!(text.format(3.0, false), "3");
    }

    #[test]
    fn custom_date_with_literals() {
        let code = "\"At\"\\ h:mm\\ AM/PM\\ \"on\"\\ dddd\\ mmmm\\ d\",\"\\ yyyy";
        assert_eq!(
            show(code, 39219.18056369212),
            "At 4:20 AM on Thursday May 17, 2007"
        );
    }
}
