//! Writing, reading back and verifying an untouched log.

mod common;

use std::fs;

use common::{build_log, entry, log_path, read_lines, record};
use cowork_audit::{
    AuditEntry, AuditError, AuditKind, AuditLog, AuditOptions, GENESIS_PREV, Head, VerifyReport,
    head_path, read_records, sha256_hex, verify,
};

#[test]
fn untouched_log_verifies_and_every_prev_is_the_hash_of_the_line_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    build_log(&path, 20);

    assert_eq!(
        verify(&path).unwrap(),
        VerifyReport::Intact {
            records: 20,
            first_seq: 1,
            last_seq: 20
        }
    );
    let lines = read_lines(&path);
    assert_eq!(lines.len(), 20);
    let mut prev = GENESIS_PREV.to_string();
    for (i, line) in lines.iter().enumerate() {
        let r = record(line);
        assert_eq!(r["seq"], i as u64 + 1);
        assert_eq!(r["prev"], prev.as_str());
        prev = sha256_hex(line.as_bytes());
    }
    let head: Head = serde_json::from_slice(&fs::read(head_path(&path)).unwrap()).unwrap();
    assert_eq!(
        head,
        Head {
            seq: 20,
            sha256: prev
        }
    );
}

#[test]
fn records_have_the_stable_fields_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let log = AuditLog::open(&path, AuditOptions::default()).unwrap();
    log.append(AuditEntry::new(AuditKind::SessionStarted, "alice", "s-1"))
        .unwrap();
    log.append(entry(3)).unwrap();
    drop(log);
    let lines = read_lines(&path);

    // Fields that are absent are written as null (same shape on every line), except content/detail.
    let bare = &lines[0];
    let keys = [
        "seq",
        "ts",
        "prev",
        "kind",
        "user",
        "session",
        "task",
        "action",
        "tool",
        "effects",
        "verdict",
        "decided_by",
        "content_sha256",
    ];
    let mut at = 0;
    for key in keys {
        let found = bare[at..]
            .find(&format!("\"{key}\":"))
            .unwrap_or_else(|| panic!("{key} missing or out of order in {bare}"));
        at += found;
    }
    assert!(
        !bare.contains("\"content\":") && !bare.contains("\"detail\":"),
        "{bare}"
    );
    let r = record(bare);
    assert_eq!(r["kind"], "session_started");
    assert!(r["task"].is_null());

    // ts is RFC 3339 UTC with milliseconds.
    let ts = r["ts"].as_str().unwrap();
    assert_eq!(ts.len(), "2026-11-22T01:30:50.123Z".len(), "{ts}");
    assert!(ts.ends_with('Z') && ts.as_bytes()[19] == b'.', "{ts}");

    let full = record(&lines[1]);
    assert_eq!(full["kind"], "action_decided");
    assert_eq!(full["verdict"]["decision"], "ask");
    assert_eq!(full["verdict"]["principles"][0], "C2 reversibility");
    assert_eq!(full["decided_by"], "user");
    assert_eq!(full["effects"][0]["effect"], "create");
    assert_eq!(full["detail"]["step"], 3);
}

#[test]
fn content_is_hashed_unless_include_content_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "salary of Bob: 123456";
    let expected_hash = sha256_hex(secret.as_bytes());

    let hashed = dir.path().join("hashed.jsonl");
    let log = AuditLog::open(&hashed, AuditOptions::default()).unwrap();
    log.append(entry(0).with_content(secret)).unwrap();
    drop(log);
    let text = fs::read_to_string(&hashed).unwrap();
    assert!(!text.contains("salary"), "content leaked: {text}");
    let r = record(text.trim_end());
    assert_eq!(r["content_sha256"], expected_hash.as_str());
    assert!(r.get("content").is_none());

    let verbatim = dir.path().join("verbatim.jsonl");
    let opts = AuditOptions {
        include_content: true,
        retention_days: None,
    };
    let log = AuditLog::open(&verbatim, opts).unwrap();
    log.append(entry(0).with_content(secret)).unwrap();
    log.append(AuditEntry::new(AuditKind::TaskFinished, "alice", "s-1"))
        .unwrap();
    drop(log);
    let records = read_records(&verbatim).unwrap();
    assert_eq!(records[0].content.as_deref(), Some(secret));
    assert_eq!(
        records[0].content_sha256.as_deref(),
        Some(expected_hash.as_str())
    );
    assert_eq!(records[1].content, None);
    assert_eq!(records[1].content_sha256, None);
    assert!(verify(&verbatim).unwrap().is_intact());
}

