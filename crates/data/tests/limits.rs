//! Queries are bounded: a runaway query is interrupted at the deadline, big results are cut at
//! max_rows / max_result_bytes / max_cell_chars, and loads at max_load_rows.

mod common;

use std::time::{Duration, Instant};

use cowork_data::{DataEngine, DataError, EngineLimits};

/// 5000 rows is plenty: a three-way cross join of them is 1.25e11 rows.
const ROWS: usize = 5000;

fn engine(limits: EngineLimits) -> DataEngine {
    let mut csv = String::from("zip_code,city,population\n");
    for i in 0..ROWS {
        csv.push_str(&format!("{:05},City {},{}\n", i, i % 97, i * 13 % 1000));
    }
    let mut e = DataEngine::new(limits).unwrap();
    e.load("zip.csv", csv.as_bytes()).unwrap();
    e
}

#[test]
fn a_huge_cross_join_is_interrupted_by_the_timeout() {
    let timeout = Duration::from_millis(300);
    let e = engine(EngineLimits {
        timeout,
        ..EngineLimits::default()
    });
    for sql in [
        "SELECT COUNT(*) FROM zip a, zip b, zip c",
        "SELECT a.city, COUNT(*) FROM zip a CROSS JOIN zip b GROUP BY a.city ORDER BY 2 DESC",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT MAX(i) FROM n",
    ] {
        let start = Instant::now();
        let err = e.query(sql).expect_err(sql);
        let took = start.elapsed();
        assert!(
            matches!(err, DataError::Timeout { limit } if limit == timeout),
            "{sql}: {err:?}"
        );
        assert!(
            took >= timeout && took < timeout * 10,
            "{sql} stopped after {took:?}"
        );
        assert!(err.to_string().contains("0.3s"), "{err}");
    }
    // The deadline belongs to one query: the next one runs normally.
    assert_eq!(
        e.query("SELECT COUNT(*) FROM zip").unwrap().rows[0][0],
        ROWS
    );
}

#[test]
fn big_results_are_truncated() {
    let e = engine(EngineLimits {
        max_rows: 25,
        ..EngineLimits::default()
    });
    let r = e.query("SELECT * FROM zip").unwrap();
    assert_eq!(r.rows.len(), 25);
    assert!(r.truncated);
    assert_eq!(r.total_rows_seen, ROWS);
    let md = r.to_markdown();
    assert!(md.contains("showing 25 of 5000 rows"), "{md}");
    // Header, separator and 25 rows.
    assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 27);
    assert_eq!(r.to_csv().lines().count(), 26);
    let table = r.to_table();
    assert_eq!((table.rows.len(), table.header_rows), (26, 1));
    let cut = table.truncated.unwrap();
    assert_eq!(
        (cut.total_rows, cut.total_cols, cut.shown.as_str()),
        (ROWS + 1, 3, "A1:C26")
    );

    let exact = e.query("SELECT * FROM zip LIMIT 25").unwrap();
    assert!(!exact.truncated);
    assert_eq!(exact.total_rows_seen, 25);

    // Byte budget: rows stop before the result grows past it.
    let e = engine(EngineLimits {
        max_result_bytes: 2_000,
        ..EngineLimits::default()
    });
    let r = e.query("SELECT * FROM zip").unwrap();
    assert!(r.truncated);
    assert!(
        r.rows.len() > 20 && r.rows.len() < 100,
        "{} rows",
        r.rows.len()
    );
    assert!(serde_json::to_string(&r.rows).unwrap().len() <= 2_000);

    // Long cells are cut and say so.
    let e = engine(EngineLimits {
        max_cell_chars: 10,
        ..EngineLimits::default()
    });
    let r = e
        .query("SELECT printf('%.50c', 'x') AS long, 'short' AS s")
        .unwrap();
    let cell = r.rows[0][0].as_str().unwrap();
    assert!(
        cell.starts_with("xxxxxxxxxx…") && cell.contains("50 characters"),
        "{cell}"
    );
    assert_eq!(r.rows[0][1], "short");
    assert!(!r.truncated);
}

#[test]
fn counting_past_the_limit_is_itself_bounded() {
    let e = engine(EngineLimits {
        max_rows: 10,
        timeout: Duration::from_secs(30),
        ..EngineLimits::default()
    });
    let start = Instant::now();
    let r = e.query("SELECT a.zip_code FROM zip a, zip b").unwrap();
    assert!(r.truncated);
    assert_eq!(r.rows.len(), 10);
    assert_eq!(r.total_rows_seen, 10 + cowork_data::COUNT_AHEAD);
    assert!(r.to_markdown().contains("at least"));
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn loads_beyond_max_load_rows_are_refused_by_name() {
    let mut e = DataEngine::new(EngineLimits {
        max_load_rows: 1000,
        ..EngineLimits::default()
    })
    .unwrap();
    let err = e
        .load(
            "zipcodes.csv",
            &common::corpus_bytes("csv/vega__zipcodes.csv"),
        )
        .unwrap_err();
    assert!(matches!(err, DataError::TooLarge { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("zipcodes.csv") && msg.contains("1000 rows"),
        "{msg}"
    );
    assert!(e.tables().is_empty());
    assert!(e.load("ok.csv", b"a\n1\n2\n").is_ok());
}

#[test]
fn huge_values_cannot_be_built() {
    let e = engine(EngineLimits::default());
    let err = e
        .query("SELECT length(randomblob(1000000000))")
        .unwrap_err();
    assert!(matches!(err, DataError::Sql { .. }), "{err:?}");
}
