//! Formula checks and cached results for the xlsx writer, and ISO date parsing.
//!
//! Formulas are written live; Excel and LibreOffice recalculate them on open (the workbook
//! sets fullCalcOnLoad). Readers that do not recalculate — cowork's own reader, previews,
//! many libraries — show the cached value instead, so for the formulas people write most
//! (arithmetic, SUM, AVERAGE, MIN, MAX, COUNT, ROUND, ABS over numbers of the same sheet) a
//! result is computed here and stored with the formula. Anything else gets no cached value.

use std::collections::HashMap;

/// A cell as the writer will store it (after date/number conversion).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Number(f64),
    /// An Excel serial date-time; `true` when it has a time of day.
    Date(f64, bool),
    Bool(bool),
    Text(String),
    /// Formula text without the leading '='.
    Formula(String),
}

/// Check formula text (without '=') for the mistakes that make Excel refuse a whole file:
/// unbalanced parentheses or quotes, and `;` argument separators from non-English locales.
pub(crate) fn check_formula(body: &str) -> Result<(), String> {
    if body.trim().is_empty() {
        return Err("the formula is empty; write e.g. =SUM(B2:B13)".into());
    }
    let mut depth = 0i32;
    let mut in_str = false;
    let mut in_sheet = false;
    for c in body.chars() {
        match c {
            '"' if !in_sheet => in_str = !in_str,
            '\'' if !in_str => in_sheet = !in_sheet,
            _ if in_str || in_sheet => {}
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err("it has a ')' without a matching '('".into());
                }
            }
            ';' => {
                return Err(
                    "it uses ';' between arguments; use ',' (formulas are written in English Excel syntax)"
                        .into(),
                );
            }
            _ => {}
        }
    }
    if in_str {
        return Err("it has an unclosed \"string\"".into());
    }
    if in_sheet {
        return Err("it has an unclosed 'sheet name' quote".into());
    }
    if depth != 0 {
        return Err("its parentheses are unbalanced".into());
    }
    Ok(())
}

/// The sheet's cells as the evaluator sees them: `header_rows` rows of header text, then the
/// data rows; the row right below the data holds the totals when `totals` is set.
pub(crate) struct Grid<'a> {
    pub header_rows: u32,
    pub rows: &'a [Vec<Cell>],
    pub totals: bool,
}

/// What a reference points at.
enum Slot<'c> {
    Cell(&'c Cell),
    /// Header text or a totals formula: not a number this evaluator can use.
    Opaque,
    Empty,
}

impl Grid<'_> {
    fn get(&self, row: u32, col: u32) -> Slot<'_> {
        let Some(r) = row.checked_sub(self.header_rows) else {
            return Slot::Opaque;
        };
        match self.rows.get(r as usize) {
            Some(cells) => cells.get(col as usize).map_or(Slot::Empty, Slot::Cell),
            None if self.totals && r as usize == self.rows.len() => Slot::Opaque,
            None => Slot::Empty,
        }
    }
}

/// Evaluates formulas of one sheet, remembering results so chains stay linear.
pub(crate) struct Evaluator<'a> {
    grid: Grid<'a>,
    memo: HashMap<(u32, u32), Option<f64>>,
    depth: u32,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ref(u32, u32),
    Range(u32, u32, u32, u32),
    Func(String),
    Op(char),
    Open,
    Close,
    Comma,
}

