//! Typed cell values: what other crates (the SQL engine) load, and how a raw calamine value
//! becomes a typed value plus the text the spreadsheet shows.

use std::sync::LazyLock;

use calamine::{Data, DataRef};
use serde::Serialize;

use crate::numfmt::NumFmt;

/// One cell's value, typed. Dates are ISO 8601 text ("2024-01-31", "14:30:00",
/// "2024-01-31T14:30:00") chosen by the cell's number format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CellValue {
    Empty,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    DateTime(String),
    Error(String),
}

/// A whole sheet as typed cells: `rows` cover the sheet's used range, starting at its
/// top-left non-empty cell (leading empty rows and columns are skipped), every row as wide
/// as the used range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetCells {
    pub name: String,
    pub rows: Vec<Vec<CellValue>>,
}

/// A cell value as calamine gives it, borrowed.
#[derive(Debug, Clone)]
pub(crate) enum Raw<'a> {
    Int(i64),
    Float(f64),
    Text(&'a str),
    Bool(bool),
    /// A date/time serial calamine recognised by its format; `duration` for elapsed time.
    Serial {
        value: f64,
        duration: bool,
    },
    Iso(&'a str),
    DurationIso(&'a str),
    Error(calamine::CellErrorType),
    Empty,
}

impl<'a> Raw<'a> {
    pub(crate) fn from_ref(d: &'a DataRef<'a>) -> Raw<'a> {
        match d {
            DataRef::Int(i) => Raw::Int(*i),
            DataRef::Float(f) => Raw::Float(*f),
            DataRef::String(s) => Raw::Text(s),
            DataRef::SharedString(s) => Raw::Text(s),
            DataRef::Bool(b) => Raw::Bool(*b),
            DataRef::DateTime(dt) => Raw::Serial {
                value: dt.as_f64(),
                duration: dt.is_duration(),
            },
            DataRef::DateTimeIso(s) => Raw::Iso(s),
            DataRef::DurationIso(s) => Raw::DurationIso(s),
            DataRef::Error(e) => Raw::Error(e.clone()),
            DataRef::Empty => Raw::Empty,
        }
    }

    pub(crate) fn from_data(d: &'a Data) -> Raw<'a> {
        match d {
            Data::Int(i) => Raw::Int(*i),
            Data::Float(f) => Raw::Float(*f),
            Data::String(s) => Raw::Text(s),
            Data::Bool(b) => Raw::Bool(*b),
            Data::DateTime(dt) => Raw::Serial {
                value: dt.as_f64(),
                duration: dt.is_duration(),
            },
            Data::DateTimeIso(s) => Raw::Iso(s),
            Data::DurationIso(s) => Raw::DurationIso(s),
            Data::Error(e) => Raw::Error(e.clone()),
            Data::Empty => Raw::Empty,
        }
    }

    /// Whether the cell shows nothing (and so does not count for the used range).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Raw::Empty => true,
            Raw::Text(s) => s.is_empty(),
            Raw::Int(_)
            | Raw::Float(_)
            | Raw::Bool(_)
            | Raw::Serial { .. }
            | Raw::Iso(_)
            | Raw::DurationIso(_)
            | Raw::Error(_) => false,
        }
    }
}

// Formats for files whose number formats calamine does not expose (xls, ods): dates are shown
// in ISO order, which no reader can misread.
static DATE: LazyLock<NumFmt> = LazyLock::new(|| NumFmt::parse("yyyy-mm-dd"));
static TIME: LazyLock<NumFmt> = LazyLock::new(|| NumFmt::parse("hh:mm:ss"));
static DATE_TIME: LazyLock<NumFmt> = LazyLock::new(|| NumFmt::parse("yyyy-mm-dd hh:mm:ss"));
static ELAPSED: LazyLock<NumFmt> = LazyLock::new(|| NumFmt::parse("[h]:mm:ss"));
static GENERAL: LazyLock<NumFmt> = LazyLock::new(NumFmt::general);

