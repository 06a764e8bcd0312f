//! The record format (DESIGN.md §7, stable): what callers fill in and what one log line holds.

use std::fmt;

use cowork_protocol::{DecidedBy, Effect, Verdict};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// `prev` of the first record of a chain that has no anchor.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a record is about (stable names, DESIGN.md §7).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    SessionStarted,
    PolicyLoaded,
    ActionProposed,
    ActionDecided,
    ActionExecuted,
    ActionFailed,
    ActionSkipped,
    ActionUndone,
    TaskFinished,
}

impl AuditKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [AuditKind] = &[
        AuditKind::SessionStarted,
        AuditKind::PolicyLoaded,
        AuditKind::ActionProposed,
        AuditKind::ActionDecided,
        AuditKind::ActionExecuted,
        AuditKind::ActionFailed,
        AuditKind::ActionSkipped,
        AuditKind::ActionUndone,
        AuditKind::TaskFinished,
    ];

    /// The stable name used in the log, e.g. `action_decided`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::SessionStarted => "session_started",
            AuditKind::PolicyLoaded => "policy_loaded",
            AuditKind::ActionProposed => "action_proposed",
            AuditKind::ActionDecided => "action_decided",
            AuditKind::ActionExecuted => "action_executed",
            AuditKind::ActionFailed => "action_failed",
            AuditKind::ActionSkipped => "action_skipped",
            AuditKind::ActionUndone => "action_undone",
            AuditKind::TaskFinished => "task_finished",
        }
    }
}

impl fmt::Display for AuditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the caller fills in; `seq`, `ts` and `prev` are assigned by the log.
///
/// `Default` gives a `session_started` entry with empty ids so that
/// `AuditEntry { kind, user, session, ..Default::default() }` works; always set `kind`.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    pub kind: AuditKind,
    pub user: String,
    pub session: String,
    pub task: Option<String>,
    pub action: Option<String>,
    pub tool: Option<String>,
    pub effects: Option<Vec<Effect>>,
    pub verdict: Option<Verdict>,
    pub decided_by: Option<DecidedBy>,
    /// Content involved (tool input / output text). Recorded verbatim only when
    /// `include_content = true`; otherwise only its SHA-256 goes into `content_sha256`.
    pub content: Option<String>,
    /// Extra structured facts (reason for a rejection, error message, decision, summary) —
    /// never file content.
    pub detail: Option<serde_json::Value>,
}

impl Default for AuditEntry {
    fn default() -> Self {
        AuditEntry::new(AuditKind::SessionStarted, "", "")
    }
}

impl AuditEntry {
    /// An entry with only the required fields set.
    pub fn new(kind: AuditKind, user: impl Into<String>, session: impl Into<String>) -> Self {
        AuditEntry {
            kind,
            user: user.into(),
            session: session.into(),
            task: None,
            action: None,
            tool: None,
            effects: None,
            verdict: None,
            decided_by: None,
            content: None,
            detail: None,
        }
    }

    pub fn with_task(mut self, task: impl Into<String>) -> Self {
        self.task = Some(task.into());
        self
    }

    pub fn with_action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    pub fn with_tool(mut self, tool: impl Into<String>) -> Self {
        self.tool = Some(tool.into());
        self
    }

    pub fn with_effects(mut self, effects: Vec<Effect>) -> Self {
        self.effects = Some(effects);
        self
    }

    pub fn with_verdict(mut self, verdict: Verdict) -> Self {
        self.verdict = Some(verdict);
        self
    }

    pub fn with_decided_by(mut self, decided_by: DecidedBy) -> Self {
        self.decided_by = Some(decided_by);
        self
    }

    pub fn with_content(mut self, content: impl Into<String>) -> Self {
        self.content = Some(content.into());
        self
    }

    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// One line of the log. Field names and order are stable (DESIGN.md §7): the fields that may be
/// absent are still written as `null` so every line has the same shape, except `content` and
/// `detail`, which appear only when present.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct AuditRecord {
    pub seq: u64,
    /// RFC 3339 UTC with milliseconds, e.g. `2026-11-22T01:30:50.123Z`.
    pub ts: String,
    /// Lowercase hex SHA-256 of the previous line's bytes (without its newline).
    pub prev: String,
    pub kind: AuditKind,
    pub user: String,
    pub session: String,
    pub task: Option<String>,
    pub action: Option<String>,
    pub tool: Option<String>,
    pub effects: Option<Vec<Effect>>,
    pub verdict: Option<Verdict>,
    pub decided_by: Option<DecidedBy>,
    pub content_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

impl AuditRecord {
    /// Turn a caller's entry into a record, hashing (and unless `include_content`, dropping)
    /// its content.
    pub(crate) fn from_entry(
        entry: AuditEntry,
        seq: u64,
        ts: String,
        prev: String,
        include_content: bool,
    ) -> AuditRecord {
        let content_sha256 = entry.content.as_deref().map(|c| sha256_hex(c.as_bytes()));
        let content = if include_content { entry.content } else { None };
        AuditRecord {
            seq,
            ts,
            prev,
            kind: entry.kind,
            user: entry.user,
            session: entry.session,
            task: entry.task,
            action: entry.action,
            tool: entry.tool,
            effects: entry.effects,
            verdict: entry.verdict,
            decided_by: entry.decided_by,
            content_sha256,
            content,
            detail: entry.detail,
        }
    }

    /// The record's time, if `ts` is valid RFC 3339.
    pub fn time(&self) -> Option<OffsetDateTime> {
        parse_ts(&self.ts)
    }
}

/// Lowercase hex SHA-256 of `bytes` — the hash used for `prev`, `content_sha256` and the head.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Now, as RFC 3339 UTC with milliseconds.
pub(crate) fn now_ts() -> String {
    format_ts(OffsetDateTime::now_utc())
}

pub(crate) fn format_ts(t: OffsetDateTime) -> String {
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    let t = t.to_offset(time::UtcOffset::UTC);
    // Formatting a UTC time with a fixed description only fails for years outside 0..=9999;
    // fall back to the full RFC 3339 form rather than losing the record.
    t.format(&fmt)
        .or_else(|_| t.format(&Rfc3339))
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

pub(crate) fn parse_ts(ts: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(ts, &Rfc3339).ok()
}
