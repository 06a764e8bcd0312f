//! Numbers as a format section shows them: digit placeholders, thousands separators,
//! percentages, scaling commas, scientific notation, fractions, and Excel's General format.
//!
//! Excel keeps 15 significant digits and rounds half away from zero on that decimal form, so
//! 2.675 with "0.00" shows 2.68 (binary rounding would give 2.67). [`round_decimal`] does the same.

use super::tokens::Tok;

/// Excel's General format, plain-text flavour: integers without ".0", up to 15 significant
/// digits, scientific notation only for very large or very small magnitudes.
pub(crate) fn general(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "#NUM!".into()
        } else {
            "#DIV/0!".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let (digits, exp) = sig_digits(v.abs());
    let sign = if v < 0.0 { "-" } else { "" };
    let trimmed = digits.trim_end_matches('0');
    let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
    if (-10..15).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let mut out = String::from(sign);
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
            out.push_str(trimmed);
        } else {
            let p = point as usize;
            if trimmed.len() <= p {
                out.push_str(trimmed);
                out.extend(std::iter::repeat_n('0', p - trimmed.len()));
            } else {
                out.push_str(&trimmed[..p]);
                out.push('.');
                out.push_str(&trimmed[p..]);
            }
        }
        out
    } else {
        let (head, tail) = trimmed.split_at(1);
        let frac = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{head}{frac}E{esign}{:02}", exp.unsigned_abs())
    }
}

