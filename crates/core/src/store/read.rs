//! Reads: listing, showing, and loading a transcript to resume it.

use cowork_models::{ContentBlock, Message, Role};
use cowork_protocol::{ActionKind, DecidedBy, Usage};
use rusqlite::{OptionalExtension, Row, params};

use super::{
    ActionInfo, ActionStatus, CompactionInfo, SessionDetail, SessionInfo, SessionStore, StoreError,
    StoredMessage, TaskInfo, TaskStatus, process_alive,
};

/// A session's transcript as the model will see it next: the latest compaction's summary (if
/// any) followed by every message recorded after its cut.
pub(crate) struct Loaded {
    pub messages: Vec<Message>,
    /// Store seq of each message; `None` for the compaction summary.
    pub seqs: Vec<Option<i64>>,
    /// The task each message belongs to.
    pub tasks: Vec<Option<String>>,
    pub next_seq: i64,
}

const SESSION_COLUMNS: &str = "s.id, s.created, s.updated, s.roots, s.model, s.user_name, s.title, \
     (SELECT COUNT(*) FROM tasks t WHERE t.session_id = s.id), s.tainted";

const ACTION_COLUMNS: &str = "id, task_id, tool_use_id, tool, input, kind, effects, description, \
     decision, decided_by, grant_id, status, outcome, is_error, provenance, journal";

