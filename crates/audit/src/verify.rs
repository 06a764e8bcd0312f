//! `cowork audit verify`: walk the chain and name the first bad record.

use std::fmt;
use std::fs::File;
use std::io;
use std::ops::ControlFlow;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::AuditError;
use crate::files::{self, Anchor, Head};
use crate::lines;
use crate::record::{AuditRecord, GENESIS_PREV, sha256_hex};

/// Why a log does not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tamper {
    /// A record's bytes changed.
    Edited,
    /// A record is missing from the middle (a gap in `seq`).
    Deleted,
    /// Records are out of order.
    Reordered,
    /// The end of the log is missing: a line cut mid-way, or trailing records removed.
    Truncated,
    /// A line, or the head or anchor file, is not valid.
    Malformed,
}

impl Tamper {
    pub fn as_str(self) -> &'static str {
        match self {
            Tamper::Edited => "edited",
            Tamper::Deleted => "deleted",
            Tamper::Reordered => "reordered",
            Tamper::Truncated => "truncated",
            Tamper::Malformed => "malformed",
        }
    }
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum VerifyReport {
    /// The chain holds. An empty log reports `records: 0` and `last_seq = first_seq - 1`.
    Intact {
        records: u64,
        first_seq: u64,
        last_seq: u64,
    },
    /// The first bad record and what is wrong with it.
    Broken {
        seq: u64,
        problem: Tamper,
        detail: String,
    },
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        matches!(self, VerifyReport::Intact { .. })
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyReport::Intact { records: 0, .. } => f.write_str("intact: the log is empty"),
            VerifyReport::Intact {
                records,
                first_seq,
                last_seq,
            } => {
                write!(f, "intact: {records} records, seq {first_seq}..={last_seq}")
            }
            VerifyReport::Broken {
                seq,
                problem,
                detail,
            } => write!(f, "broken at seq {seq} ({problem}): {detail}"),
        }
    }
}

/// What verify keeps of each line: enough to check the chain without holding the log in memory.
struct LineInfo {
    parsed: Result<(u64, String), String>,
    /// SHA-256 of the line's bytes.
    hash: String,
    complete: bool,
}

/// Check the log at `path` and report the first bad record and why.
///
/// The chain (`prev` of each record = hash of the line before, `seq` without gaps) shows edited,
/// deleted, reordered and malformed records. Removing records from the END keeps the chain
/// intact, so that is detected through the head file `<log>.head`. **If the head file is missing,
/// only the chain is verified: trailing records cut off whole cannot be detected** (a line cut
/// mid-way still is). The head may also lag behind the log while a cowork process is running
/// (see [`HEAD_INTERVAL`](crate::HEAD_INTERVAL)); records after it are then only chain-checked.
///
/// When retention removed old records, the chain starts from the anchor file `<log>.anchor`.
///
/// Which record is blamed for an edit: a changed record k shows as record k+1's `prev` not
/// matching. If record k+1 in turn is confirmed by record k+2 (or by the head), record k is
/// named; otherwise k+1 (its own `prev` field was changed). Without a head file, a change to
/// the last record's `prev` field is blamed on the record before it.
pub fn verify(path: &Path) -> Result<VerifyReport, AuditError> {
    let head = sidecar::<Head>(&files::head_path(path))?;
    let anchor = sidecar::<Anchor>(&files::anchor_path(path))?;
    let lines = match File::open(path) {
        Ok(file) => scan(file).map_err(|e| AuditError::io("read", path, e))?,
        // A head without its log: the whole log was removed, i.e. truncated to nothing.
        Err(e) if e.kind() == io::ErrorKind::NotFound && matches!(head, Ok(Some(_))) => Vec::new(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(AuditError::Missing {
                path: path.to_path_buf(),
            });
        }
        Err(e) => return Err(AuditError::io("read", path, e)),
    };
    let anchor = match anchor {
        Ok(a) => a,
        Err(detail) => {
            return Ok(broken(
                first_seq_in(&lines),
                Tamper::Malformed,
                format!("the anchor file: {detail}"),
            ));
        }
    };
    let head = match head {
        Ok(h) => h,
        Err(detail) => {
            return Ok(broken(
                last_seq_in(&lines),
                Tamper::Malformed,
                format!("the head file: {detail}"),
            ));
        }
    };
    Ok(analyze(&lines, anchor.as_ref(), head.as_ref()))
}

/// Read a sidecar, turning "present but invalid" into a problem to report rather than an error.
fn sidecar<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Result<Option<T>, String>, AuditError> {
    match files::read_json::<T>(path) {
        Ok(v) => Ok(Ok(v)),
        Err(AuditError::BadSidecar { path, detail }) => {
            Ok(Err(format!("{} is not valid: {detail}", path.display())))
        }
        Err(e) => Err(e),
    }
}

fn scan(file: File) -> io::Result<Vec<LineInfo>> {
    let mut lines = Vec::new();
    lines::for_each_line(file, |line| {
        let parsed = serde_json::from_slice::<AuditRecord>(&line.bytes)
            .map(|r| (r.seq, r.prev))
            .map_err(|e| e.to_string());
        lines.push(LineInfo {
            parsed,
            hash: sha256_hex(&line.bytes),
            complete: line.complete,
        });
        ControlFlow::Continue(())
    })?;
    Ok(lines)
}

fn first_seq_in(lines: &[LineInfo]) -> u64 {
    lines
        .iter()
        .find_map(|l| l.parsed.as_ref().ok().map(|(s, _)| *s))
        .unwrap_or(1)
}

