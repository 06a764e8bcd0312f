//! Several writers on one log — threads sharing a handle, separate handles, separate processes —
//! keep one valid chain.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;

use common::{entry, log_path, read_lines, write_lines};
use cowork_audit::{
    AuditKind, AuditLog, AuditOptions, AuditRecord, GENESIS_PREV, VerifyReport, read_records,
    sha256_hex, verify,
};

fn assert_intact(path: &std::path::Path, records: u64) {
    assert_eq!(
        verify(path).unwrap(),
        VerifyReport::Intact {
            records,
            first_seq: 1,
            last_seq: records
        }
    );
}

#[test]
fn two_threads_sharing_one_log_keep_a_valid_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let log = Arc::new(AuditLog::open(&path, AuditOptions::default()).unwrap());
    let workers: Vec<_> = (0..2)
        .map(|t| {
            let log = Arc::clone(&log);
            thread::spawn(move || {
                (0..500)
                    .map(|i| log.append(entry(t * 1000 + i)).unwrap())
                    .collect::<Vec<u64>>()
            })
        })
        .collect();
    let mut seqs = BTreeSet::new();
    for w in workers {
        for seq in w.join().unwrap() {
            assert!(seqs.insert(seq), "seq {seq} handed out twice");
        }
    }
    assert_eq!(seqs, (1..=1000).collect());
    drop(log);
    assert_intact(&path, 1000);
}

#[test]
fn two_handles_on_the_same_file_keep_a_valid_chain() {
    // Separate opens behave like separate processes: separate file descriptions and locks.
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let a = AuditLog::open(&path, AuditOptions::default()).unwrap();
    let b = AuditLog::open(&path, AuditOptions::default()).unwrap();
    thread::scope(|s| {
        for log in [&a, &b] {
            s.spawn(move || {
                for i in 0..300 {
                    log.append(entry(i)).unwrap();
                }
            });
        }
    });
    drop(a);
    drop(b);
    assert_intact(&path, 600);
}

const CHILD_ENV: &str = "COWORK_AUDIT_TEST_CHILD_LOG";
const CHILD_RECORDS: usize = 1000;

/// Does nothing in a normal run; when started by `separate_processes_keep_a_valid_chain` it is
/// one of the writing processes.
#[test]
fn child_process_writer() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let log = AuditLog::open(&PathBuf::from(path), AuditOptions::default()).unwrap();
    for i in 0..CHILD_RECORDS {
        log.append(entry(i)).unwrap();
    }
    log.close().unwrap();
}

#[test]
fn separate_processes_keep_a_valid_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_process_writer",
                    "--test-threads=1",
                    "--quiet",
                ])
                .env(CHILD_ENV, &path)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    // And this process writes at the same time.
    let log = AuditLog::open(&path, AuditOptions::default()).unwrap();
    for i in 0..CHILD_RECORDS {
        log.append(entry(i)).unwrap();
    }
    log.close().unwrap();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_intact(&path, 3 * CHILD_RECORDS as u64);
    assert_eq!(read_records(&path).unwrap().len(), 3 * CHILD_RECORDS);
}

#[test]
fn a_writer_follows_the_log_when_another_process_applies_retention() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    // Record 1 is two years old, record 2 is recent.
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut prev = GENESIS_PREV.to_string();
    let mut lines = Vec::new();
    for (seq, age) in [(1u64, 730i64), (2, 1)] {
        let ts = (time::OffsetDateTime::now_utc() - time::Duration::days(age))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let r = AuditRecord {
            seq,
            ts,
            prev: prev.clone(),
            kind: AuditKind::SessionStarted,
            user: "alice".into(),
            session: "s".into(),
            task: None,
            action: None,
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
    write_lines(&path, &lines);

    let running = AuditLog::open(&path, AuditOptions::default()).unwrap();
    assert_eq!(running.append(entry(0)).unwrap(), 3);
    let retaining = AuditLog::open(
        &path,
        AuditOptions {
            include_content: false,
            retention_days: Some(365),
        },
    )
    .unwrap();
    assert_eq!(read_lines(&path).len(), 2, "record 1 removed");
    assert_eq!(retaining.append(entry(1)).unwrap(), 4);
    // The first writer must append to the new file, after record 4.
    assert_eq!(running.append(entry(2)).unwrap(), 5);
    drop(running);
    drop(retaining);
    assert_eq!(
        verify(&path).unwrap(),
        VerifyReport::Intact {
            records: 4,
            first_seq: 2,
            last_seq: 5
        }
    );
}
