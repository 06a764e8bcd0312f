//! Column types from the data: every non-empty cell of a column votes, and a column is numeric
//! (or a date) only when all of them agree. Then each cell is converted to its SQL value.

use std::borrow::Cow;

use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};

use crate::parse::{self, DAY_FIRST, MONTH_FIRST, NumValue};

/// One cell as a source delivers it, borrowed from the source's own storage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Raw<'a> {
    Empty,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(&'a str),
    /// ISO 8601 date or date-time from a spreadsheet cell.
    DateTime(&'a str),
    /// A spreadsheet error value such as "#DIV/0!".
    Error(&'a str),
}

impl Raw<'_> {
    /// True when the cell holds nothing (empty or whitespace only).
    pub fn is_blank(&self) -> bool {
        match self {
            Raw::Empty => true,
            Raw::Text(t) => t.trim().is_empty(),
            Raw::Int(_) | Raw::Float(_) | Raw::Bool(_) | Raw::DateTime(_) | Raw::Error(_) => false,
        }
    }

    /// The cell as a person reads it (used for header names and text columns).
    pub fn display(&self) -> Cow<'_, str> {
        match *self {
            Raw::Empty => Cow::Borrowed(""),
            Raw::Int(i) => Cow::Owned(i.to_string()),
            Raw::Float(f) => Cow::Owned(format_float(f)),
            Raw::Bool(b) => Cow::Borrowed(if b { "TRUE" } else { "FALSE" }),
            Raw::Text(t) => Cow::Borrowed(t.trim()),
            Raw::DateTime(t) => match parse::parse_date(t, DAY_FIRST | MONTH_FIRST) {
                Some((_, iso)) => Cow::Owned(trim_midnight(iso)),
                None => Cow::Borrowed(t.trim()),
            },
            Raw::Error(e) => Cow::Borrowed(e),
        }
    }
}

/// Shortest text for a float: 3.0 → "3", 0.1 → "0.1".
pub(crate) fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn trim_midnight(iso: String) -> String {
    match iso.strip_suffix(" 00:00:00") {
        Some(d) => d.to_string(),
        None => iso,
    }
}

/// The type a column gets in SQLite. Dates are TEXT in ISO form so that ordering, comparison
/// and SQLite's date functions (strftime, date, julianday) work on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SqlType {
    Integer,
    Real,
    Text,
    /// TEXT 'YYYY-MM-DD'.
    Date,
    /// TEXT 'YYYY-MM-DD HH:MM:SS' (with fraction / time zone when the source had them).
    DateTime,
    /// INTEGER 1 / 0.
    Boolean,
}

impl SqlType {
    /// The declared SQL type in CREATE TABLE (what gives the column its affinity).
    pub fn declared(self) -> &'static str {
        match self {
            SqlType::Integer | SqlType::Boolean => "INTEGER",
            SqlType::Real => "REAL",
            SqlType::Text | SqlType::Date | SqlType::DateTime => "TEXT",
        }
    }
}

impl std::fmt::Display for SqlType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.declared())
    }
}

/// Whether all numbers of a column, read one way, agree.
#[derive(Debug, Clone, Copy)]
struct NumTrack {
    ok: bool,
    ints: bool,
    percent: Option<bool>,
    currency: Option<Option<char>>,
}

impl Default for NumTrack {
    fn default() -> Self {
        NumTrack {
            ok: true,
            ints: true,
            percent: None,
            currency: None,
        }
    }
}

impl NumTrack {
    fn observe(&mut self, n: Option<parse::Num>) {
        let Some(n) = n else {
            self.ok = false;
            return;
        };
        self.number(matches!(n.value, NumValue::Int(_)), n.percent, n.currency);
    }

    fn number(&mut self, integral: bool, percent: bool, currency: Option<char>) {
        if !self.ok {
            return;
        }
        self.ints &= integral;
        // A column mixing 50% and 0.5, or $ and €, has no one meaning: leave it as text.
        match self.percent {
            None => self.percent = Some(percent),
            Some(p) if p != percent => self.ok = false,
            Some(_) => {}
        }
        match (self.currency, currency) {
            (_, None) => {}
            (None, c) | (Some(None), c) => self.currency = Some(c),
            (Some(Some(a)), Some(b)) if a != b => self.ok = false,
            (Some(Some(_)), Some(_)) => {}
        }
    }
}

