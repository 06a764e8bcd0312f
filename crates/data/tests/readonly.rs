//! Writes are refused by the engine itself, whatever the SQL looks like, and the data stays
//! exactly as loaded.

mod common;

use cowork_data::{DataEngine, DataError};

fn engine_with_sales() -> DataEngine {
    let mut e = common::engine();
    e.load(
        "sales.csv",
        b"region,product,revenue\nNorth,A,10\nSouth,B,20.5\nNorth,B,7\n",
    )
    .unwrap();
    e.load("other.csv", b"x\n1\n").unwrap();
    e
}

/// Everything observable about the data: every row of both tables plus the schema.
fn snapshot(e: &DataEngine) -> String {
    let mut out = String::new();
    for sql in [
        "SELECT * FROM sales ORDER BY rowid",
        "SELECT * FROM other ORDER BY rowid",
        "SELECT type, name, sql FROM sqlite_schema ORDER BY name",
        "SELECT COUNT(*) FROM pragma_database_list",
    ] {
        out.push_str(&e.query(sql).unwrap().to_csv());
    }
    out
}

#[test]
fn every_kind_of_write_is_refused_and_nothing_changes() {
    let e = engine_with_sales();
    let before = snapshot(&e);
    let dir = std::env::temp_dir().join(format!("cowork-data-attach-{}", std::process::id()));
    let attach = format!("ATTACH '{}' AS evil", dir.join("evil.db").display());
    let refused = [
        "INSERT INTO sales VALUES ('West', 'C', 1)",
        "INSERT INTO sales SELECT * FROM sales",
        "UPDATE sales SET revenue = 0",
        "DELETE FROM sales",
        "DROP TABLE sales",
        "DROP TABLE IF EXISTS other",
        "CREATE TABLE t (a)",
        "CREATE TEMP TABLE t AS SELECT 1",
        "CREATE VIEW v AS SELECT 1",
        "CREATE TRIGGER tr AFTER INSERT ON sales BEGIN DELETE FROM sales; END",
        "CREATE INDEX i ON sales(region)",
        "CREATE VIRTUAL TABLE f USING fts5(x)",
        "ALTER TABLE sales ADD COLUMN c",
        "ALTER TABLE sales RENAME TO s2",
        &attach,
        "ATTACH ':memory:' AS m",
        "DETACH main",
        "PRAGMA writable_schema = ON",
        "PRAGMA query_only = OFF",
        "PRAGMA foreign_keys = OFF",
        "BEGIN",
        "COMMIT",
        "SAVEPOINT s",
        "ANALYZE",
        "REINDEX",
        "VACUUM",
        "VACUUM INTO '/tmp/cowork-data-vacuum.db'",
        "REPLACE INTO sales VALUES ('x', 'y', 1)",
        "WITH x AS (SELECT 1) DELETE FROM sales",
        "INSERT INTO sales VALUES ('a','b',1) RETURNING *",
        "SELECT load_extension('x')",
        "SELECT load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0', 'sqlite3_extension_init')",
        "SELECT fts3_tokenizer('simple')",
        "EXPLAIN DELETE FROM sales",
    ];
    for sql in refused {
        let err = e.query(sql).expect_err(sql);
        assert!(
            matches!(err, DataError::ReadOnly { .. }),
            "{sql}: expected a read-only refusal, got {err:?}"
        );
        assert!(
            err.to_string().starts_with("query_data is read-only: "),
            "{err}"
        );
        assert_eq!(snapshot(&e), before, "{sql} changed the data");
    }
    assert!(!dir.exists(), "ATTACH created a file");
    assert!(!std::path::Path::new("/tmp/cowork-data-vacuum.db").exists());

    // The refusal names what was refused.
    let err = e.query("DELETE FROM sales").unwrap_err().to_string();
    assert!(err.contains("DELETE from sales"), "{err}");
    let err = e.query(&attach).unwrap_err().to_string();
    assert!(err.contains("ATTACH"), "{err}");
    let err = e
        .query("SELECT load_extension('x')")
        .unwrap_err()
        .to_string();
    assert!(err.contains("load_extension"), "{err}");
}

#[test]
fn a_second_statement_is_refused_even_after_a_select() {
    let e = engine_with_sales();
    let before = snapshot(&e);
    for sql in [
        "SELECT 1; DROP TABLE sales",
        "SELECT 1; DELETE FROM sales;",
        "SELECT * FROM sales; SELECT * FROM other",
        "SELECT 1;\n-- comment\nUPDATE sales SET revenue = 1",
    ] {
        let err = e.query(sql).expect_err(sql);
        assert!(
            matches!(
                err,
                DataError::ReadOnly { .. } | DataError::MultipleStatements
            ),
            "{sql}: {err:?}"
        );
        assert_eq!(snapshot(&e), before, "{sql}");
    }
    assert!(matches!(
        e.query("SELECT 1; SELECT 2").unwrap_err(),
        DataError::MultipleStatements
    ));
    assert!(matches!(
        e.query("  -- nothing\n/* at all */ ;").unwrap_err(),
        DataError::EmptyQuery { .. }
    ));
    // A trailing semicolon, whitespace or comment is not a second statement.
    assert_eq!(
        e.query("SELECT COUNT(*) FROM sales;  -- done\n")
            .unwrap()
            .rows[0][0],
        3
    );
}

#[test]
fn the_engine_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<DataEngine>();
    let e = engine_with_sales();
    let r = std::thread::spawn(move || e.query("SELECT SUM(revenue) FROM sales").unwrap())
        .join()
        .unwrap();
    assert_eq!(r.rows[0][0], 37.5);
}

#[test]
fn reading_stays_possible_and_loading_still_works_after_refusals() {
    let mut e = engine_with_sales();
    assert!(e.query("DROP TABLE sales").is_err());
    // Harmless reads: schema pragmas, the schema table, recursive CTEs, JSON functions.
    assert_eq!(e.query("PRAGMA table_info(sales)").unwrap().rows.len(), 3);
    assert_eq!(
        e.query("SELECT name FROM pragma_table_info('sales') ORDER BY cid")
            .unwrap()
            .to_rows()[1..],
        [["region"], ["product"], ["revenue"]]
    );
    let r = e
        .query("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT SUM(i) FROM n")
        .unwrap();
    assert_eq!(r.rows[0][0], 15);
    assert_eq!(
        e.query("SELECT json_extract('{\"a\":2}', '$.a')")
            .unwrap()
            .rows[0][0],
        2
    );
    // The engine opens for loading and closes again.
    e.load("more.csv", b"k,v\na,1\n").unwrap();
    assert_eq!(e.query("SELECT v FROM more").unwrap().rows[0][0], 1);
    assert!(matches!(
        e.query("DELETE FROM more").unwrap_err(),
        DataError::ReadOnly { .. }
    ));
    assert_eq!(e.query("SELECT COUNT(*) FROM more").unwrap().rows[0][0], 1);
}
