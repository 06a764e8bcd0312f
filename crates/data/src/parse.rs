//! Recognising numbers, dates and booleans written as text (CSV cells, text cells of a sheet,
//! JSON strings). Each parser accepts only unambiguous spellings; the column-wide decision
//! (all cells agree) is made in `infer.rs`.

/// A number written as text, with the decorations it carried.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Num {
    pub value: NumValue,
    /// The currency symbol in front of or behind the number, if any.
    pub currency: Option<char>,
    /// Written with a trailing `%`: the value is already divided by 100.
    pub percent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NumValue {
    Int(i64),
    Float(f64),
}

impl NumValue {
    pub fn as_f64(self) -> f64 {
        match self {
            NumValue::Int(i) => i as f64,
            NumValue::Float(f) => f,
        }
    }
}

const CURRENCIES: &[char] = &[
    '$', '€', '£', '¥', '₹', '₩', '₽', '₺', '₫', '₪', '¢', '₱', '฿',
];

/// Parses "1,234.5", "-$1,200", "($5.00)", "12.5%", "3e-4", "€ 10". Rejects identifiers with a
/// leading zero ("00501" is a zip code, not 501) and anything with other characters.
pub(crate) fn parse_number(text: &str) -> Option<Num> {
    let mut s = text.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let mut negative = false;
    // Accounting style: (1,234.00) means minus.
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    let mut percent = false;
    if let Some(rest) = s.strip_suffix('%') {
        percent = true;
        s = rest.trim_end();
    }
    let mut currency = None;
    s = take_sign(s, &mut negative);
    if let Some(c) = s.chars().next().filter(|c| CURRENCIES.contains(c)) {
        currency = Some(c);
        s = s[c.len_utf8()..].trim_start();
        s = take_sign(s, &mut negative);
    } else if let Some(c) = s.chars().next_back().filter(|c| CURRENCIES.contains(c)) {
        currency = Some(c);
        s = s[..s.len() - c.len_utf8()].trim_end();
    }
    if currency.is_some() && percent {
        return None;
    }
    let value = parse_plain(s)?;
    let value = match (value, percent) {
        (v, true) => NumValue::Float(v.as_f64() / 100.0),
        (v, false) => v,
    };
    let value = match (value, negative) {
        (NumValue::Int(i), true) => NumValue::Int(i.checked_neg()?),
        (NumValue::Float(f), true) => NumValue::Float(-f),
        (v, false) => v,
    };
    Some(Num {
        value,
        currency,
        percent,
    })
}

fn take_sign<'a>(s: &'a str, negative: &mut bool) -> &'a str {
    for (sign, neg) in [("-", true), ("\u{2212}", true), ("+", false)] {
        if let Some(rest) = s.strip_prefix(sign) {
            if neg {
                *negative = !*negative;
            }
            return rest;
        }
    }
    s
}

/// Digits with optional comma grouping, decimal point and exponent; no sign, no decoration.
fn parse_plain(s: &str) -> Option<NumValue> {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    if int_part.is_empty() && frac_part.is_none_or(str::is_empty) {
        return None;
    }
    let digits = ungroup(int_part)?;
    if let Some(f) = frac_part
        && !f.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) || digits.len() != int_part.len()
        {
            return None;
        }
    }
    // "00501" is an identifier; "0.5" and "0" are numbers.
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    if frac_part.is_none() && exponent.is_none() {
        return digits.parse::<i64>().ok().map(NumValue::Int);
    }
    // Without grouping commas the text is already what Rust parses: no copy needed.
    let plain: std::borrow::Cow<'_, str> = if digits.len() == int_part.len() {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(format!("{digits}.{}", frac_part.unwrap_or("0")))
    };
    plain
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(NumValue::Float)
}

/// Removes thousands separators when they are placed correctly ("1,234,567"), else None.
fn ungroup(int_part: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !int_part.contains(',') {
        return int_part
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then_some(std::borrow::Cow::Borrowed(int_part));
    }
    let mut groups = int_part.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut out = first.to_string();
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push_str(g);
    }
    Some(std::borrow::Cow::Owned(out))
}