/// What the cells of one column have shown so far.
#[derive(Debug, Clone)]
pub(crate) struct ColumnStats {
    values: usize,
    null_tokens: usize,
    /// Numbers read with a decimal point ("1,234.5").
    point: NumTrack,
    /// Numbers read with a decimal comma ("1.234,5").
    comma: NumTrack,
    dates: bool,
    date_orders: u8,
    any_time: bool,
    any_day_month: bool,
    bools: bool,
}

impl Default for ColumnStats {
    fn default() -> Self {
        ColumnStats {
            values: 0,
            null_tokens: 0,
            point: NumTrack::default(),
            comma: NumTrack::default(),
            dates: true,
            date_orders: DAY_FIRST | MONTH_FIRST,
            any_time: false,
            any_day_month: false,
            bools: true,
        }
    }
}

/// The decision for one column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ColumnType {
    pub sql_type: SqlType,
    /// How to read a/b/yyyy dates (`DAY_FIRST` or `MONTH_FIRST`).
    pub date_order: u8,
    /// Numbers are written with a decimal comma ("1.234,5").
    pub decimal_comma: bool,
    /// Facts the model should know (currency removed, percent as fraction …).
    pub note: Option<String>,
}

impl ColumnStats {
    pub fn observe(&mut self, raw: Raw<'_>) {
        match raw {
            Raw::Empty => {}
            Raw::Int(_) => self.number(true),
            Raw::Float(f) => self.number(f.fract() == 0.0 && f.abs() < 9.0e15),
            Raw::Bool(_) => {
                self.values += 1;
                self.no_numbers();
                self.dates = false;
            }
            Raw::DateTime(t) => self.date_text(t),
            Raw::Error(_) => self.null_tokens += 1,
            Raw::Text(t) => self.text(t.trim()),
        }
    }

    fn text(&mut self, t: &str) {
        if t.is_empty() {
            return;
        }
        if parse::is_null_token(t) {
            self.null_tokens += 1;
            return;
        }
        if self.bools && parse::parse_bool(t).is_some() {
            self.values += 1;
            self.no_numbers();
            self.dates = false;
            return;
        }
        self.bools = false;
        if self.point.ok || self.comma.ok {
            let point = self.point.ok.then(|| parse::parse_number(t)).flatten();
            let comma = self
                .comma
                .ok
                .then(|| parse::parse_number_decimal_comma(t))
                .flatten();
            if point.is_some() || comma.is_some() {
                self.values += 1;
                self.dates = false;
                self.point.observe(point);
                self.comma.observe(comma);
                return;
            }
            self.no_numbers();
        }
        self.date_text(t);
    }

    /// A number that reads the same either way (typed cells from a sheet or JSON).
    fn number(&mut self, integral: bool) {
        self.values += 1;
        self.bools = false;
        self.dates = false;
        self.point.number(integral, false, None);
        self.comma.number(integral, false, None);
    }

    fn no_numbers(&mut self) {
        self.point.ok = false;
        self.comma.ok = false;
    }

    fn date_text(&mut self, t: &str) {
        self.values += 1;
        self.bools = false;
        self.no_numbers();
        if !self.dates {
            return;
        }
        match parse::parse_date(t, DAY_FIRST | MONTH_FIRST) {
            Some((seen, _)) if seen.orders & self.date_orders != 0 => {
                self.date_orders &= seen.orders;
                self.any_time |= seen.has_time;
                self.any_day_month |= seen.numeric_day_month;
            }
            Some(_) | None => self.dates = false,
        }
    }

    /// True when no cell of the column held anything, not even a placeholder.
    pub fn is_empty(&self) -> bool {
        self.values == 0 && self.null_tokens == 0
    }