/// The 15 significant digits of `v` (> 0) and its decimal exponent: 1599.99 → ("159999000000000", 3).
fn sig_digits(v: f64) -> (String, i32) {
    let s = format!("{v:.14e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// `v` (≥ 0) rounded half-up to `decimals` places on its 15-significant-digit decimal form:
/// (integer digits without leading zeros — "0" for zero — , exactly `decimals` fraction digits).
pub(crate) fn round_decimal(v: f64, decimals: usize) -> (String, String) {
    let decimals = decimals.min(30);
    if !v.is_finite() || v <= 0.0 {
        return ("0".into(), "0".repeat(decimals));
    }
    let (digits, exp) = sig_digits(v);
    let mut d: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
    let mut point = exp + 1; // digits before the decimal point (may be ≤ 0)
    let keep = point + decimals as i32;
    if keep < 0 {
        return ("0".into(), "0".repeat(decimals));
    }
    let keep = keep as usize;
    if keep < d.len() {
        let round_up = d[keep] >= 5;
        d.truncate(keep);
        if round_up {
            let mut i = keep;
            loop {
                if i == 0 {
                    d.insert(0, 1);
                    point += 1;
                    break;
                }
                i -= 1;
                if d[i] == 9 {
                    d[i] = 0;
                } else {
                    d[i] += 1;
                    break;
                }
            }
        }
    }
    // Digits now stand for 0.d1d2… × 10^point; lay them out around the decimal point.
    let digit_at = |i: i64| -> char {
        if i < 0 {
            '0'
        } else {
            d.get(i as usize).map_or('0', |x| (b'0' + x) as char)
        }
    };
    let int: String = (0..point.max(0) as i64).map(digit_at).collect();
    let frac: String = (0..decimals as i64)
        .map(|k| digit_at(point as i64 + k))
        .collect();
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    (int.to_string(), frac)
}

/// Render `v` (already made non-negative when the section has its own negative form) with
/// the tokens of a number section.
pub(crate) fn render(tokens: &[Tok], v: f64) -> String {
    if tokens.iter().any(|t| matches!(t, Tok::Exp(_))) {
        return scientific(tokens, v);
    }
    if let Some(out) = fraction(tokens, v) {
        return out;
    }
    let digits: Vec<usize> = positions(tokens, |t| matches!(t, Tok::Digit(_)));
    let Some(&last_digit) = digits.last() else {
        // No placeholders: literals (and General / @) only, e.g. a zero section `"-"`.
        return tokens
            .iter()
            .map(|t| match t {
                Tok::General => general(v),
                _ => plain(t),
            })
            .collect();
    };
    let first_digit = digits.first().copied().unwrap_or(last_digit);
    let point = tokens.iter().position(|t| *t == Tok::Point);
    let int_end = point.unwrap_or(last_digit + 1);
    // Commas right after the last placeholder, or right before the decimal point, divide by
    // 1000 each; a comma between integer placeholders turns on thousands grouping.
    let mut scaling = vec![false; tokens.len()];
    let mut j = last_digit + 1;
    while tokens.get(j) == Some(&Tok::Comma) {
        scaling[j] = true;
        j += 1;
    }
    if let Some(p) = point {
        let mut k = p;
        while k > 0 && tokens[k - 1] == Tok::Comma {
            k -= 1;
            scaling[k] = true;
        }
    }
    let scale_commas = scaling.iter().filter(|s| **s).count();
    let grouping = (first_digit..int_end).any(|k| tokens[k] == Tok::Comma && !scaling[k]);
    let percents = tokens.iter().filter(|t| **t == Tok::Percent).count();
    let mut value = v;
    for _ in 0..percents {
        value *= 100.0;
    }
    for _ in 0..scale_commas {
        value /= 1000.0;
    }
    let int_ph: Vec<usize> = digits.iter().copied().filter(|&k| k < int_end).collect();
    let frac_ph: Vec<usize> = digits.iter().copied().filter(|&k| k > int_end).collect();
    let (int_digits, frac_digits) = round_decimal(value, frac_ph.len());
    let int_digits = if int_digits == "0" {
        String::new()
    } else {
        int_digits
    };

    let mut slot: Vec<Option<String>> = vec![None; tokens.len()];
    fill_integer(tokens, &int_ph, &int_digits, grouping, &mut slot);
    fill_fraction(tokens, &frac_ph, &frac_digits, &mut slot);

    let mut out = String::new();
    for (k, t) in tokens.iter().enumerate() {
        match t {
            Tok::Digit(_) => out.push_str(slot[k].as_deref().unwrap_or("")),
            Tok::Comma if scaling[k] || (k > first_digit && k < int_end) => {} // not literal
            Tok::General => out.push_str(&general(v)),
            _ => out.push_str(&plain(t)),
        }
    }
    out
}

/// Place the integer digits into the integer placeholders.
fn fill_integer(
    tokens: &[Tok],
    int_ph: &[usize],
    digits: &str,
    grouping: bool,
    slot: &mut [Option<String>],
) {
    let Some(&first) = int_ph.first() else { return };
    // Placeholders from the first `0` or `?` onwards force a minimum number of digits.
    let forced = int_ph
        .iter()
        .position(|&k| matches!(tokens[k], Tok::Digit('0' | '?')))
        .map_or(0, |p| int_ph.len() - p);
    if grouping {
        let mut s = digits.to_string();
        while s.len() < forced {
            s.insert(0, '0');
        }
        slot[first] = Some(group_thousands(&s));
        return;
    }
    // Right to left: one digit per placeholder, the leftmost takes whatever is left over.
    let chars: Vec<char> = digits.chars().collect();
    let mut remaining = chars.len();
    for (n, &k) in int_ph.iter().enumerate().rev() {
        let text = if n == 0 {
            let s: String = chars[..remaining].iter().collect();
            remaining = 0;
            s
        } else if remaining > 0 {
            remaining -= 1;
            chars[remaining].to_string()
        } else {
            String::new()
        };
        slot[k] = Some(if text.is_empty() {
            empty_digit(&tokens[k])
        } else {
            text
        });
    }
}

/// Place the fraction digits; trailing zeros vanish under `#` and become spaces under `?`.
fn fill_fraction(tokens: &[Tok], frac_ph: &[usize], digits: &str, slot: &mut [Option<String>]) {
    let chars: Vec<char> = digits.chars().collect();
    let mut trailing = true;
    for (n, &k) in frac_ph.iter().enumerate().rev() {
        let c = chars.get(n).copied().unwrap_or('0');
        let text = match tokens[k] {
            Tok::Digit('#') | Tok::Digit('?') if trailing && c == '0' => empty_digit(&tokens[k]),
            _ => {
                trailing = false;
                c.to_string()
            }
        };
        slot[k] = Some(text);
    }
}

fn empty_digit(t: &Tok) -> String {
    match t {
        Tok::Digit('0') => "0".into(),
        Tok::Digit('?') => " ".into(),
        _ => String::new(),
    }
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The text of a token that is not a placeholder.
fn plain(t: &Tok) -> String {
    match t {
        Tok::Lit(s) => s.clone(),
        Tok::Point => ".".into(),
        Tok::Comma => ",".into(),
        Tok::Percent => "%".into(),
        Tok::Slash => "/".into(),
        Tok::Digit(c) => c.to_string(),
        Tok::Exp(_)
        | Tok::At
        | Tok::General
        | Tok::Date(..)
        | Tok::Elapsed(..)
        | Tok::AmPm { .. } => String::new(),
    }
}

fn positions(tokens: &[Tok], pred: impl Fn(&Tok) -> bool) -> Vec<usize> {
    tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| pred(t))
        .map(|(k, _)| k)
        .collect()
}

/// `0.00E+00`, `##0.0E+0`: mantissa with the section's decimals, exponent with its digits.
fn scientific(tokens: &[Tok], v: f64) -> String {
    let exp_at = tokens
        .iter()
        .position(|t| matches!(t, Tok::Exp(_)))
        .unwrap_or(tokens.len());
    let always_sign = matches!(tokens.get(exp_at), Some(Tok::Exp(true)));
    let (before, after) = tokens.split_at(exp_at);
    let point = before.iter().position(|t| *t == Tok::Point);
    let int_ph = before[..point.unwrap_or(before.len())]
        .iter()
        .filter(|t| matches!(t, Tok::Digit(_)))
        .count()
        .max(1);
    let decimals = point.map_or(0, |p| {
        before[p..]
            .iter()
            .filter(|t| matches!(t, Tok::Digit(_)))
            .count()
    });
    let exp_digits = after
        .iter()
        .filter(|t| matches!(t, Tok::Digit(_)))
        .count()
        .max(1);
    // Engineering notation (##0.0E+0) keeps the exponent a multiple of the integer digits.
    let step = if before.first() == Some(&Tok::Digit('#')) {
        int_ph as i32
    } else {
        1
    };
    let mut exp = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32
    };
    exp = exp.div_euclid(step) * step;
    let mut mantissa = v / 10f64.powi(exp);
    let (mut int, mut frac) = round_decimal(mantissa, decimals);
    if int.len() > step as usize && v != 0.0 {
        exp += step;
        mantissa = v / 10f64.powi(exp);
        (int, frac) = round_decimal(mantissa, decimals);
    }
    let prefix: String = before
        .iter()
        .take_while(|t| !matches!(t, Tok::Digit(_)))
        .map(plain)
        .collect();
    let suffix: String = after
        .iter()
        .skip_while(|t| !matches!(t, Tok::Digit(_)))
        .filter(|t| !matches!(t, Tok::Digit(_)))
        .map(plain)
        .collect();
    let esign = if exp < 0 {
        "-"
    } else if always_sign {
        "+"
    } else {
        ""
    };
    let frac = if decimals > 0 {
        format!(".{frac}")
    } else {
        String::new()
    };
    format!(
        "{prefix}{int}{frac}E{esign}{:0width$}{suffix}",
        exp.unsigned_abs(),
        width = exp_digits
    )
}

/// `# ?/?`, `# ??/??`, `?/8`: a whole part (when the format has one) and a fraction with the
/// best denominator of the allowed size. None when the section is not a fraction.
fn fraction(tokens: &[Tok], v: f64) -> Option<String> {
    let slash = tokens.iter().position(|t| *t == Tok::Slash)?;
    let before = &tokens[..slash];
    let after = &tokens[slash + 1..];
    let num_end = before.iter().rposition(|t| matches!(t, Tok::Digit(_)))?;
    let num_start = before[..=num_end]
        .iter()
        .rposition(|t| !matches!(t, Tok::Digit(_)))
        .map_or(0, |p| p + 1);
    let whole_ph = before[..num_start]
        .iter()
        .any(|t| matches!(t, Tok::Digit(_)));
    // A literal denominator ("?/8") fixes it; placeholders give its maximum number of digits.
    let fixed: Option<u64> = after.iter().find_map(|t| match t {
        Tok::Lit(s) => s
            .trim()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok(),
        _ => None,
    });
    let den_digits = after
        .iter()
        .take_while(|t| matches!(t, Tok::Digit(_)))
        .count();
    if fixed.is_none() && den_digits == 0 {
        return None;
    }
    let (whole, rest) = if whole_ph {
        (v.trunc(), v - v.trunc())
    } else {
        (0.0, v)
    };
    let (mut num, den) = match fixed {
        Some(d) if d > 0 => ((rest * d as f64).round() as u64, d),
        _ => best_fraction(rest, 10u64.pow(den_digits.min(4) as u32) - 1),
    };
    let mut whole = whole as u64;
    if whole_ph && num >= den && den > 0 {
        whole += num / den;
        num %= den;
    }
    let prefix: String = before
        .iter()
        .take_while(|t| !matches!(t, Tok::Digit(_)))
        .map(plain)
        .collect();
    let mut out = prefix;
    if whole_ph && (whole > 0 || num == 0) {
        out.push_str(&whole.to_string());
        if num > 0 {
            out.push(' ');
        }
    }
    if num > 0 || !whole_ph {
        out.push_str(&format!("{num}/{den}"));
    }
    Some(out)
}

/// The fraction n/d closest to `x` (0 ≤ x) with d ≤ max_den (continued-fraction convergents).
fn best_fraction(x: f64, max_den: u64) -> (u64, u64) {
    let max_den = max_den.max(1);
    let (mut p0, mut q0, mut p1, mut q1) = (0u64, 1u64, 1u64, 0u64);
    let mut r = x;
    for _ in 0..64 {
        let a = r.floor();
        if a > 1e12 {
            break;
        }
        let a = a as u64;
        let q2 = a.saturating_mul(q1).saturating_add(q0);
        if q2 > max_den {
            break;
        }
        let p2 = a.saturating_mul(p1).saturating_add(p0);
        (p0, q0, p1, q1) = (p1, q1, p2, q2);
        let f = r - a as f64;
        if f < 1e-12 {
            break;
        }
        r = 1.0 / f;
    }
    if q1 == 0 { (0, 1) } else { (p1, q1) }
}

#[cfg(test)]
mod tests {
    use super::super::tokens::parse_sections;
    use super::*;

    fn fmt(code: &str, v: f64) -> String {
        render(&parse_sections(code)[0].tokens, v)
    }

    #[test]
    fn general_numbers() {
        assert_eq!(general(15.0), "15");
        assert_eq!(general(0.1 + 0.2), "0.3");
        assert_eq!(general(-1599.99), "-1599.99");
        assert_eq!(general(1e20), "1E+20");
        assert_eq!(general(1.0 / 3.0), "0.333333333333333");
        assert_eq!(general(0.000123), "0.000123");
    }

    #[test]
    fn rounding_is_decimal() {
        assert_eq!(round_decimal(2.675, 2), ("2".into(), "68".into()));
        assert_eq!(round_decimal(9.999, 2), ("10".into(), "00".into()));
        assert_eq!(round_decimal(0.004, 2), ("0".into(), "00".into()));
        assert_eq!(round_decimal(1234.5, 0), ("1235".into(), String::new()));
    }

    #[test]
    fn placeholders() {
        assert_eq!(fmt("#,##0.00", 1599.99), "1,599.99");
        assert_eq!(fmt("#,##0", 1234567.0), "1,234,567");
        assert_eq!(fmt("0.00%", 0.025), "2.50%");
        assert_eq!(fmt("0%", 0.025), "3%");
        assert_eq!(fmt("0.0,,\"M\"", 12_345_678.0), "12.3M");
        assert_eq!(fmt("000-00-0000", 123456789.0), "123-45-6789");
        assert_eq!(fmt("0.##", 3.1), "3.1");
        assert_eq!(fmt("#", 0.0), "");
        assert_eq!(
            fmt("0\\ \"dollars and\"\\ .00\\ \"cents\"", 19.99),
            "19 dollars and .99 cents"
        );
    }

    #[test]
    fn scientific_and_fractions() {
        assert_eq!(fmt("0.00E+00", 198356388.0), "1.98E+08");
        assert_eq!(fmt("0.00E+00", 0.000123), "1.23E-04");
        assert_eq!(fmt("##0.0E+0", 12345.0), "12.3E+3");
        assert_eq!(fmt("# ?/?", 2.5), "2 1/2");
        assert_eq!(fmt("# ??/??", 0.3333), "1/3");
        assert_eq!(fmt("?/8", 0.25), "2/8");
    }
}
