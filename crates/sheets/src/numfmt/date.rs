//! Date and time serial numbers as a format section shows them, and as ISO 8601.
//!
//! A serial is days since the workbook epoch: 1900 system (day 1 = 1900-01-01, with Lotus's
//! fictitious 1900-02-29 at day 60, which Excel keeps) or 1904 system (day 0 = 1904-01-01).

use super::tokens::Tok;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Largest serial Excel shows as a date (9999-12-31).
const MAX_SERIAL: f64 = 2_958_465.999_999;

/// A serial split into calendar fields, rounded to the precision shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Parts {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    /// 0 = Sunday.
    pub(crate) weekday: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    /// Fraction of a second in units of 10^-`frac_digits`.
    pub(crate) frac: u32,
    /// Whole days, and the time of day in units of 10^-`frac_digits` seconds, for elapsed units.
    days: i64,
    units_in_day: i64,
    frac_digits: u32,
}

impl Parts {
    /// Split `serial` (≥ 0) keeping `frac_digits` (0–3) decimals of seconds. None when Excel
    /// would show ##### (negative or beyond year 9999).
    pub(crate) fn new(serial: f64, is_1904: bool, frac_digits: u32) -> Option<Parts> {
        if !(0.0..=MAX_SERIAL).contains(&serial) {
            return None;
        }
        let frac_digits = frac_digits.min(3);
        let per_second = 10i64.pow(frac_digits);
        let per_day = 86_400 * per_second;
        let total = (serial * per_day as f64).round() as i64;
        let days = total.div_euclid(per_day);
        let units_in_day = total.rem_euclid(per_day);
        let (year, month, day) = civil_from_serial(days, is_1904);
        let weekday = if is_1904 {
            (days + 5).rem_euclid(7)
        } else {
            (days + 6).rem_euclid(7)
        } as u32;
        let secs = units_in_day / per_second;
        Some(Parts {
            year,
            month,
            day,
            weekday,
            hour: (secs / 3600) as u32,
            minute: (secs / 60 % 60) as u32,
            second: (secs % 60) as u32,
            frac: (units_in_day % per_second) as u32,
            days,
            units_in_day,
            frac_digits,
        })
    }

    /// ISO 8601 text: "2024-01-31", "14:30:00" or "2024-01-31T14:30:00".
    pub(crate) fn iso(&self, date: bool, time: bool) -> String {
        let d = format!("{:04}-{:02}-{:02}", self.year, self.month, self.day);
        let t = format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second);
        match (date, time) {
            (true, true) => format!("{d}T{t}"),
            (false, true) => t,
            (true, false) | (false, false) => d,
        }
    }

    fn elapsed(&self, unit: char) -> i64 {
        let per_second = 10i64.pow(self.frac_digits);
        let secs = self.days * 86_400 + self.units_in_day / per_second;
        match unit {
            'h' => secs / 3600,
            'm' => secs / 60,
            _ => secs,
        }
    }
}