impl<'a> Evaluator<'a> {
    pub(crate) fn new(grid: Grid<'a>) -> Evaluator<'a> {
        Evaluator {
            grid,
            memo: HashMap::new(),
            depth: 0,
        }
    }

    /// The value of formula `body` (without '='), or None when it is not simple enough.
    pub(crate) fn eval(&mut self, body: &str) -> Option<f64> {
        let toks = tokenize(body)?;
        let mut p = Parser { toks: &toks, at: 0 };
        let v = self.expr(&mut p)?;
        (p.at == toks.len() && v.is_finite()).then_some(v)
    }

    fn cell(&mut self, row: u32, col: u32) -> Option<f64> {
        match self.grid.get(row, col) {
            Slot::Empty | Slot::Cell(Cell::Empty) => Some(0.0),
            Slot::Cell(Cell::Number(v)) | Slot::Cell(Cell::Date(v, _)) => Some(*v),
            Slot::Cell(Cell::Bool(b)) => Some(f64::from(u8::from(*b))),
            Slot::Cell(Cell::Text(_)) | Slot::Opaque => None,
            Slot::Cell(Cell::Formula(f)) => {
                if let Some(v) = self.memo.get(&(row, col)) {
                    return *v;
                }
                // Cycles and very deep chains give up rather than recurse without bound.
                if self.depth > 64 {
                    return None;
                }
                self.memo.insert((row, col), None);
                let f = f.clone();
                self.depth += 1;
                let v = self.eval(&f);
                self.depth -= 1;
                self.memo.insert((row, col), v);
                v
            }
        }
    }

    /// Numbers of a range as aggregate functions see them: text, booleans and blanks skipped.
    fn range(&mut self, r1: u32, c1: u32, r2: u32, c2: u32, out: &mut Vec<f64>) -> Option<()> {
        let data_end = self.grid.header_rows + self.grid.rows.len() as u32;
        // A range over the totals row depends on formulas evaluated after this one.
        if self.grid.totals && r1 <= data_end && data_end <= r2 {
            return None;
        }
        // Whole-column ranges and the like: stop at the data we have.
        let last_row = r2.min(data_end);
        let cells = u64::from(last_row.saturating_sub(r1) + 1) * u64::from(c2 - c1 + 1);
        if cells > 1_000_000 {
            return None;
        }
        for r in r1..=last_row {
            for c in c1..=c2 {
                match self.grid.get(r, c) {
                    Slot::Cell(Cell::Number(v)) | Slot::Cell(Cell::Date(v, _)) => out.push(*v),
                    Slot::Cell(Cell::Formula(_)) => out.push(self.cell(r, c)?),
                    _ => {}
                }
            }
        }
        Some(())
    }

    fn expr(&mut self, p: &mut Parser) -> Option<f64> {
        let mut v = self.term(p)?;
        while let Some(&Tok::Op(op @ ('+' | '-'))) = p.peek() {
            p.at += 1;
            let r = self.term(p)?;
            v = if op == '+' { v + r } else { v - r };
        }
        Some(v)
    }

    fn term(&mut self, p: &mut Parser) -> Option<f64> {
        let mut v = self.unary(p)?;
        while let Some(&Tok::Op(op @ ('*' | '/'))) = p.peek() {
            p.at += 1;
            let r = self.unary(p)?;
            v = if op == '*' {
                v * r
            } else if r == 0.0 {
                return None; // #DIV/0! — leave it to the office suite
            } else {
                v / r
            };
        }
        Some(v)
    }

    /// Excel precedence: negation binds tighter than ^ (-2^2 = 4), and ^ is left-associative.
    fn unary(&mut self, p: &mut Parser) -> Option<f64> {
        let mut v = self.signed(p)?;
        while let Some(Tok::Op('^')) = p.peek() {
            p.at += 1;
            v = v.powf(self.signed(p)?);
        }
        Some(v)
    }

    fn signed(&mut self, p: &mut Parser) -> Option<f64> {
        match p.peek() {
            Some(Tok::Op('-')) => {
                p.at += 1;
                Some(-self.signed(p)?)
            }
            Some(Tok::Op('+')) => {
                p.at += 1;
                self.signed(p)
            }
            _ => self.primary(p),
        }
    }

    fn primary(&mut self, p: &mut Parser) -> Option<f64> {
        match p.next()? {
            Tok::Num(v) => Some(v),
            Tok::Ref(r, c) => self.cell(r, c),
            Tok::Open => {
                let v = self.expr(p)?;
                (p.next()? == Tok::Close).then_some(v)
            }
            Tok::Func(name) => self.call(&name, p),
            Tok::Range(..) | Tok::Op(_) | Tok::Close | Tok::Comma => None,
        }
    }

    fn call(&mut self, name: &str, p: &mut Parser) -> Option<f64> {
        let mut nums = Vec::new();
        let mut args = 0usize;
        let mut ranges = false;
        if p.next()? != Tok::Open {
            return None;
        }
        if p.peek() == Some(&Tok::Close) {
            p.at += 1;
        } else {
            loop {
                if let (Some(Tok::Range(r1, c1, r2, c2)), Some(Tok::Comma | Tok::Close)) =
                    (p.peek().cloned(), p.toks.get(p.at + 1))
                {
                    p.at += 1;
                    ranges = true;
                    self.range(r1, c1, r2, c2, &mut nums)?;
                } else {
                    nums.push(self.expr(p)?);
                }
                args += 1;
                match p.next()? {
                    Tok::Comma => {}
                    Tok::Close => break,
                    _ => return None,
                }
            }
        }
        match name {
            "SUM" => Some(nums.iter().sum()),
            "AVERAGE" if !nums.is_empty() => Some(nums.iter().sum::<f64>() / nums.len() as f64),
            "MIN" => Some(nums.iter().copied().reduce(f64::min).unwrap_or(0.0)),
            "MAX" => Some(nums.iter().copied().reduce(f64::max).unwrap_or(0.0)),
            "COUNT" => Some(nums.len() as f64),
            "ABS" if args == 1 && !ranges => nums.first().map(|v| v.abs()),
            "ROUND" if args == 2 && !ranges && nums.len() == 2 => {
                let digits = nums[1].trunc().clamp(-15.0, 15.0);
                let f = 10f64.powf(digits);
                // Excel rounds the decimal it shows (2.675 → 2.68), half away from zero:
                // cut binary noise at 12 significant digits before rounding.
                let scaled: f64 = format!("{:.12e}", nums[0] * f).parse().ok()?;
                Some(scaled.round() / f)
            }
            _ => None,
        }
    }
}

struct Parser<'t> {
    toks: &'t [Tok],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }
}

