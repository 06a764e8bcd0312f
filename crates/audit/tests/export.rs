//! Reading records back (`cowork audit show`) and exporting them as CSV.

mod common;

use std::fs;

use common::{entry, log_path};
use cowork_audit::{AuditError, AuditLog, AuditOptions, CSV_COLUMNS, export_csv, read_records};

#[test]
fn records_read_back_as_written_and_export_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let log = AuditLog::open(
        &path,
        AuditOptions {
            include_content: true,
            retention_days: None,
        },
    )
    .unwrap();
    log.append(entry(0)).unwrap();
    log.append(entry(1).with_content("line one\nsaid \"hi\", then =SUM(A1)"))
        .unwrap();
    drop(log);

    let records = read_records(&path).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].seq, 1);
    assert_eq!(records[0].action.as_deref(), Some("a0"));
    assert_eq!(
        records[1].content.as_deref(),
        Some("line one\nsaid \"hi\", then =SUM(A1)")
    );

    let mut out = Vec::new();
    export_csv(&records, &mut out).unwrap();
    let csv = String::from_utf8(out).unwrap();
    let mut rows = csv.split("\r\n");
    assert_eq!(rows.next().unwrap(), CSV_COLUMNS.join(","));
    let first = rows.next().unwrap();
    let cells: Vec<&str> = first.split(',').collect();
    assert_eq!(cells[0], "1");
    assert_eq!(cells[3], "session_started");
    assert_eq!(cells[4], "alice");
    assert_eq!(cells[9], "create notes/0.md (10 bytes)");
    assert_eq!(
        &cells[10..14],
        ["ask", "mode.interactive.ask_writes", "C2", "user"]
    );
    assert_eq!(cells[15], "content of step 0");
    // The detail is JSON, so it contains quotes and is quoted.
    assert!(first.ends_with("\"{\"\"step\"\":0}\""), "{first}");
    // Newlines, quotes and commas inside a cell stay inside one quoted cell.
    assert!(
        csv.contains("\"line one\nsaid \"\"hi\"\", then =SUM(A1)\""),
        "{csv}"
    );
    assert!(csv.ends_with("\r\n"));
}

#[test]
fn a_line_that_is_not_a_record_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let log = AuditLog::open(&path, AuditOptions::default()).unwrap();
    log.append(entry(0)).unwrap();
    drop(log);
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("{\"seq\": \"two\"}\n");
    fs::write(&path, text).unwrap();
    match read_records(&path) {
        Err(err @ AuditError::Malformed { line: 2, .. }) => {
            assert!(err.to_string().contains("cowork audit verify"), "{err}");
        }
        other => panic!("expected line 2 malformed, got {other:?}"),
    }
}
