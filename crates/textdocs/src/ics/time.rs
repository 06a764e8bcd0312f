//! Readable dates, times, durations and recurrence rules of iCalendar values.

use super::parse::Prop;

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

/// A DATE or DATE-TIME property as a person reads it: "2025-01-15 10:00 (America/New_York)",
/// "2001-07-01 21:30 UTC", "2025-01-15 (all day)".
pub fn date_time(prop: &Prop) -> String {
    let value = prop.value.trim();
    let tz = prop.param("TZID");
    let all_day = prop
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
        || (value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()));
    match parse_value(value) {
        Some((date, None, _)) if all_day || tz.is_none() => format!("{date} (all day)"),
        Some((date, time, utc)) => {
            let time = time.unwrap_or_default();
            match (utc, tz) {
                (true, _) => format!("{date} {time} UTC"),
                (false, Some(tz)) => format!("{date} {time} ({tz})"),
                (false, None) => format!("{date} {time} (floating local time)"),
            }
        }
        None => value.to_string(),
    }
}

/// "20250115T100000Z" → ("2025-01-15", Some("10:00"), true). Seconds shown only when set.
pub fn parse_value(value: &str) -> Option<(String, Option<String>, bool)> {
    let (date, rest) = match value.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (value, None),
    };
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let date_text = format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..8]);
    let Some(rest) = rest else {
        return Some((date_text, None, false));
    };
    let utc = rest.ends_with(['Z', 'z']);
    let digits = rest.trim_end_matches(['Z', 'z']);
    if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut time = format!("{}:{}", &digits[..2], &digits[2..4]);
    if let Some(sec) = digits.get(4..6).filter(|s| *s != "00") {
        time.push(':');
        time.push_str(sec);
    }
    Some((date_text, Some(time), utc))
}

/// "PT1H30M" → "1 hour 30 minutes"; "-P0DT0H10M0S" → "10 minutes" with `negative` true.
pub fn duration(value: &str) -> Option<(String, bool)> {
    let v = value.trim();
    let (negative, v) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let v = v.strip_prefix(['P', 'p'])?;
    let mut parts = Vec::new();
    let mut number = String::new();
    let mut in_time = false;
    for c in v.chars() {
        match c.to_ascii_uppercase() {
            'T' => in_time = true,
            d if d.is_ascii_digit() => number.push(d),
            unit => {
                let n: u64 = number.parse().ok()?;
                number.clear();
                let name = match (unit, in_time) {
                    ('W', _) => "week",
                    ('D', _) => "day",
                    ('H', true) => "hour",
                    ('M', true) => "minute",
                    ('S', true) => "second",
                    _ => return None,
                };
                if n > 0 {
                    parts.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
                }
            }
        }
    }
    if !number.is_empty() {
        return None;
    }
    if parts.is_empty() {
        return Some(("0 minutes".into(), negative));
    }
    Some((parts.join(" "), negative))
}

/// An alarm's TRIGGER: "10 minutes before the start", "at 2024-10-04 18:00 UTC".
pub fn trigger(prop: &Prop) -> String {
    if prop
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE-TIME"))
    {
        return format!("at {}", date_time(prop));
    }
    let related = if prop
        .param("RELATED")
        .is_some_and(|r| r.eq_ignore_ascii_case("END"))
    {
        "end"
    } else {
        "start"
    };
    match duration(&prop.value) {
        Some((d, _)) if d == "0 minutes" => format!("at the {related}"),
        Some((d, true)) => format!("{d} before the {related}"),
        Some((d, false)) => format!("{d} after the {related}"),
        None => prop.value.trim().to_string(),
    }
}

fn weekday(code: &str) -> Option<&'static str> {
    Some(match code {
        "MO" => "Monday",
        "TU" => "Tuesday",
        "WE" => "Wednesday",
        "TH" => "Thursday",
        "FR" => "Friday",
        "SA" => "Saturday",
        "SU" => "Sunday",
        _ => return None,
    })
}

fn ordinal(n: i32) -> String {
    match n {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        4 => "fourth".into(),
        5 => "fifth".into(),
        -1 => "last".into(),
        -2 => "second to last".into(),
        n => format!("{n}th"),
    }
}