    pub fn decide(&self) -> ColumnType {
        let mut notes = Vec::new();
        let mut date_order = MONTH_FIRST;
        // The decimal point wins when both readings work ("1.234" is then 1.234).
        let decimal_comma = !self.point.ok && self.comma.ok;
        let num = if decimal_comma {
            self.comma
        } else {
            self.point
        };
        let sql_type = if self.values == 0 {
            SqlType::Text
        } else if self.bools {
            notes.push("boolean: 1 = true, 0 = false".to_string());
            SqlType::Boolean
        } else if num.ok {
            if decimal_comma {
                notes.push("written with a decimal comma in the source".to_string());
            }
            if let Some(Some(c)) = num.currency {
                notes.push(format!("amounts in {c} (symbol removed)"));
            }
            if num.percent == Some(true) {
                notes.push("percentages stored as fractions (12.5% → 0.125)".to_string());
                SqlType::Real
            } else if num.ints {
                SqlType::Integer
            } else {
                SqlType::Real
            }
        } else if self.dates {
            if self.date_orders & MONTH_FIRST == 0 {
                date_order = DAY_FIRST;
            } else if self.date_orders & DAY_FIRST != 0 {
                // Every value reads either way: month-first is a guess, which the note flags.
                date_order = MONTH_FIRST;
                if self.any_day_month {
                    notes.push(
                        "day/month order is ambiguous in the source; read as month/day".to_string(),
                    );
                }
            }
            if self.any_time {
                SqlType::DateTime
            } else {
                SqlType::Date
            }
        } else {
            SqlType::Text
        };
        if self.null_tokens > 0 && sql_type != SqlType::Text {
            notes.push(format!(
                "{} placeholder value(s) such as NA or #N/A stored as NULL",
                self.null_tokens
            ));
        }
        ColumnType {
            sql_type,
            date_order,
            decimal_comma,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        }
    }
}

/// A value ready to bind, borrowing text from the source where it can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SqlValue<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
}

impl ToSql for SqlValue<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            SqlValue::Null => ValueRef::Null,
            SqlValue::Int(i) => ValueRef::Integer(*i),
            SqlValue::Real(f) => ValueRef::Real(*f),
            SqlValue::Text(t) => ValueRef::Text(t.as_bytes()),
        }))
    }
}

