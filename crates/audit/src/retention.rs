//! Retention: drop records older than `retention_days`, keeping the rest verifiable.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::Path;

use serde::Deserialize;
use time::OffsetDateTime;

use crate::AuditError;
use crate::files::{self, Anchor};
use crate::lines;
use crate::record::{parse_ts, sha256_hex};

/// The fields retention needs from a record.
#[derive(Deserialize)]
struct Stamp {
    seq: u64,
    ts: String,
    prev: String,
}

enum Scan {
    /// Nothing to do, or something we should not touch (see `apply`).
    Leave,
    /// Keep the log from byte `offset`; the first kept record is `first_seq` with `prev`.
    KeepFrom { offset: u64, anchor: Anchor },
}

/// Remove the records older than `days` from the log at `log` (currently `len` bytes), which
/// the caller holds locked. Returns whether the log was replaced.
///
/// The oldest records are dropped up to the first one that is recent enough; anything after it
/// is kept even if older (clocks go backwards). The log is left alone when its beginning cannot be
/// read as records: rewriting it would erase the evidence `verify` must report.
///
/// Order matters for a crash in between: the anchor is written (durably) first, then the log is
/// replaced; `verify` skips leading records older than the anchor, so both states verify.
pub(crate) fn apply(
    log: &Path,
    anchor_path: &Path,
    days: u32,
    len: u64,
) -> Result<bool, AuditError> {
    if len == 0 {
        return Ok(false);
    }
    let cutoff = OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
    let file = File::open(log).map_err(|e| AuditError::io("read", log, e))?;
    let (offset, anchor) =
        match scan(file, cutoff, len).map_err(|e| AuditError::io("read", log, e))? {
            Scan::Leave => return Ok(false),
            Scan::KeepFrom { offset, anchor } => (offset, anchor),
        };
    files::write_json(anchor_path, &anchor, true)?;
    let mut source = File::open(log).map_err(|e| AuditError::io("read", log, e))?;
    source
        .seek(SeekFrom::Start(offset))
        .map_err(|e| AuditError::io("read", log, e))?;
    files::write_atomic(
        log,
        |dest| io::copy(&mut (&mut source).take(len - offset), dest).map(drop),
        true,
    )?;
    Ok(true)
}

fn scan(file: File, cutoff: OffsetDateTime, len: u64) -> io::Result<Scan> {
    let mut offset = 0u64;
    let mut last: Option<(u64, String)> = None;
    let mut outcome: Option<Scan> = None;
    lines::for_each_line(file, |line| {
        let stamp = if line.complete {
            serde_json::from_slice::<Stamp>(&line.bytes).ok()
        } else {
            None
        };
        let Some((stamp, time)) = stamp.and_then(|s| parse_ts(&s.ts).map(|t| (s, t))) else {
            outcome = Some(Scan::Leave);
            return ControlFlow::Break(());
        };
        if time >= cutoff {
            outcome = Some(if offset == 0 {
                Scan::Leave
            } else {
                Scan::KeepFrom {
                    offset,
                    anchor: Anchor {
                        first_seq: stamp.seq,
                        prev: stamp.prev,
                    },
                }
            });
            return ControlFlow::Break(());
        }
        offset += line.bytes.len() as u64 + 1;
        last = Some((stamp.seq, sha256_hex(&line.bytes)));
        ControlFlow::Continue(())
    })?;
    Ok(match (outcome, last) {
        (Some(scan), _) => scan,
        // Every record is old: the log becomes empty and the chain continues after the last one.
        (None, Some((seq, hash))) if offset == len => Scan::KeepFrom {
            offset,
            anchor: Anchor {
                first_seq: seq + 1,
                prev: hash,
            },
        },
        // The file grew or shrank under us despite the lock: do nothing rather than guess.
        (None, _) => Scan::Leave,
    })
}
