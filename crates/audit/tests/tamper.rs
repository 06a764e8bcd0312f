//! Tampering with each record of a 20-record log, one at a time: verify must name that record
//! and the kind of tampering, and opening the log must refuse to bury the damage.

mod common;

use std::fs;
use std::path::Path;

use common::{build_log, log_path, read_lines, record, write_lines};
use cowork_audit::{AuditError, AuditLog, AuditOptions, Tamper, VerifyReport, head_path, verify};

const N: usize = 20;

/// A fresh 20-record log in its own temp dir, with its lines.
fn fresh() -> (tempfile::TempDir, std::path::PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    build_log(&path, N);
    let lines = read_lines(&path);
    (dir, path, lines)
}

#[track_caller]
fn assert_broken(path: &Path, seq: u64, problem: Tamper, case: &str) {
    match verify(path).unwrap() {
        VerifyReport::Broken {
            seq: s,
            problem: p,
            detail,
        } => {
            assert_eq!((s, p), (seq, problem), "{case}: detail = {detail}");
            assert!(!detail.is_empty());
        }
        intact => panic!("{case}: expected broken at {seq} ({problem}), got {intact:?}"),
    }
}

/// Opening a damaged log must fail (naming the log) rather than append after the damage.
#[track_caller]
fn assert_open_refuses(path: &Path, case: &str) {
    match AuditLog::open(path, AuditOptions::default()) {
        Err(err @ AuditError::Tampered { .. }) => {
            assert!(
                err.to_string().contains("cowork audit verify"),
                "{case}: {err}"
            );
        }
        Err(other) => panic!("{case}: expected Tampered, got {other:?}"),
        Ok(_) => panic!("{case}: open accepted a damaged log"),
    }
}

#[test]
fn editing_any_record_content_is_named() {
    for k in 1..=N {
        let (_dir, path, mut lines) = fresh();
        // Change one byte of a value; the JSON stays valid and the seq intact.
        let edited = lines[k - 1].replacen("\"user\":\"alice\"", "\"user\":\"alicf\"", 1);
        assert_ne!(edited, lines[k - 1]);
        lines[k - 1] = edited;
        write_lines(&path, &lines);
        assert_broken(
            &path,
            k as u64,
            Tamper::Edited,
            &format!("edit content of {k}"),
        );
        if k == N {
            assert_open_refuses(&path, "edit last");
        }
    }
}

#[test]
fn editing_any_record_prev_field_is_named() {
    for k in 1..=N {
        let (_dir, path, mut lines) = fresh();
        let at = lines[k - 1].find("\"prev\":\"").unwrap() + "\"prev\":\"".len();
        let mut bytes = lines[k - 1].clone().into_bytes();
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        lines[k - 1] = String::from_utf8(bytes).unwrap();
        write_lines(&path, &lines);
        assert_broken(
            &path,
            k as u64,
            Tamper::Edited,
            &format!("edit prev of {k}"),
        );
    }
}

#[test]
fn deleting_any_record_is_named() {
    for k in 1..=N {
        let (_dir, path, mut lines) = fresh();
        lines.remove(k - 1);
        write_lines(&path, &lines);
        // Removing the last record is indistinguishable from cutting the end off: the head
        // file reports it as truncated.
        let expected = if k == N {
            Tamper::Truncated
        } else {
            Tamper::Deleted
        };
        assert_broken(&path, k as u64, expected, &format!("delete {k}"));
    }
}

#[test]
fn deleting_several_records_names_the_first() {
    let (_dir, path, mut lines) = fresh();
    lines.drain(4..8); // records 5..=8
    write_lines(&path, &lines);
    assert_broken(&path, 5, Tamper::Deleted, "delete 5..=8");
}

#[test]
fn swapping_any_record_with_its_neighbour_is_named() {
    for k in 1..=N {
        let (_dir, path, mut lines) = fresh();
        let other = if k < N { k + 1 } else { k - 1 };
        lines.swap(k - 1, other - 1);
        write_lines(&path, &lines);
        assert_broken(
            &path,
            k.min(other) as u64,
            Tamper::Reordered,
            &format!("swap {k} and {other}"),
        );
    }
}