/// Split a formula into tokens; None for anything the evaluator does not handle (strings,
/// other sheets, comparisons, names…), which then simply gets no cached value.
fn tokenize(body: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' => i += 1,
            '+' | '-' | '*' | '/' | '^' => {
                out.push(Tok::Op(c));
                i += 1;
            }
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '0'..='9' | '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                out.push(Tok::Num(text.parse().ok()?));
            }
            'A'..='Z' | 'a'..='z' | '$' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '$' || chars[i] == '.')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if chars.get(i) == Some(&'(') {
                    out.push(Tok::Func(word.to_ascii_uppercase()));
                    out.push(Tok::Open);
                    i += 1;
                } else if chars.get(i) == Some(&':') {
                    // "B2:C9", or whole columns "B:B" (rows clipped to the data later).
                    let (r1, c1) = parse_ref(&word).or_else(|| Some((0, column_only(&word)?)))?;
                    let start2 = i + 1;
                    i += 1;
                    while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '$') {
                        i += 1;
                    }
                    let word2: String = chars[start2..i].iter().collect();
                    let (r2, c2) = parse_ref(&word2)
                        .or_else(|| Some((cowork_docmodel::MAX_ROW, column_only(&word2)?)))?;
                    out.push(Tok::Range(r1.min(r2), c1.min(c2), r1.max(r2), c1.max(c2)));
                } else {
                    let (r, c) = parse_ref(&word)?;
                    out.push(Tok::Ref(r, c));
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// "B" / "$B" → col 1.
fn column_only(word: &str) -> Option<u32> {
    let w = word.replace('$', "");
    if w.is_empty() || !w.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    cowork_docmodel::column_index(&w.to_ascii_uppercase())
}

/// "B7" / "$B$7" → (row 6, col 1).
fn parse_ref(word: &str) -> Option<(u32, u32)> {
    let w = word.replace('$', "");
    let split = w.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = w.split_at(split);
    let col = cowork_docmodel::column_index(&letters.to_ascii_uppercase())?;
    let row: u32 = digits.parse().ok()?;
    (1..=cowork_docmodel::MAX_ROW + 1)
        .contains(&row)
        .then_some((row - 1, col))
}

/// "2025-03-31", "2025-03-31T14:30", "2025-03-31 14:30:05" → (Excel serial, has time).
/// Dates before 1900-03-01 are refused: Excel's serials there are off by its 1900 leap bug.
pub(crate) fn parse_iso_date(text: &str) -> Option<(f64, bool)> {
    let b = text.as_bytes();
    if !(b.len() == 10 || b.len() == 16 || b.len() == 19) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let mut frac = 0.0;
    let has_time = b.len() > 10;
    if has_time {
        if !matches!(b.get(10), Some(b'T' | b' ')) || b.get(13) != Some(&b':') {
            return None;
        }
        let (hh, mm) = (num(11..13)?, num(14..16)?);
        let ss = if b.len() == 19 {
            if b.get(16) != Some(&b':') {
                return None;
            }
            num(17..19)?
        } else {
            0
        };
        if hh > 23 || mm > 59 || ss > 59 {
            return None;
        }
        frac = f64::from(hh * 3600 + mm * 60 + ss) / 86_400.0;
    }
    let serial = days_from_civil(i64::from(y), m, d) - days_from_civil(1899, 12, 30);
    (serial >= 61).then_some((serial as f64 + frac, has_time))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whether an Excel number format shows a date or time (ignoring quoted text and [colors]).
pub(crate) fn is_date_format(fmt: &str) -> bool {
    let mut in_quote = false;
    let mut in_bracket = false;
    let mut escaped = false;
    for c in fmt.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => in_quote = !in_quote,
            '[' if !in_quote => in_bracket = true,
            ']' if !in_quote => in_bracket = false,
            _ if in_quote || in_bracket => {}
            'y' | 'Y' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' | 'm' | 'M' => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: f64) -> Cell {
        Cell::Number(v)
    }

    #[test]
    fn evaluates_common_formulas() {
        let rows = vec![
            vec![Cell::Text("a".into()), num(10.0), num(2.0)],
            vec![
                Cell::Text("b".into()),
                num(20.0),
                Cell::Formula("B3*2".into()),
            ],
            vec![Cell::Text("c".into()), num(30.5), Cell::Empty],
        ];
        let mut ev = Evaluator::new(Grid {
            header_rows: 1,
            rows: &rows,
            totals: false,
        });
        assert_eq!(ev.eval("SUM(B2:B4)"), Some(60.5));
        assert_eq!(ev.eval("AVERAGE(B2:B3)"), Some(15.0));
        assert_eq!(ev.eval("sum(C2:C4)"), Some(42.0));
        assert_eq!(ev.eval("ROUND(B4/3, 2)"), Some(10.17));
        assert_eq!(ev.eval("MAX(B2:B4)-MIN(B2:B4)+COUNT(A2:C4)"), Some(25.5));
        assert_eq!(ev.eval("-$B$2^2"), Some(100.0), "Excel: negation before ^");
        assert_eq!(ev.eval("2^3^2"), Some(64.0));
        assert_eq!(ev.eval("ROUND(2.675, 2)"), Some(2.68));
        assert_eq!(ev.eval("ABS(B2:B3)"), None);
        assert_eq!(ev.eval("A1"), None, "header text");
        assert_eq!(ev.eval("B9+1"), Some(1.0), "empty cell");
        assert_eq!(ev.eval("B2/C4"), None, "division by zero");
        assert_eq!(ev.eval("A2*2"), None, "text in arithmetic");
        assert_eq!(ev.eval("VLOOKUP(1,A2:B4,2,FALSE)"), None);
        assert_eq!(ev.eval("Other!B2"), None);
        assert_eq!(ev.eval("SUM(B:B)"), Some(60.5));
    }

    #[test]
    fn cycles_do_not_recurse_forever() {
        let rows = vec![vec![
            Cell::Formula("B2+1".into()),
            Cell::Formula("A2+1".into()),
        ]];
        let mut ev = Evaluator::new(Grid {
            header_rows: 1,
            rows: &rows,
            totals: false,
        });
        assert_eq!(ev.eval("A2"), None);
    }

    #[test]
    fn checks_formula_syntax() {
        assert!(check_formula("SUM(B2:B13)").is_ok());
        assert!(check_formula("IF(A1=\"x)\",1,2)").is_ok());
        assert!(check_formula("'Q1 (EU)'!B2*2").is_ok());
        assert!(
            check_formula("SUM(B2:B13")
                .unwrap_err()
                .contains("unbalanced")
        );
        assert!(check_formula("SUM(B2;B3)").unwrap_err().contains("','"));
        assert!(check_formula("\"abc").is_err());
        assert!(check_formula(" ").is_err());
    }

    #[test]
    fn iso_dates_and_formats() {
        assert_eq!(parse_iso_date("2025-03-31"), Some((45747.0, false)));
        assert_eq!(parse_iso_date("1900-03-01"), Some((61.0, false)));
        assert_eq!(parse_iso_date("2025-03-31T12:00"), Some((45747.5, true)));
        assert_eq!(parse_iso_date("2025-02-29"), None);
        assert_eq!(parse_iso_date("2025-13-01"), None);
        assert_eq!(parse_iso_date("31/03/2025"), None);
        assert_eq!(parse_iso_date("1899-12-31"), None);
        assert!(is_date_format("yyyy-mm-dd"));
        assert!(is_date_format("[$-409]d mmm yyyy"));
        assert!(!is_date_format("#,##0.00"));
        assert!(!is_date_format("0.0%"));
        assert!(!is_date_format("\"days\" 0"));
        assert!(!is_date_format("[Red]0.00"));
    }
}