/// The typed value of a raw cell and, when `display` is asked for, its text as shown.
/// `fmt` is the cell's number format when the file gives one (xlsx).
pub(crate) fn convert(
    raw: Raw<'_>,
    fmt: Option<&NumFmt>,
    is_1904: bool,
    display: bool,
) -> (CellValue, String) {
    match raw {
        Raw::Int(i) => number(i as f64, Some(i), fmt.unwrap_or(&GENERAL), is_1904, display),
        Raw::Float(f) => number(f, None, fmt.unwrap_or(&GENERAL), is_1904, display),
        Raw::Serial { value, duration } => {
            let fmt = match fmt {
                Some(f) => f,
                None if duration => &ELAPSED,
                None if value.fract() == 0.0 => &DATE,
                None if value < 1.0 => &TIME,
                None => &DATE_TIME,
            };
            number(value, None, fmt, is_1904, display)
        }
        Raw::Text(s) => (CellValue::Text(s.to_string()), shown(display, s)),
        Raw::Bool(b) => {
            let text = if b { "TRUE" } else { "FALSE" };
            (CellValue::Bool(b), shown(display, text))
        }
        Raw::Iso(s) => (CellValue::DateTime(s.to_string()), shown(display, s)),
        Raw::DurationIso(s) => (CellValue::Text(s.to_string()), shown(display, s)),
        Raw::Error(e) => {
            let text = e.to_string();
            (CellValue::Error(text.clone()), shown(display, &text))
        }
        Raw::Empty => (CellValue::Empty, String::new()),
    }
}

fn shown(display: bool, text: &str) -> String {
    if display {
        text.to_string()
    } else {
        String::new()
    }
}

/// A number under its format: a date format makes it a DateTime (an elapsed-time format
/// makes it the text shown, "255:10:10": a duration, not a moment), otherwise Int when
/// whole, else Float.
fn number(
    v: f64,
    int: Option<i64>,
    fmt: &NumFmt,
    is_1904: bool,
    display: bool,
) -> (CellValue, String) {
    let text = || fmt.format(v, is_1904);
    if fmt.date_fields().is_some() {
        if fmt.is_elapsed() {
            let t = text();
            return (CellValue::Text(t.clone()), t);
        }
        if let Some(iso) = fmt.iso(v, is_1904) {
            return (
                CellValue::DateTime(iso),
                if display { text() } else { String::new() },
            );
        }
    }
    // Whole numbers up to 2^53 are exact in f64: give them as integers.
    let value = match int {
        Some(i) => CellValue::Int(i),
        None if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 => CellValue::Int(v as i64),
        None => CellValue::Float(v),
    };
    (value, if display { text() } else { String::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_dates_and_durations() {
        let date = NumFmt::parse("yyyy\\-mm\\-dd");
        let (v, t) = convert(Raw::Float(44197.0), Some(&date), false, true);
        assert_eq!(v, CellValue::DateTime("2021-01-01".into()));
        assert_eq!(t, "2021-01-01");
        let elapsed = NumFmt::parse("[hh]:mm:ss");
        let (v, t) = convert(Raw::Float(10.6320601851852), Some(&elapsed), false, true);
        assert_eq!(v, CellValue::Text("255:10:10".into()));
        assert_eq!(t, "255:10:10");
        let (v, t) = convert(Raw::Float(15.0), None, false, true);
        assert_eq!((v, t.as_str()), (CellValue::Int(15), "15"));
        let (v, _) = convert(Raw::Float(1.5), None, false, false);
        assert_eq!(v, CellValue::Float(1.5));
        let time = NumFmt::parse("h:mm");
        let (v, t) = convert(Raw::Float(45292.75), Some(&time), false, true);
        assert_eq!(v, CellValue::DateTime("2024-01-01T18:00:00".into()));
        assert_eq!(t, "18:00");
        let (v, _) = convert(Raw::Float(0.75), Some(&time), false, false);
        assert_eq!(v, CellValue::DateTime("18:00:00".into()));
        let serial = Raw::Serial {
            value: 43363.5,
            duration: false,
        };
        let (v, t) = convert(serial, None, false, true);
        assert_eq!(v, CellValue::DateTime("2018-09-20T12:00:00".into()));
        assert_eq!(t, "2018-09-20 12:00:00");
    }
}
