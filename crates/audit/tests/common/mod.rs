//! Helpers shared by the integration tests: building logs and tampering with them by hand.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use cowork_audit::{AuditEntry, AuditKind, AuditLog, AuditOptions};
use cowork_protocol::{DecidedBy, Effect, Principle, Verdict, VerdictDecision};

pub fn log_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("audit").join("audit.jsonl")
}

/// A realistic entry for the `i`-th step of a task.
pub fn entry(i: usize) -> AuditEntry {
    let kind = AuditKind::ALL[i % AuditKind::ALL.len()];
    AuditEntry::new(kind, "alice", "s-1")
        .with_task("t-1")
        .with_action(format!("a{i}"))
        .with_tool("write_file")
        .with_effects(vec![Effect::Create {
            path: format!("notes/{i}.md"),
            bytes: 10 + i as u64,
        }])
        .with_verdict(Verdict {
            decision: VerdictDecision::Ask,
            rules: vec!["mode.interactive.ask_writes".into()],
            principles: vec![Principle::Reversibility],
            reasons: vec![],
        })
        .with_decided_by(DecidedBy::User)
        .with_content(format!("content of step {i}"))
        .with_detail(serde_json::json!({ "step": i }))
}

/// A closed log of `n` records (seq 1..=n), with its head file written.
pub fn build_log(path: &Path, n: usize) {
    let log = AuditLog::open(path, AuditOptions::default()).unwrap();
    for i in 0..n {
        assert_eq!(log.append(entry(i)).unwrap(), i as u64 + 1);
    }
    log.close().unwrap();
}

/// The log's lines (without newlines).
pub fn read_lines(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    assert!(
        text.ends_with('\n'),
        "a log written by cowork ends with a newline"
    );
    text.lines().map(str::to_string).collect()
}

/// Write `lines` back, each with its newline.
pub fn write_lines(path: &Path, lines: &[String]) {
    let mut text = String::new();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    fs::write(path, text).unwrap();
}

pub fn record(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap()
}