impl SessionStore {
    /// The id a person typed, or `last` for the most recently active session.
    pub fn resolve(&self, id: &str) -> Result<String, StoreError> {
        let found: Option<String> = if id == "last" {
            self.with(|c| {
                c.query_row(
                    "SELECT id FROM sessions ORDER BY updated DESC, rowid DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()
            })?
        } else {
            self.with(|c| {
                c.query_row("SELECT id FROM sessions WHERE id = ?1", params![id], |r| {
                    r.get(0)
                })
                .optional()
            })?
        };
        match (found, id) {
            (Some(found), _) => Ok(found),
            (None, "last") => Err(StoreError::Empty),
            (None, _) => Err(StoreError::NoSession(id.to_string())),
        }
    }

    /// Every session, most recently active first.
    pub fn list(&self) -> Result<Vec<SessionInfo>, StoreError> {
        let rows = self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions s ORDER BY s.updated DESC, s.rowid DESC"
            ))?;
            let rows = stmt.query_map([], raw_session)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter().map(|raw| self.session_info(raw)).collect()
    }

    pub fn session(&self, id: &str) -> Result<SessionInfo, StoreError> {
        let raw = self.with(|c| {
            c.query_row(
                &format!("SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.id = ?1"),
                params![id],
                raw_session,
            )
            .optional()
        })?;
        let raw = raw.ok_or_else(|| StoreError::NoSession(id.to_string()))?;
        self.session_info(raw)
    }

    /// A session with its tasks, their actions, and its compactions.
    pub fn detail(&self, id: &str) -> Result<SessionDetail, StoreError> {
        let session = self.session(id)?;
        let mut tasks = self.tasks(id)?;
        for action in self.actions(id)? {
            if let Some(task) = tasks.iter_mut().find(|t| t.id == action.task) {
                task.actions.push(action);
            }
        }
        Ok(SessionDetail {
            session,
            tasks,
            compactions: self.compactions(id)?,
        })
    }

    /// The conversation a resumed session continues from.
    pub fn transcript(&self, id: &str) -> Result<Vec<Message>, StoreError> {
        Ok(self.load(id)?.messages)
    }

    /// Every message ever recorded in the session, with its labels — including turns a
    /// compaction replaced, which the model no longer sees.
    pub fn messages(&self, id: &str) -> Result<Vec<StoredMessage>, StoreError> {
        let rows: Vec<(i64, Option<String>, String, String, String)> = self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT seq, task_id, role, content, labels FROM messages WHERE session_id = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            rows.collect()
        })?;
        rows.into_iter()
            .map(|(seq, task, role, content, labels)| {
                Ok(StoredMessage {
                    seq,
                    task,
                    message: self.message(&role, &content)?,
                    labels: serde_json::from_str(&labels)
                        .map_err(|e| self.corrupt("message label", e))?,
                })
            })
            .collect()
    }

    fn message(&self, role: &str, content: &str) -> Result<Message, StoreError> {
        let role = match role {
            "user" => Role::User,
            "assistant" => Role::Assistant,
            other => return Err(self.corrupt("message", format!("unknown role {other}"))),
        };
        let content: Vec<ContentBlock> =
            serde_json::from_str(content).map_err(|e| self.corrupt("message", e))?;
        Ok(Message { role, content })
    }

    pub(crate) fn load(&self, id: &str) -> Result<Loaded, StoreError> {
        let latest: Option<(i64, String)> = self.with(|c| {
            c.query_row(
                "SELECT cut_seq, head FROM compactions WHERE session_id = ?1 ORDER BY rowid DESC LIMIT 1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })?;
        let mut loaded = Loaded {
            messages: Vec::new(),
            seqs: Vec::new(),
            tasks: Vec::new(),
            next_seq: 0,
        };
        let cut = match latest {
            Some((cut, head)) => {
                let head: Message =
                    serde_json::from_str(&head).map_err(|e| self.corrupt("summary", e))?;
                loaded.messages.push(head);
                loaded.seqs.push(None);
                loaded.tasks.push(None);
                cut
            }
            None => 0,
        };
        let rows: Vec<(i64, Option<String>, String, String)> = self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT seq, task_id, role, content FROM messages WHERE session_id = ?1 AND seq >= ?2 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![id, cut], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect()
        })?;
        for (seq, task, role, content) in rows {
            loaded.messages.push(self.message(&role, &content)?);
            loaded.seqs.push(Some(seq));
            loaded.tasks.push(task);
        }
        loaded.next_seq = self.with(|c| {
            c.query_row(
                "SELECT COALESCE(MAX(seq), -1) + 1 FROM messages WHERE session_id = ?1",
                params![id],
                |r| r.get(0),
            )
        })?;
        Ok(loaded)
    }

    /// The latest action a task recorded for a tool call.
    pub(crate) fn action_for(
        &self,
        task: &str,
        tool_use_id: &str,
    ) -> Result<Option<ActionInfo>, StoreError> {
        let raw = self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {ACTION_COLUMNS} FROM actions WHERE task_id = ?1 AND tool_use_id = ?2
                     ORDER BY rowid DESC LIMIT 1"
                ),
                params![task, tool_use_id],
                raw_action,
            )
            .optional()
        })?;
        raw.map(|r| self.action_info(r)).transpose()
    }

    fn tasks(&self, session: &str) -> Result<Vec<TaskInfo>, StoreError> {
        type Raw = (
            String,
            u32,
            String,
            String,
            String,
            Option<u32>,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            [u64; 4],
            Option<f64>,
        );
        let rows: Vec<Raw> = self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT id, seq, text, mode, status, pid, started, finished, stop, summary,
                        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost
                 FROM tasks WHERE session_id = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![session], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    [
                        count(r.get(10)?),
                        count(r.get(11)?),
                        count(r.get(12)?),
                        count(r.get(13)?),
                    ],
                    r.get(14)?,
                ))
            })?;
            rows.collect()
        })?;
        let own = std::process::id();
        rows.into_iter()
            .map(
                |(
                    id,
                    seq,
                    text,
                    mode,
                    status,
                    pid,
                    started,
                    finished,
                    stop,
                    summary,
                    tokens,
                    cost,
                )| {
                    let mut status = TaskStatus::parse(&status)
                        .ok_or_else(|| self.corrupt("task", format!("unknown status {status}")))?;
                    // A task still marked running whose process is gone was interrupted.
                    if status == TaskStatus::Running
                        && pid.is_some_and(|p| p != own && !process_alive(p))
                    {
                        status = TaskStatus::Interrupted;
                    }
                    let stop = stop
                        .map(|s| serde_json::from_str(&s))
                        .transpose()
                        .map_err(|e| self.corrupt("task", e))?;
                    Ok(TaskInfo {
                        id,
                        seq,
                        text,
                        mode,
                        status,
                        started,
                        finished,
                        stop,
                        summary,
                        usage: Usage {
                            input_tokens: tokens[0],
                            output_tokens: tokens[1],
                            cache_read_tokens: tokens[2],
                            cache_write_tokens: tokens[3],
                        },
                        cost,
                        actions: Vec::new(),
                    })
                },
            )
            .collect()
    }

    fn actions(&self, session: &str) -> Result<Vec<ActionInfo>, StoreError> {
        let rows = self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {ACTION_COLUMNS} FROM actions WHERE session_id = ?1 ORDER BY rowid"
            ))?;
            let rows = stmt.query_map(params![session], raw_action)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        rows.into_iter().map(|r| self.action_info(r)).collect()
    }

    fn compactions(&self, session: &str) -> Result<Vec<CompactionInfo>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT task_id, at, summarized, replaced, tokens_before, tokens_after, note
                 FROM compactions WHERE session_id = ?1 ORDER BY rowid",
            )?;
            let rows = stmt.query_map(params![session], |r| {
                Ok(CompactionInfo {
                    task: r.get(0)?,
                    at: r.get(1)?,
                    summarized: r.get(2)?,
                    replaced: r.get(3)?,
                    tokens_before: count(r.get(4)?),
                    tokens_after: count(r.get(5)?),
                    note: r.get(6)?,
                })
            })?;
            rows.collect()
        })
    }

    fn session_info(&self, raw: RawSession) -> Result<SessionInfo, StoreError> {
        let roots = serde_json::from_str(&raw.roots).map_err(|e| self.corrupt("session", e))?;
        Ok(SessionInfo {
            id: raw.id,
            created: raw.created,
            updated: raw.updated,
            roots,
            model: raw.model,
            user: raw.user,
            title: raw.title,
            tasks: raw.tasks,
            tainted: raw.tainted,
        })
    }

    fn action_info(&self, raw: RawAction) -> Result<ActionInfo, StoreError> {
        let bad = |e: String| self.corrupt("action", e);
        Ok(ActionInfo {
            kind: raw
                .kind
                .map(|k| k.parse::<ActionKind>())
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
            effects: parse_json(raw.effects).map_err(bad)?,
            decision: parse_json(raw.decision).map_err(bad)?,
            decided_by: raw
                .decided_by
                .map(|d| serde_json::from_value::<DecidedBy>(serde_json::Value::String(d)))
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
            provenance: parse_json(raw.provenance).map_err(bad)?,
            status: ActionStatus::parse(&raw.status)
                .ok_or_else(|| bad(format!("unknown status {}", raw.status)))?,
            id: raw.id,
            task: raw.task,
            tool_use_id: raw.tool_use_id,
            tool: raw.tool,
            input: raw.input,
            description: raw.description,
            grant: raw.grant,
            outcome: raw.outcome,
            is_error: raw.is_error,
            journal: raw.journal,
        })
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(text: Option<String>) -> Result<Option<T>, String> {
    text.map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|e| e.to_string())
}