/// Converts one cell to the column's type. Cells that do not fit (only placeholders like "NA"
/// can reach here for typed columns) become NULL.
pub(crate) fn convert<'a>(raw: Raw<'a>, ty: &ColumnType) -> SqlValue<'a> {
    if raw.is_blank() {
        return SqlValue::Null;
    }
    match ty.sql_type {
        SqlType::Text => match raw {
            Raw::Text(t) => SqlValue::Text(Cow::Borrowed(t.trim())),
            other => SqlValue::Text(Cow::Owned(other.display().into_owned())),
        },
        SqlType::Boolean => match raw {
            Raw::Bool(b) => SqlValue::Int(i64::from(b)),
            Raw::Text(t) => {
                parse::parse_bool(t.trim()).map_or(SqlValue::Null, |b| SqlValue::Int(i64::from(b)))
            }
            Raw::Empty | Raw::Int(_) | Raw::Float(_) | Raw::DateTime(_) | Raw::Error(_) => {
                SqlValue::Null
            }
        },
        SqlType::Integer | SqlType::Real => {
            let n = match raw {
                Raw::Int(i) => Some(NumValue::Int(i)),
                Raw::Float(f) => Some(NumValue::Float(f)),
                Raw::Text(t) if ty.decimal_comma => {
                    parse::parse_number_decimal_comma(t).map(|n| n.value)
                }
                Raw::Text(t) => parse::parse_number(t).map(|n| n.value),
                Raw::Empty | Raw::Bool(_) | Raw::DateTime(_) | Raw::Error(_) => None,
            };
            match (n, ty.sql_type) {
                (None, _) => SqlValue::Null,
                (Some(NumValue::Int(i)), SqlType::Integer) => SqlValue::Int(i),
                // Integral floats from a spreadsheet (calamine reports 3 as 3.0).
                (Some(NumValue::Float(f)), SqlType::Integer) => SqlValue::Int(f as i64),
                (Some(v), _) => SqlValue::Real(v.as_f64()),
            }
        }
        SqlType::Date | SqlType::DateTime => {
            let text = match raw {
                Raw::Text(t) | Raw::DateTime(t) => t,
                Raw::Empty | Raw::Int(_) | Raw::Float(_) | Raw::Bool(_) | Raw::Error(_) => {
                    return SqlValue::Null;
                }
            };
            match parse::parse_date(text, ty.date_order) {
                Some((_, iso)) if ty.sql_type == SqlType::Date => {
                    SqlValue::Text(Cow::Owned(trim_midnight(iso)))
                }
                Some((_, iso)) if iso.len() == 10 => {
                    SqlValue::Text(Cow::Owned(format!("{iso} 00:00:00")))
                }
                Some((_, iso)) => SqlValue::Text(Cow::Owned(iso)),
                None => SqlValue::Null,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(cells: &[Raw<'_>]) -> ColumnType {
        let mut s = ColumnStats::default();
        for c in cells {
            s.observe(*c);
        }
        s.decide()
    }

    #[test]
    fn infers_types() {
        use Raw::*;
        assert_eq!(
            decide(&[Text("1"), Text(""), Text("22")]).sql_type,
            SqlType::Integer
        );
        assert_eq!(decide(&[Text("1"), Text("2.5")]).sql_type, SqlType::Real);
        assert_eq!(
            decide(&[Text("00501"), Text("12345")]).sql_type,
            SqlType::Text
        );
        assert_eq!(
            decide(&[Text("$1,200"), Text("$3.50")]).sql_type,
            SqlType::Real
        );
        assert_eq!(decide(&[Text("$1"), Text("€3")]).sql_type, SqlType::Text);
        assert_eq!(decide(&[Text("10%"), Text("0.5")]).sql_type, SqlType::Text);
        assert_eq!(decide(&[Text("10%"), Text("NA")]).sql_type, SqlType::Real);
        assert_eq!(
            decide(&[Text("None"), Text("Minor")]).sql_type,
            SqlType::Text
        );
        assert_eq!(
            decide(&[Text("2020-01-01"), Text("2020-02-01")]).sql_type,
            SqlType::Date
        );
        assert_eq!(
            decide(&[Text("2020-01-01 10:00"), Text("2020-02-01")]).sql_type,
            SqlType::DateTime
        );
        assert_eq!(
            decide(&[Text("true"), Text("FALSE")]).sql_type,
            SqlType::Boolean
        );
        assert_eq!(decide(&[Float(3.0), Int(4)]).sql_type, SqlType::Integer);
        assert_eq!(
            decide(&[Float(3.5), Error("#DIV/0!")]).sql_type,
            SqlType::Real
        );
        assert_eq!(decide(&[Empty, Text(" ")]).sql_type, SqlType::Text);
        let eu = decide(&[Text("1.234,5"), Text("2,25"), Text("3")]);
        assert_eq!((eu.sql_type, eu.decimal_comma), (SqlType::Real, true));
        let us = decide(&[Text("1.234"), Text("2")]);
        assert_eq!((us.sql_type, us.decimal_comma), (SqlType::Real, false));
        let dm = decide(&[Text("01/02/2020"), Text("13/02/2020")]);
        assert_eq!((dm.sql_type, dm.date_order), (SqlType::Date, DAY_FIRST));
        let md = decide(&[Text("01/02/2020"), Text("02/13/2020")]);
        assert_eq!((md.sql_type, md.date_order), (SqlType::Date, MONTH_FIRST));
        assert_eq!(
            decide(&[Text("13/02/2020"), Text("02/13/2020")]).sql_type,
            SqlType::Text
        );
    }

    #[test]
    fn converts_cells() {
        let eu = ColumnType {
            sql_type: SqlType::Real,
            date_order: MONTH_FIRST,
            decimal_comma: true,
            note: None,
        };
        assert_eq!(convert(Raw::Text("1.234,5"), &eu), SqlValue::Real(1234.5));
        let real = ColumnType {
            sql_type: SqlType::Real,
            date_order: MONTH_FIRST,
            decimal_comma: false,
            note: None,
        };
        assert_eq!(
            convert(Raw::Text("$1,200.5"), &real),
            SqlValue::Real(1200.5)
        );
        assert_eq!(convert(Raw::Text("NA"), &real), SqlValue::Null);
        let date = ColumnType {
            sql_type: SqlType::Date,
            date_order: DAY_FIRST,
            decimal_comma: false,
            note: None,
        };
        assert_eq!(
            convert(Raw::Text("02/01/2020"), &date),
            SqlValue::Text("2020-01-02".into())
        );
        assert_eq!(
            convert(Raw::DateTime("2020-01-02T00:00:00"), &date),
            SqlValue::Text("2020-01-02".into())
        );
        let text = ColumnType {
            sql_type: SqlType::Text,
            date_order: MONTH_FIRST,
            decimal_comma: false,
            note: None,
        };
        assert_eq!(convert(Raw::Float(2.0), &text), SqlValue::Text("2".into()));
        assert_eq!(
            convert(Raw::Text("  a "), &text),
            SqlValue::Text("a".into())
        );
    }
}