/// "MO" → "Monday", "-1SU" → "the last Sunday", "2TH" → "the second Thursday".
fn by_day(item: &str) -> Option<String> {
    let item = item.trim();
    let split = item.len().checked_sub(2)?;
    let (num, code) = item.split_at(split);
    let day = weekday(code)?;
    if num.is_empty() {
        Some(day.to_string())
    } else {
        let n: i32 = num.trim_start_matches('+').parse().ok()?;
        Some(format!("the {} {day}", ordinal(n)))
    }
}

/// An RRULE in words: "weekly on Monday, Wednesday until 2025-06-30",
/// "yearly on the first Sunday in November". Parts it cannot word are left out (the raw
/// rule is shown beside it).
pub fn rrule(value: &str) -> String {
    let mut freq = "";
    let mut interval = 1u32;
    let mut days = Vec::new();
    let mut months = Vec::new();
    let mut month_days = Vec::new();
    let mut until = None;
    let mut count = None;
    for part in value.split(';') {
        let Some((key, val)) = part.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_uppercase().as_str() {
            "FREQ" => freq = val.trim(),
            "INTERVAL" => interval = val.trim().parse().unwrap_or(1).max(1),
            "BYDAY" => days = val.split(',').filter_map(by_day).collect(),
            "BYMONTH" => {
                months = val
                    .split(',')
                    .filter_map(|m| m.trim().parse::<usize>().ok())
                    .filter_map(|m| MONTHS.get(m.wrapping_sub(1)).copied())
                    .collect()
            }
            "BYMONTHDAY" => month_days = val.split(',').map(|d| d.trim().to_string()).collect(),
            "UNTIL" => {
                until = parse_value(val.trim()).map(|(d, t, utc)| match t {
                    Some(t) if t != "00:00" || utc => {
                        format!("{d} {t}{}", if utc { " UTC" } else { "" })
                    }
                    _ => d,
                })
            }
            "COUNT" => count = val.trim().parse::<u32>().ok(),
            _ => {}
        }
    }
    let (single, plural) = match freq.to_ascii_uppercase().as_str() {
        "SECONDLY" => ("every second", "seconds"),
        "MINUTELY" => ("every minute", "minutes"),
        "HOURLY" => ("hourly", "hours"),
        "DAILY" => ("daily", "days"),
        "WEEKLY" => ("weekly", "weeks"),
        "MONTHLY" => ("monthly", "months"),
        "YEARLY" => ("yearly", "years"),
        _ => ("repeating", "periods"),
    };
    let mut out = if interval > 1 {
        format!("every {interval} {plural}")
    } else {
        single.to_string()
    };
    if !days.is_empty() {
        out.push_str(" on ");
        out.push_str(&days.join(", "));
    }
    if !month_days.is_empty() {
        out.push_str(" on day ");
        out.push_str(&month_days.join(", "));
    }
    if !months.is_empty() {
        out.push_str(" in ");
        out.push_str(&months.join(", "));
    }
    if let Some(until) = until {
        out.push_str(" until ");
        out.push_str(&until);
    }
    if let Some(count) = count {
        out.push_str(&format!(", {count} times"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(value: &str, params: &[(&str, &str)]) -> Prop {
        Prop {
            name: "DTSTART".into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            value: value.into(),
        }
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(
            date_time(&prop("20010701T213000Z", &[])),
            "2001-07-01 21:30 UTC"
        );
        assert_eq!(
            date_time(&prop("20250115T100000", &[("TZID", "America/New_York")])),
            "2025-01-15 10:00 (America/New_York)"
        );
        assert_eq!(
            date_time(&prop("20250115", &[("VALUE", "DATE")])),
            "2025-01-15 (all day)"
        );
        assert_eq!(duration("-P0DT0H10M0S"), Some(("10 minutes".into(), true)));
        assert_eq!(
            duration("PT1H30M"),
            Some(("1 hour 30 minutes".into(), false))
        );
        assert_eq!(duration("P1W"), Some(("1 week".into(), false)));
    }

    #[test]
    fn rules_in_words() {
        assert_eq!(
            rrule("FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20250630T000000Z"),
            "weekly on Monday, Wednesday until 2025-06-30 00:00 UTC"
        );
        assert_eq!(
            rrule("FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"),
            "yearly on the first Sunday in November"
        );
        assert_eq!(
            rrule("FREQ=DAILY;INTERVAL=2;COUNT=5"),
            "every 2 days, 5 times"
        );
    }
}
