//! `cowork audit show` and `cowork audit export`: reading records back out.

use std::fs::File;
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::path::Path;

use cowork_protocol::{DecidedBy, VerdictDecision};

use crate::AuditError;
use crate::lines;
use crate::record::AuditRecord;

/// Every record of the log at `path`, in file order. Does not check the chain (use
/// [`verify`](crate::verify)); fails on the first line that is not a record.
pub fn read_records(path: &Path) -> Result<Vec<AuditRecord>, AuditError> {
    let file = File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => AuditError::Missing {
            path: path.to_path_buf(),
        },
        _ => AuditError::io("read", path, e),
    })?;
    let mut records = Vec::new();
    let mut failure = None;
    let mut line_no = 0u64;
    lines::for_each_line(file, |line| {
        line_no += 1;
        let parsed = if line.complete {
            serde_json::from_slice::<AuditRecord>(&line.bytes).map_err(|e| e.to_string())
        } else {
            Err(
                "the line has no newline: the log was cut off in the middle of a record"
                    .to_string(),
            )
        };
        match parsed {
            Ok(record) => {
                records.push(record);
                ControlFlow::Continue(())
            }
            Err(detail) => {
                failure = Some(detail);
                ControlFlow::Break(())
            }
        }
    })
    .map_err(|e| AuditError::io("read", path, e))?;
    match failure {
        Some(detail) => Err(AuditError::Malformed {
            path: path.to_path_buf(),
            line: line_no,
            detail,
        }),
        None => Ok(records),
    }
}

/// Column names of [`export_csv`], in order.
pub const CSV_COLUMNS: &[&str] = &[
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
    "rules",
    "principles",
    "decided_by",
    "content_sha256",
    "content",
    "detail",
];

/// Write `records` as CSV (RFC 4180, header row first; `cowork audit export --format csv`).
///
/// Lists are joined with `; ` (effects in their readable form, principles by code), `detail` is
/// its JSON. Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
/// tab or carriage return) are prefixed with `'`: content comes from models and documents and
/// must not execute when an auditor opens the export.
pub fn export_csv(records: &[AuditRecord], mut w: impl Write) -> io::Result<()> {
    write_row(&mut w, CSV_COLUMNS.iter().map(|c| c.to_string()))?;
    for r in records {
        let verdict = r.verdict.as_ref();
        let cells = [
            r.seq.to_string(),
            r.ts.clone(),
            r.prev.clone(),
            r.kind.as_str().to_string(),
            r.user.clone(),
            r.session.clone(),
            r.task.clone().unwrap_or_default(),
            r.action.clone().unwrap_or_default(),
            r.tool.clone().unwrap_or_default(),
            r.effects
                .as_ref()
                .map(|effects| {
                    effects
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default(),
            verdict
                .map(|v| verdict_name(v.decision).to_string())
                .unwrap_or_default(),
            verdict.map(|v| v.rules.join("; ")).unwrap_or_default(),
            verdict
                .map(|v| {
                    v.principles
                        .iter()
                        .map(|p| p.code())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default(),
            r.decided_by
                .map(|d| decided_by_name(d).to_string())
                .unwrap_or_default(),
            r.content_sha256.clone().unwrap_or_default(),
            r.content.clone().unwrap_or_default(),
            r.detail.as_ref().map(|d| d.to_string()).unwrap_or_default(),
        ];
        write_row(&mut w, cells.into_iter())?;
    }
    w.flush()
}

fn write_row(w: &mut impl Write, cells: impl Iterator<Item = String>) -> io::Result<()> {
    let mut first = true;
    for cell in cells {
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        w.write_all(csv_cell(&cell).as_bytes())?;
    }
    w.write_all(b"\r\n")
}

fn csv_cell(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn verdict_name(d: VerdictDecision) -> &'static str {
    match d {
        VerdictDecision::Allow => "allow",
        VerdictDecision::Ask => "ask",
        VerdictDecision::Deny => "deny",
    }
}

fn decided_by_name(d: DecidedBy) -> &'static str {
    match d {
        DecidedBy::Policy => "policy",
        DecidedBy::User => "user",
        DecidedBy::Grant => "grant",
        DecidedBy::Mode => "mode",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\"\nbye"), "\"say \"\"hi\"\"\nbye\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_cell("-1,2"), "\"'-1,2\"");
    }
}