fn last_seq_in(lines: &[LineInfo]) -> u64 {
    lines
        .iter()
        .rev()
        .find_map(|l| l.parsed.as_ref().ok().map(|(s, _)| *s))
        .unwrap_or(0)
}

fn broken(seq: u64, problem: Tamper, detail: String) -> VerifyReport {
    VerifyReport::Broken {
        seq,
        problem,
        detail,
    }
}

fn seq_of(line: &LineInfo) -> Option<u64> {
    line.parsed.as_ref().ok().map(|(s, _)| *s)
}

fn analyze(lines: &[LineInfo], anchor: Option<&Anchor>, head: Option<&Head>) -> VerifyReport {
    let (start_seq, start_prev) = match anchor {
        Some(a) if a.first_seq == 0 => {
            return broken(
                0,
                Tamper::Malformed,
                "the anchor file names seq 0; seqs start at 1".into(),
            );
        }
        Some(a) => (a.first_seq, a.prev.as_str()),
        None => (1, GENESIS_PREV),
    };
    // Leading records older than the anchor are what a retention interrupted between writing the
    // anchor and replacing the log left behind; they were due for removal.
    let first = match anchor {
        Some(_) => lines
            .iter()
            .take_while(|l| l.complete && seq_of(l).is_some_and(|s| s < start_seq))
            .count(),
        None => 0,
    };

    let mut expected_seq = start_seq;
    let mut expected_prev = start_prev;
    for (i, line) in lines.iter().enumerate().skip(first) {
        let line_no = i + 1;
        if !line.complete {
            return broken(
                expected_seq,
                Tamper::Truncated,
                format!(
                    "line {line_no} ends without a newline: the log was cut off in the middle of record {expected_seq}"
                ),
            );
        }
        let (seq, prev) = match &line.parsed {
            Ok((seq, prev)) => (*seq, prev.as_str()),
            Err(e) => {
                return broken(
                    expected_seq,
                    Tamper::Malformed,
                    format!("line {line_no} is not a valid audit record: {e}"),
                );
            }
        };
        if seq > expected_seq {
            let moved = lines[i + 1..]
                .iter()
                .any(|l| seq_of(l).is_some_and(|s| s >= expected_seq && s < seq));
            return if moved {
                broken(
                    expected_seq,
                    Tamper::Reordered,
                    format!(
                        "record {expected_seq} is out of place: line {line_no} holds record {seq}, and {expected_seq} comes later"
                    ),
                )
            } else {
                let missing = if seq - expected_seq == 1 {
                    format!("record {expected_seq} is")
                } else {
                    format!("records {expected_seq}..={} are", seq - 1)
                };
                broken(
                    expected_seq,
                    Tamper::Deleted,
                    format!("{missing} missing: line {line_no} jumps to seq {seq}"),
                )
            };
        }
        if seq < expected_seq {
            return broken(
                seq,
                Tamper::Reordered,
                format!(
                    "line {line_no} holds record {seq} after record {}: records are out of order",
                    expected_seq - 1
                ),
            );
        }
        if prev != expected_prev {
            return blame_edit(lines, i, seq, i == first, anchor.is_some(), head);
        }
        expected_prev = &line.hash;
        expected_seq += 1;
    }

    let last_seq = expected_seq - 1;
    if let Some(h) = head {
        if h.seq > last_seq {
            let cut = if h.seq == last_seq + 1 {
                format!("record {}", h.seq)
            } else {
                format!("records {}..={}", last_seq + 1, h.seq)
            };
            return broken(
                last_seq + 1,
                Tamper::Truncated,
                format!(
                    "the head file says the log ends at seq {}, but it ends at seq {last_seq}: {cut} were cut off",
                    h.seq
                ),
            );
        }
        let recorded_hash = if h.seq == last_seq {
            Some(expected_prev)
        } else if h.seq >= start_seq {
            usize::try_from(h.seq - start_seq)
                .ok()
                .and_then(|k| lines.get(first + k))
                .map(|l| l.hash.as_str())
        } else {
            None // the head predates the retained records: nothing to compare
        };
        if recorded_hash.is_some_and(|hash| hash != h.sha256) {
            return broken(
                h.seq,
                Tamper::Edited,
                format!(
                    "record {} differs from the one recorded in the head file",
                    h.seq
                ),
            );
        }
    }
    VerifyReport::Intact {
        records: expected_seq - start_seq,
        first_seq: start_seq,
        last_seq,
    }
}

/// Record `seq` (line index `i`) does not chain to what precedes it: decide whether it or the
/// record before it was changed (see [`verify`]).
fn blame_edit(
    lines: &[LineInfo],
    i: usize,
    seq: u64,
    at_start: bool,
    anchored: bool,
    head: Option<&Head>,
) -> VerifyReport {
    let this = &lines[i];
    // Is this line exactly what the next link in the chain (or the head) says it was?
    let confirmed = match lines.get(i + 1) {
        Some(next) => next
            .parsed
            .as_ref()
            .is_ok_and(|(_, prev)| *prev == this.hash),
        None => head.is_none_or(|h| h.seq != seq || h.sha256 == this.hash),
    };
    match (confirmed, at_start, anchored) {
        (true, true, true) => broken(
            seq,
            Tamper::Edited,
            format!("record {seq}, the first kept by retention, does not match the anchor file"),
        ),
        (true, false, _) => broken(
            seq - 1,
            Tamper::Edited,
            format!(
                "record {} was changed: record {seq}'s prev does not match its hash",
                seq - 1
            ),
        ),
        (false, _, _) | (true, true, false) => broken(
            seq,
            Tamper::Edited,
            format!("record {seq} was changed: its prev does not match the record before it"),
        ),
    }
}