#[test]
fn reopening_continues_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    build_log(&path, 5);
    let log = AuditLog::open(&path, AuditOptions::default()).unwrap();
    assert_eq!(log.path(), path.as_path());
    assert_eq!(log.append(entry(5)).unwrap(), 6);
    assert_eq!(log.append(entry(6)).unwrap(), 7);
    drop(log);

    let lines = read_lines(&path);
    assert_eq!(
        record(&lines[5])["prev"],
        sha256_hex(lines[4].as_bytes()).as_str()
    );
    assert_eq!(
        verify(&path).unwrap(),
        VerifyReport::Intact {
            records: 7,
            first_seq: 1,
            last_seq: 7
        }
    );
}

#[test]
fn a_large_last_record_is_found_when_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let opts = AuditOptions {
        include_content: true,
        retention_days: None,
    };
    let log = AuditLog::open(&path, opts.clone()).unwrap();
    log.append(entry(0)).unwrap();
    log.append(entry(1).with_content("x".repeat(200_000)))
        .unwrap();
    drop(log);
    let log = AuditLog::open(&path, opts).unwrap();
    assert_eq!(log.append(entry(2)).unwrap(), 3);
    drop(log);
    assert!(verify(&path).unwrap().is_intact());
}

#[test]
fn the_log_and_its_directory_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    build_log(&path, 1);
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&head_path(&path)), 0o600);
}

#[test]
fn empty_and_missing_logs() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    match verify(&path) {
        Err(AuditError::Missing { path: p }) => assert_eq!(p, path),
        other => panic!("expected Missing, got {other:?}"),
    }
    let err = read_records(&path).unwrap_err();
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );

    drop(AuditLog::open(&path, AuditOptions::default()).unwrap());
    assert_eq!(
        verify(&path).unwrap(),
        VerifyReport::Intact {
            records: 0,
            first_seq: 1,
            last_seq: 0
        }
    );
    assert!(read_records(&path).unwrap().is_empty());
}

#[test]
fn errors_name_the_file_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the audit directory should be.
    let blocker = dir.path().join("audit");
    fs::write(&blocker, "not a directory").unwrap();
    let err = AuditLog::open(&blocker.join("audit.jsonl"), AuditOptions::default())
        .err()
        .unwrap();
    let msg = err.to_string();
    assert!(matches!(err, AuditError::Io { .. }), "{err:?}");
    assert!(
        msg.contains(&blocker.display().to_string()) && msg.contains("check"),
        "{msg}"
    );
}

#[test]
fn default_path_follows_xdg() {
    let path = cowork_audit::default_audit_path();
    assert!(
        path.ends_with("cowork/audit/audit.jsonl"),
        "{}",
        path.display()
    );
    assert!(path.is_absolute(), "{}", path.display());

    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        cowork_audit::resolve_audit_path(dir.path()),
        dir.path().join("audit.jsonl")
    );
    let file = dir.path().join("x.jsonl");
    assert_eq!(cowork_audit::resolve_audit_path(&file), file);
    let new_dir = dir.path().join("logs");
    assert_eq!(
        cowork_audit::resolve_audit_path(&new_dir),
        new_dir.join("audit.jsonl")
    );
}

#[test]
fn a_head_lagging_behind_the_log_still_verifies_but_must_match() {
    // A process that crashed before its last head write leaves an older head behind.
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    build_log(&path, 5);
    let old_head = fs::read(head_path(&path)).unwrap();
    let log = AuditLog::open(&path, AuditOptions::default()).unwrap();
    for i in 5..10 {
        log.append(entry(i)).unwrap();
    }
    drop(log);
    fs::write(head_path(&path), &old_head).unwrap();
    assert!(verify(&path).unwrap().is_intact());
    let log = AuditLog::open(&path, AuditOptions::default()).unwrap();
    assert_eq!(log.append(entry(10)).unwrap(), 11);
    drop(log);
    assert!(verify(&path).unwrap().is_intact());

    // A head that names a record which is not the one in the log shows the record was replaced.
    let forged = Head {
        seq: 5,
        sha256: sha256_hex(b"something else"),
    };
    fs::write(head_path(&path), serde_json::to_vec(&forged).unwrap()).unwrap();
    match verify(&path).unwrap() {
        VerifyReport::Broken {
            seq: 5,
            problem: cowork_audit::Tamper::Edited,
            ..
        } => {}
        other => panic!("expected record 5 edited, got {other:?}"),
    }
}

#[test]
fn sync_writes_the_head_before_drop() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let log = AuditLog::open(&path, AuditOptions::default()).unwrap();
    for i in 0..3 {
        log.append(entry(i)).unwrap();
    }
    log.sync().unwrap();
    let head: Head = serde_json::from_slice(&fs::read(head_path(&path)).unwrap()).unwrap();
    assert_eq!(head.seq, 3);
    assert!(verify(&path).unwrap().is_intact());
}
