//! Retention removes old records on open; what remains still verifies.

mod common;

use std::fs;
use std::path::Path;

use common::{entry, log_path, read_lines, record, write_lines};
use cowork_audit::{
    Anchor, AuditKind, AuditLog, AuditOptions, AuditRecord, GENESIS_PREV, Tamper, VerifyReport,
    anchor_path, read_records, sha256_hex, verify,
};

fn days_ago(days: i64) -> String {
    let t = time::OffsetDateTime::now_utc() - time::Duration::days(days);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Write a valid chain whose records have the given ages (in days), as an older cowork would have.
fn write_aged_log(path: &Path, ages: &[i64]) -> Vec<String> {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut prev = GENESIS_PREV.to_string();
    let mut lines = Vec::new();
    for (i, age) in ages.iter().enumerate() {
        let r = AuditRecord {
            seq: i as u64 + 1,
            ts: days_ago(*age),
            prev: prev.clone(),
            kind: AuditKind::ActionExecuted,
            user: "alice".into(),
            session: "s-old".into(),
            task: Some("t-old".into()),
            action: Some(format!("a{i}")),
            tool: None,
            effects: None,
            verdict: None,
            decided_by: None,
            content_sha256: None,
            content: None,
            detail: None,
        };
        let line = serde_json::to_string(&r).unwrap();
        prev = sha256_hex(line.as_bytes());
        lines.push(line);
    }
    write_lines(path, &lines);
    lines
}

fn keep_days(days: u32) -> AuditOptions {
    AuditOptions {
        include_content: false,
        retention_days: Some(days),
    }
}

#[test]
fn old_records_are_dropped_and_the_rest_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    // Records 1..=6 are older than a year, 7..=10 are recent (9 is "older" again: clocks drift).
    let original = write_aged_log(&path, &[900, 800, 700, 500, 400, 366, 100, 10, 200, 1]);
    assert!(verify(&path).unwrap().is_intact());

    let log = AuditLog::open(&path, keep_days(365)).unwrap();
    let lines = read_lines(&path);
    assert_eq!(
        lines,
        original[6..].to_vec(),
        "records 1..=6 go, everything from 7 stays verbatim"
    );
    let anchor: Anchor = serde_json::from_slice(&fs::read(anchor_path(&path)).unwrap()).unwrap();
    assert_eq!(
        anchor,
        Anchor {
            first_seq: 7,
            prev: sha256_hex(original[5].as_bytes())
        }
    );

    assert_eq!(log.append(entry(0)).unwrap(), 11);
    drop(log);
    assert_eq!(
        verify(&path).unwrap(),
        VerifyReport::Intact {
            records: 5,
            first_seq: 7,
            last_seq: 11
        }
    );

    // The chain from the anchor is really checked: removing the first kept record is caught.
    let mut lines = read_lines(&path);
    lines.remove(0);
    write_lines(&path, &lines);
    match verify(&path).unwrap() {
        VerifyReport::Broken {
            seq: 7,
            problem: Tamper::Deleted,
            ..
        } => {}
        other => panic!("expected record 7 deleted, got {other:?}"),
    }
}

#[test]
fn nothing_changes_when_no_record_is_old_enough() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let original = write_aged_log(&path, &[30, 20, 10]);
    drop(AuditLog::open(&path, keep_days(365)).unwrap());
    assert_eq!(read_lines(&path), original);
    assert!(!anchor_path(&path).exists());
}

#[test]
fn when_every_record_is_old_the_chain_continues_after_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let original = write_aged_log(&path, &[50, 40, 31]);
    let log = AuditLog::open(&path, keep_days(30)).unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"");
    assert_eq!(
        verify(&path).unwrap(),
        VerifyReport::Intact {
            records: 0,
            first_seq: 4,
            last_seq: 3
        }
    );

    assert_eq!(log.append(entry(1)).unwrap(), 4);
    drop(log);
    let lines = read_lines(&path);
    assert_eq!(
        record(&lines[0])["prev"],
        sha256_hex(original[2].as_bytes()).as_str()
    );
    assert!(verify(&path).unwrap().is_intact());

    // A second retention pass over an anchored log keeps working.
    drop(AuditLog::open(&path, keep_days(30)).unwrap());
    assert_eq!(read_records(&path).unwrap().len(), 1);
    assert!(verify(&path).unwrap().is_intact());
}

#[test]
fn a_retention_interrupted_after_writing_the_anchor_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let original = write_aged_log(&path, &[500, 400, 1, 1]);
    // The anchor for keeping 3..=4 exists, but the log was not replaced yet.
    let anchor = Anchor {
        first_seq: 3,
        prev: sha256_hex(original[1].as_bytes()),
    };
    fs::write(anchor_path(&path), serde_json::to_vec(&anchor).unwrap()).unwrap();
    assert_eq!(
        verify(&path).unwrap(),
        VerifyReport::Intact {
            records: 2,
            first_seq: 3,
            last_seq: 4
        }
    );
    // The next open finishes the job.
    drop(AuditLog::open(&path, keep_days(365)).unwrap());
    assert_eq!(read_lines(&path), original[2..].to_vec());
    assert!(verify(&path).unwrap().is_intact());
}

#[test]
fn a_log_that_is_already_damaged_is_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let mut lines = write_aged_log(&path, &[500, 400, 1]);
    lines[0] = "garbage".into();
    write_lines(&path, &lines);
    // Open succeeds (the end of the log is fine) but leaves the evidence alone.
    drop(AuditLog::open(&path, keep_days(365)).unwrap());
    assert_eq!(read_lines(&path)[0], "garbage");
    assert!(!verify(&path).unwrap().is_intact());
}