/// The same with a decimal comma and dots (or nothing) between thousands: "1.234,56", "12,5 %",
/// "-3,75 €", as continental European software writes numbers.
pub(crate) fn parse_number_decimal_comma(text: &str) -> Option<Num> {
    if !text.contains(',') && !text.contains('.') {
        return parse_number(text);
    }
    let swapped: String = text
        .chars()
        .map(|c| match c {
            ',' => '.',
            '.' => ',',
            other => other,
        })
        .collect();
    parse_number(&swapped)
}

/// Spellings of "no value" that do not make a numeric or date column textual.
pub(crate) fn is_null_token(s: &str) -> bool {
    const TOKENS: &[&str] = &[
        "na", "n/a", "#n/a", "null", "nan", "none", "nil", "-", "--", "—", "–", "?", "#div/0!",
        "#value!", "#ref!", "#name?", "#num!", "#null!",
    ];
    s.len() <= 8 && TOKENS.iter().any(|t| s.eq_ignore_ascii_case(t))
}

pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Which day/month orders a numeric date such as 03/04/2020 allows.
pub(crate) const DAY_FIRST: u8 = 1;
pub(crate) const MONTH_FIRST: u8 = 2;

/// A date (and maybe time) found in text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DateSeen {
    /// Bit set of `DAY_FIRST` / `MONTH_FIRST` orders under which the text is a valid date;
    /// both for unambiguous spellings (ISO, month names).
    pub orders: u8,
    /// A time other than exactly midnight (sheets store plain dates as midnight).
    pub has_time: bool,
    /// Written as a/b/yyyy, where the order is a convention rather than a fact.
    pub numeric_day_month: bool,
}

/// Parses the date spellings people and tools write; `order` says how to read "a/b/yyyy"
/// (`DAY_FIRST` or `MONTH_FIRST`; both bits = just check validity under either).
/// Returns the recognised orders and the normalised SQLite text ('YYYY-MM-DD' or
/// 'YYYY-MM-DD HH:MM:SS[.fff][±HH:MM|Z]').
pub(crate) fn parse_date(text: &str, order: u8) -> Option<(DateSeen, String)> {
    let s = text.trim();
    if s.len() < 6 || s.len() > 40 || !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let (date_part, time_part) = split_date_time(s);
    let (orders, numeric_day_month, ymd) = parse_ymd(date_part, order)?;
    let (y, m, d) = ymd;
    let mut out = format!("{y:04}-{m:02}-{d:02}");
    let has_time = match time_part {
        Some(t) => {
            let time = parse_time(t)?;
            out.push(' ');
            out.push_str(&time);
            time != "00:00:00"
        }
        None => false,
    };
    Some((
        DateSeen {
            orders,
            has_time,
            numeric_day_month,
        },
        out,
    ))
}

/// Splits "2020-01-02T10:00", "2020-01-02 10:00:00", "01JAN60:00:00:01" (SAS) into date and time.
fn split_date_time(s: &str) -> (&str, Option<&str>) {
    if let Some(i) = s
        .find('T')
        .filter(|&i| i == 10 && s.as_bytes().get(4) == Some(&b'-'))
    {
        return (&s[..i], Some(&s[i + 1..]));
    }
    // SAS style "01JAN60:00:00:01": the date is glued to the time by a colon.
    if let Some(i) = s
        .find(':')
        .filter(|&i| (i == 7 || i == 9) && s.as_bytes().get(2).is_some_and(u8::is_ascii_alphabetic))
    {
        return (&s[..i], Some(&s[i + 1..]));
    }
    if let Some(i) = s.find(' ') {
        let (d, t) = (&s[..i], s[i + 1..].trim());
        // "5 Jan 2020" and "Jan 5, 2020" contain spaces but no time; a time has a colon.
        if t.contains(':')
            && !d.contains(',')
            && t.split(' ').next().is_some_and(|w| w.contains(':'))
        {
            return (d, Some(t));
        }
    }
    (s, None)
}