#[test]
fn moving_any_record_to_the_end_is_named() {
    for k in 1..N {
        let (_dir, path, mut lines) = fresh();
        let moved = lines.remove(k - 1);
        lines.push(moved);
        write_lines(&path, &lines);
        assert_broken(
            &path,
            k as u64,
            Tamper::Reordered,
            &format!("move {k} to the end"),
        );
    }
}

#[test]
fn a_repeated_record_is_reported_as_out_of_order() {
    let (_dir, path, mut lines) = fresh();
    let copy = lines[6].clone(); // record 7
    lines.insert(7, copy);
    write_lines(&path, &lines);
    assert_broken(&path, 7, Tamper::Reordered, "record 7 twice");
}

#[test]
fn cutting_the_log_in_the_middle_of_any_record_is_named() {
    for k in 1..=N {
        let (_dir, path, lines) = fresh();
        let mut text = String::new();
        for l in &lines[..k - 1] {
            text.push_str(l);
            text.push('\n');
        }
        text.push_str(&lines[k - 1][..lines[k - 1].len() / 2]);
        fs::write(&path, text).unwrap();
        assert_broken(
            &path,
            k as u64,
            Tamper::Truncated,
            &format!("cut inside {k}"),
        );
        assert_open_refuses(&path, &format!("cut inside {k}"));
        // Without the head file the cut is still visible.
        fs::remove_file(head_path(&path)).unwrap();
        assert_broken(
            &path,
            k as u64,
            Tamper::Truncated,
            &format!("cut inside {k}, no head"),
        );
    }
}

#[test]
fn removing_the_records_from_any_one_to_the_end_is_named() {
    for k in 1..=N {
        let (_dir, path, lines) = fresh();
        write_lines(&path, &lines[..k - 1]);
        assert_broken(&path, k as u64, Tamper::Truncated, &format!("drop {k}.."));
        assert_open_refuses(&path, &format!("drop {k}.."));
    }
}

#[test]
fn deleting_the_whole_log_but_not_its_head_is_truncation() {
    let (_dir, path, _) = fresh();
    fs::remove_file(&path).unwrap();
    assert_broken(&path, 1, Tamper::Truncated, "log removed");
    assert_open_refuses(&path, "log removed");
}

#[test]
fn an_unparsable_line_is_malformed() {
    for k in [1, 10, N] {
        let (_dir, path, mut lines) = fresh();
        lines[k - 1] = "this is not json".into();
        write_lines(&path, &lines);
        assert_broken(
            &path,
            k as u64,
            Tamper::Malformed,
            &format!("garbage at {k}"),
        );
    }
}

#[test]
fn without_a_head_file_the_chain_is_still_checked() {
    let (_dir, path, mut lines) = fresh();
    fs::remove_file(head_path(&path)).unwrap();
    assert!(verify(&path).unwrap().is_intact());
    // Documented limitation: whole trailing records removed go unnoticed without the head.
    write_lines(&path, &lines[..15]);
    assert!(verify(&path).unwrap().is_intact());
    // But anything inside the chain is still caught.
    lines.remove(3);
    write_lines(&path, &lines);
    assert_broken(&path, 4, Tamper::Deleted, "delete 4, no head");
}

#[test]
fn a_damaged_head_file_is_reported() {
    let (_dir, path, _) = fresh();
    fs::write(head_path(&path), "{ not json").unwrap();
    assert_broken(&path, N as u64, Tamper::Malformed, "bad head");
}

#[test]
fn a_forged_tail_that_rewrites_the_last_record_is_caught_by_the_head() {
    let (_dir, path, mut lines) = fresh();
    // Re-chained forgery of the last record: its prev is right, its content is not.
    let mut r = record(&lines[N - 1]);
    r["user"] = "mallory".into();
    lines[N - 1] = serde_json::to_string(&r).unwrap();
    write_lines(&path, &lines);
    assert_broken(&path, N as u64, Tamper::Edited, "forged last");
}