/// (year, month, day) of a whole serial day, with Excel's 1900 quirks (day 0 = 1900-01-00,
/// day 60 = 1900-02-29).
fn civil_from_serial(days: i64, is_1904: bool) -> (i64, u32, u32) {
    if is_1904 {
        return civil_from_unix_days(days + days_from_civil(1904, 1, 1));
    }
    match days {
        0 => (1900, 1, 0),
        60 => (1900, 2, 29),
        1..=59 => civil_from_unix_days(days + days_from_civil(1899, 12, 31)),
        _ => civil_from_unix_days(days + days_from_civil(1899, 12, 30)),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_unix_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Decimals of seconds a section shows (`ss.000` → 3).
pub(crate) fn fraction_digits(tokens: &[Tok]) -> u32 {
    for (k, t) in tokens.iter().enumerate() {
        if *t == Tok::Point && k > 0 && is_seconds(&tokens[k - 1]) {
            return tokens[k + 1..]
                .iter()
                .take_while(|t| **t == Tok::Digit('0'))
                .count()
                .min(3) as u32;
        }
    }
    0
}

fn is_seconds(t: &Tok) -> bool {
    matches!(t, Tok::Date('s', _) | Tok::Elapsed('s', _))
}

/// Whether the `m` token at index `k` means minutes: right after an hour, or right before
/// seconds (looking past literals).
fn is_minute(tokens: &[Tok], k: usize) -> bool {
    let prev = tokens[..k]
        .iter()
        .rev()
        .find(|t| matches!(t, Tok::Date(..) | Tok::Elapsed(..)));
    let next = tokens[k + 1..]
        .iter()
        .find(|t| matches!(t, Tok::Date(..) | Tok::Elapsed(..)));
    matches!(prev, Some(Tok::Date('h', _) | Tok::Elapsed('h', _))) || next.is_some_and(is_seconds)
}

/// Which calendar fields a date section shows: (date fields, time fields).
pub(crate) fn shows(tokens: &[Tok]) -> (bool, bool) {
    let mut date = false;
    let mut time = false;
    for (k, t) in tokens.iter().enumerate() {
        match t {
            Tok::Date('y' | 'd', _) => date = true,
            Tok::Date('m', n) if *n <= 2 && is_minute(tokens, k) => time = true,
            Tok::Date('m', _) => date = true,
            Tok::Date(..) | Tok::Elapsed(..) | Tok::AmPm { .. } => time = true,
            _ => {}
        }
    }
    (date, time)
}

/// Render a date/time section. None when the value cannot be a date (Excel shows #####).
pub(crate) fn render(tokens: &[Tok], serial: f64, is_1904: bool) -> Option<String> {
    let frac_digits = fraction_digits(tokens);
    let p = Parts::new(serial, is_1904, frac_digits)?;
    let twelve_hour = tokens.iter().any(|t| matches!(t, Tok::AmPm { .. }));
    let mut out = String::new();
    let mut k = 0;
    while k < tokens.len() {
        match &tokens[k] {
            Tok::Date('y', n) => {
                if *n <= 2 {
                    out.push_str(&format!("{:02}", p.year.rem_euclid(100)));
                } else {
                    out.push_str(&format!("{:04}", p.year));
                }
            }
            Tok::Date('m', n) if *n <= 2 && is_minute(tokens, k) => pad(&mut out, p.minute, *n),
            Tok::Date('m', n) => {
                let name = MONTHS[(p.month.clamp(1, 12) - 1) as usize];
                match n {
                    1 | 2 => pad(&mut out, p.month, *n),
                    3 => out.push_str(&name[..3]),
                    5 => out.push_str(&name[..1]),
                    _ => out.push_str(name),
                }
            }
            Tok::Date('d', n) => {
                let name = WEEKDAYS[p.weekday as usize % 7];
                match n {
                    1 | 2 => pad(&mut out, p.day, *n),
                    3 => out.push_str(&name[..3]),
                    _ => out.push_str(name),
                }
            }
            Tok::Date('h', n) => {
                let h = if twelve_hour {
                    match p.hour % 12 {
                        0 => 12,
                        h => h,
                    }
                } else {
                    p.hour
                };
                pad(&mut out, h, *n);
            }
            Tok::Date('s', n) => pad(&mut out, p.second, *n),
            Tok::Date(_, _) => {}
            Tok::Elapsed(unit, n) => {
                let v = p.elapsed(*unit);
                out.push_str(&format!("{v:0width$}", width = *n));
            }
            Tok::AmPm { long, lower } => {
                let text = match (p.hour < 12, long) {
                    (true, true) => "AM",
                    (false, true) => "PM",
                    (true, false) => "A",
                    (false, false) => "P",
                };
                if *lower {
                    out.push_str(&text.to_ascii_lowercase());
                } else {
                    out.push_str(text);
                }
            }
            Tok::Point if k > 0 && is_seconds(&tokens[k - 1]) && frac_digits > 0 => {
                out.push('.');
                out.push_str(&format!("{:0width$}", p.frac, width = frac_digits as usize));
                // The placeholders of the fraction were consumed here.
                k += frac_digits as usize;
            }
            Tok::Lit(s) => out.push_str(s),
            Tok::Point => out.push('.'),
            Tok::Comma => out.push(','),
            Tok::Slash => out.push('/'),
            Tok::Percent => out.push('%'),
            Tok::Digit(c) => out.push(*c),
            Tok::Exp(_) | Tok::At | Tok::General => {}
        }
        k += 1;
    }
    Some(out)
}

fn pad(out: &mut String, v: u32, n: usize) {
    if n >= 2 {
        out.push_str(&format!("{v:02}"));
    } else {
        out.push_str(&v.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokens::parse_sections;
    use super::*;

    fn fmt(code: &str, v: f64) -> String {
        render(&parse_sections(code)[0].tokens, v, false).unwrap_or_default()
    }

    #[test]
    fn calendar() {
        assert_eq!(fmt("yyyy-mm-dd", 44197.0), "2021-01-01");
        assert_eq!(fmt("yyyy-mm-dd", 1.0), "1900-01-01");
        assert_eq!(fmt("yyyy-mm-dd", 60.0), "1900-02-29");
        assert_eq!(fmt("yyyy-mm-dd", 61.0), "1900-03-01");
        assert_eq!(fmt("m/d/yyyy", 43363.0), "9/20/2018");
        assert_eq!(fmt("d-mmm-yy", 39219.8479), "17-May-07");
        assert_eq!(fmt("dddd mmmm d", 45292.0), "Monday January 1");
        let p = Parts::new(0.0, true, 0).unwrap();
        assert_eq!((p.year, p.month, p.day, p.weekday), (1904, 1, 1, 5));
    }

    #[test]
    fn times() {
        assert_eq!(fmt("h:mm AM/PM", 33966.260424618056), "6:15 AM");
        assert_eq!(fmt("h:mm AM/PM", 33966.760424803244), "6:15 PM");
        assert_eq!(fmt("h:mm", 33966.760424803244), "18:15");
        assert_eq!(fmt("[hh]:mm:ss", 10.6320601851852), "255:10:10");
        assert_eq!(fmt("mm:ss.0", 0.5 / 86400.0 + 61.0 / 86400.0), "01:01.5");
        assert_eq!(fmt("m/d/yyyy h:mm", 39466.190980358806), "1/19/2008 4:35");
        assert_eq!(fmt("yyyy", -1.0), "");
    }

    #[test]
    fn what_a_section_shows() {
        let s = parse_sections("yyyy-mm-dd hh:mm");
        assert_eq!(shows(&s[0].tokens), (true, true));
        let t = parse_sections("h:mm");
        assert_eq!(shows(&t[0].tokens), (false, true));
    }
}