/// SQLite integers are signed; counts are never negative.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

struct RawSession {
    id: String,
    created: String,
    updated: String,
    roots: String,
    model: String,
    user: String,
    title: String,
    tasks: u32,
    tainted: bool,
}

fn raw_session(r: &Row) -> rusqlite::Result<RawSession> {
    Ok(RawSession {
        id: r.get(0)?,
        created: r.get(1)?,
        updated: r.get(2)?,
        roots: r.get(3)?,
        model: r.get(4)?,
        user: r.get(5)?,
        title: r.get(6)?,
        tasks: r.get(7)?,
        tainted: r.get(8)?,
    })
}

struct RawAction {
    id: String,
    task: String,
    tool_use_id: String,
    tool: String,
    input: String,
    kind: Option<String>,
    effects: Option<String>,
    description: Option<String>,
    decision: Option<String>,
    decided_by: Option<String>,
    grant: Option<String>,
    status: String,
    outcome: Option<String>,
    is_error: Option<bool>,
    provenance: Option<String>,
    journal: Option<String>,
}

fn raw_action(r: &Row) -> rusqlite::Result<RawAction> {
    Ok(RawAction {
        id: r.get(0)?,
        task: r.get(1)?,
        tool_use_id: r.get(2)?,
        tool: r.get(3)?,
        input: r.get(4)?,
        kind: r.get(5)?,
        effects: r.get(6)?,
        description: r.get(7)?,
        decision: r.get(8)?,
        decided_by: r.get(9)?,
        grant: r.get(10)?,
        status: r.get(11)?,
        outcome: r.get(12)?,
        is_error: r.get(13)?,
        provenance: r.get(14)?,
        journal: r.get(15)?,
    })
}