fn parse_ymd(s: &str, order: u8) -> Option<(u8, bool, (i32, u32, u32))> {
    let parts: Vec<&str> = s
        .split(['-', '/', '.', ' ', ','])
        .filter(|p| !p.is_empty())
        .collect();
    let sep_dot = s.contains('.');
    let num = |p: &str| -> Option<u32> {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let mut numeric_day_month = false;
    let (orders, y, m, d) = match parts.as_slice() {
        [a, b, c] if a.len() == 4 => {
            // Year first: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, or YYYY-Mon-DD.
            let y = num(a)?;
            let m = num(b).or_else(|| month_name(b))?;
            (DAY_FIRST | MONTH_FIRST, y, m, num(c)?)
        }
        [a, b, c] if c.len() == 4 && num(a).is_some() && num(b).is_some() => {
            if a.len() > 2 || b.len() > 2 {
                return None;
            }
            let (a, b, y) = (num(a)?, num(b)?, num(c)?);
            numeric_day_month = true;
            let mut orders = 0;
            if valid(y, b, a) {
                orders |= DAY_FIRST;
            }
            // Dotted dates (31.12.2020) are day-first wherever they are written.
            if valid(y, a, b) && !sep_dot {
                orders |= MONTH_FIRST;
            }
            let use_day_first = orders & order & DAY_FIRST != 0
                && (order & MONTH_FIRST == 0 || orders & MONTH_FIRST == 0);
            let (m, d) = if use_day_first { (b, a) } else { (a, b) };
            (orders, y, m, d)
        }
        [a, b, c] if c.len() == 4 => {
            // "5 Jan 2020" / "5-Jan-2020" / "Jan 5 2020" / "Jan 5, 2020".
            let y = num(c)?;
            match (num(a), month_name(a)) {
                (Some(d), None) => (DAY_FIRST | MONTH_FIRST, y, month_name(b)?, d),
                (None, Some(m)) => (DAY_FIRST | MONTH_FIRST, y, m, num(b)?),
                _ => return None,
            }
        }
        [single] if single.len() == 9 || single.len() == 7 => {
            // SAS style "01JAN1960" / "01JAN60" (two-digit years read as 19xx only for SAS).
            let d = num(single.get(..2)?)?;
            let m = month_name(single.get(2..5)?)?;
            let rest = single.get(5..)?;
            let y = match rest.len() {
                4 => num(rest)?,
                2 => 1900 + num(rest)?,
                _ => return None,
            };
            (DAY_FIRST | MONTH_FIRST, y, m, d)
        }
        _ => return None,
    };
    if orders == 0 || !valid(y, m, d) {
        return None;
    }
    Some((orders, numeric_day_month, (i32::try_from(y).ok()?, m, d)))
}

fn valid(y: u32, m: u32, d: u32) -> bool {
    if !(1000..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

fn month_name(s: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if s.len() < 3 || !s.is_ascii() {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let lower = lower.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|m| {
            *m == lower
                || (lower.len() == 3 && m.starts_with(lower))
                || (lower == "sept" && *m == "september")
        })
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// "10:05", "10:05:07.250", "3:45 PM", "10:05:07Z", "10:05:07+02:00" → "HH:MM:SS[.fff][tz]".
fn parse_time(t: &str) -> Option<String> {
    let t = t.trim();
    let (t, pm) = if let Some(r) = t.strip_suffix("PM").or_else(|| t.strip_suffix("pm")) {
        (r.trim_end(), Some(true))
    } else if let Some(r) = t.strip_suffix("AM").or_else(|| t.strip_suffix("am")) {
        (r.trim_end(), Some(false))
    } else {
        (t, None)
    };
    let tz_at = t
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == 'Z' || c == '+' || c == '-')
        .map(|(i, _)| i);
    let (clock, tz) = match tz_at {
        Some(i) => (&t[..i], Some(&t[i..])),
        None => (t, None),
    };
    let (clock, frac) = match clock.find('.') {
        Some(i) => (&clock[..i], Some(&clock[i + 1..])),
        None => (clock, None),
    };
    let mut fields = clock.split(':');
    let num = |p: Option<&str>| -> Option<u32> {
        p.filter(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse().ok())
    };
    let mut h = num(fields.next())?;
    let mi = num(fields.next())?;
    let sec = match fields.next() {
        Some(p) => num(Some(p))?,
        None => 0,
    };
    if fields.next().is_some() || mi > 59 || sec > 60 {
        return None;
    }
    match pm {
        Some(true) if (1..=11).contains(&h) => h += 12,
        Some(false) if h == 12 => h = 0,
        Some(_) if !(1..=12).contains(&h) => return None,
        _ => {}
    }
    if h > 23 {
        return None;
    }
    let mut out = format!("{h:02}:{mi:02}:{sec:02}");
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push('.');
        out.push_str(f);
    }
    if let Some(z) = tz {
        out.push_str(&parse_tz(z)?);
    }
    Some(out)
}

fn parse_tz(z: &str) -> Option<String> {
    if z == "Z" {
        return Some("Z".into());
    }
    let sign = z.get(..1)?;
    let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{sign}{}:{}", &digits[..2], &digits[2..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Option<f64> {
        parse_number(s).map(|n| n.value.as_f64())
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("42").map(|n| n.value), Some(NumValue::Int(42)));
        assert_eq!(n("-3.5"), Some(-3.5));
        assert_eq!(n("1,234,567"), Some(1_234_567.0));
        assert_eq!(n("$1,234.50"), Some(1234.5));
        assert_eq!(n("-$5"), Some(-5.0));
        assert_eq!(n("($5.00)"), Some(-5.0));
        assert_eq!(n("12.5%"), Some(0.125));
        assert_eq!(n("10 €"), Some(10.0));
        assert_eq!(n("1e3"), Some(1000.0));
        assert_eq!(n(".5"), Some(0.5));
        assert_eq!(parse_number("$5").and_then(|n| n.currency), Some('$'));
        let eu = |s: &str| parse_number_decimal_comma(s).map(|n| n.value.as_f64());
        assert_eq!(eu("1.234,56"), Some(1234.56));
        assert_eq!(eu("12,5%"), Some(0.125));
        assert_eq!(eu("-3,75 €"), Some(-3.75));
        assert_eq!(eu("1,234.5"), None);
        for bad in [
            "00501", "1,23", "12,34.5", "abc", "1.2.3", "", "$", "5-3", "1e", "0x10",
        ] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates() {
        let both = DAY_FIRST | MONTH_FIRST;
        let d = |s: &str, o: u8| parse_date(s, o).map(|(_, t)| t);
        assert_eq!(d("2012-01-31", both).as_deref(), Some("2012-01-31"));
        assert_eq!(d("2012/1/3", both).as_deref(), Some("2012-01-03"));
        assert_eq!(d("17-01-1960", both).as_deref(), Some("1960-01-17"));
        assert_eq!(
            parse_date("17-01-1960", both).map(|(s, _)| s.orders),
            Some(DAY_FIRST)
        );
        assert_eq!(d("02-01-1960", DAY_FIRST).as_deref(), Some("1960-01-02"));
        assert_eq!(d("02-01-1960", MONTH_FIRST).as_deref(), Some("1960-02-01"));
        assert_eq!(d("31.12.2020", both).as_deref(), Some("2020-12-31"));
        assert_eq!(d("5 Jan 2020", both).as_deref(), Some("2020-01-05"));
        assert_eq!(d("Jan 5, 2020", both).as_deref(), Some("2020-01-05"));
        assert_eq!(d("01JAN1960", both).as_deref(), Some("1960-01-01"));
        assert_eq!(
            d("25APR60:17:46:40", both).as_deref(),
            Some("1960-04-25 17:46:40")
        );
        assert_eq!(
            d("2020-01-02T10:05:07Z", both).as_deref(),
            Some("2020-01-02 10:05:07Z")
        );
        assert_eq!(
            d("2020-01-02 3:04 PM", both).as_deref(),
            Some("2020-01-02 15:04:00")
        );
        assert_eq!(
            d("2020-01-02T10:05:07.5+0200", both).as_deref(),
            Some("2020-01-02 10:05:07.5+02:00")
        );
        for bad in [
            "2020-02-30",
            "13/13/2020",
            "hello",
            "2020",
            "12345678",
            "Jan 2020",
        ] {
            assert_eq!(d(bad, both), None, "{bad}");
        }
    }
}
