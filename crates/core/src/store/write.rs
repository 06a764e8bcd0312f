//! Writes. Each is one small transaction made as the thing it records happens, so a crash loses
//! at most what was still in flight.

use cowork_models::{Message, Role};
use cowork_protocol::{ActionKind, DecidedBy, Decision, Effect, Provenance, TaskStop, Usage};
use rusqlite::{Transaction, params};

use super::{
    ActionStatus, MessageLabels, SessionStore, StoreError, StoredRoot, TaskStatus, now,
    process_alive,
};

/// What the store needs when a task starts (and creates the session row on its first task).
pub(crate) struct TaskStart<'a> {
    pub session: &'a str,
    pub roots: &'a [StoredRoot],
    pub model: &'a str,
    pub user: &'a str,
    pub task: &'a str,
    pub text: &'a str,
    pub mode: &'a str,
}

/// One step of an action's life; fields left `None` keep what was recorded before.
pub(crate) struct ActionUpdate<'a> {
    pub id: &'a str,
    pub session: &'a str,
    pub task: &'a str,
    pub tool_use_id: &'a str,
    pub tool: &'a str,
    pub input: &'a str,
    pub status: ActionStatus,
    pub kind: Option<ActionKind>,
    pub effects: Option<&'a [Effect]>,
    pub description: Option<&'a str>,
    pub decision: Option<(&'a Decision, DecidedBy, Option<&'a str>)>,
    pub outcome: Option<(&'a str, bool)>,
    pub provenance: Option<&'a Provenance>,
    pub journal: Option<&'a str>,
}

/// A compaction: messages before `cut_seq` are replaced by `head`.
pub(crate) struct CompactionRow<'a> {
    pub session: &'a str,
    pub task: &'a str,
    pub cut_seq: i64,
    pub head: &'a Message,
    pub labels: &'a MessageLabels,
    pub summarized: bool,
    pub replaced: u32,
    pub tokens_before: u64,
    pub tokens_after: u64,
    pub note: Option<&'a str>,
}

impl SessionStore {
    fn json(
        &self,
        what: &'static str,
        value: &impl serde::Serialize,
    ) -> Result<String, StoreError> {
        serde_json::to_string(value).map_err(|e| self.corrupt(what, e))
    }

    /// A task starts: the session row (created with the session's first task), the task row and
    /// the task's message, together.
    pub(crate) fn begin_task(
        &self,
        start: &TaskStart,
        seq: i64,
        message: &Message,
        labels: &MessageLabels,
    ) -> Result<(), StoreError> {
        let roots = self.json("root list", &start.roots)?;
        let content = self.json("message", &message.content)?;
        let labels = self.json("message label", labels)?;
        let title: String = start
            .text
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        self.with(|conn| {
            let tx = conn.transaction()?;
            let at = now();
            tx.execute(
                "INSERT INTO sessions (id, created, updated, roots, model, user_name, title)
                 VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET updated = excluded.updated, roots = excluded.roots,
                     model = excluded.model,
                     title = CASE WHEN sessions.title = '' THEN excluded.title ELSE sessions.title END",
                params![start.session, at, roots, start.model, start.user, title],
            )?;
            tx.execute(
                "INSERT INTO tasks (id, session_id, seq, text, mode, status, pid, started)
                 VALUES (?1, ?2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tasks WHERE session_id = ?2),
                         ?3, ?4, 'running', ?5, ?6)",
                params![start.task, start.session, start.text, start.mode, std::process::id(), at],
            )?;
            insert_message(&tx, start.session, seq, Some(start.task), message.role, &content, &labels, &at)?;
            tx.commit()
        })
    }

    /// One transcript message, as it is added.
    pub(crate) fn append_message(
        &self,
        session: &str,
        seq: i64,
        task: Option<&str>,
        message: &Message,
        labels: &MessageLabels,
    ) -> Result<(), StoreError> {
        let content = self.json("message", &message.content)?;
        let labels = self.json("message label", labels)?;
        self.with(|conn| {
            let tx = conn.transaction()?;
            let at = now();
            insert_message(
                &tx,
                session,
                seq,
                task,
                message.role,
                &content,
                &labels,
                &at,
            )?;
            tx.execute(
                "UPDATE sessions SET updated = ?2 WHERE id = ?1",
                params![session, at],
            )?;
            tx.commit()
        })
    }

    /// The task ended: why, its final words and its usage.
    pub(crate) fn finish_task(
        &self,
        task: &str,
        stop: &TaskStop,
        summary: &str,
        usage: &Usage,
        cost: Option<f64>,
    ) -> Result<(), StoreError> {
        let stop_json = self.json("task stop", stop)?;
        self.with(|conn| {
            let at = now();
            conn.execute(
                "UPDATE tasks SET status = ?2, finished = ?3, stop = ?4, summary = ?5,
                     input_tokens = ?6, output_tokens = ?7, cache_read_tokens = ?8, cache_write_tokens = ?9,
                     cost = ?10
                 WHERE id = ?1",
                params![
                    task,
                    TaskStatus::of(stop).as_str(),
                    at,
                    stop_json,
                    summary,
                    int(usage.input_tokens),
                    int(usage.output_tokens),
                    int(usage.cache_read_tokens),
                    int(usage.cache_write_tokens),
                    cost
                ],
            )?;
            conn.execute(
                "UPDATE sessions SET updated = ?2 WHERE id = (SELECT session_id FROM tasks WHERE id = ?1)",
                params![task, at],
            )?;
            Ok(())
        })
    }

    /// Record a step of an action (proposed, decided, executing, its outcome).
    pub(crate) fn record_action(&self, a: &ActionUpdate) -> Result<(), StoreError> {
        let effects = a
            .effects
            .map(|e| self.json("action effects", &e))
            .transpose()?;
        let decision = a
            .decision
            .map(|(d, _, _)| self.json("action decision", d))
            .transpose()?;
        let provenance = a
            .provenance
            .map(|p| self.json("action provenance", p))
            .transpose()?;
        let decided_by = a.decision.map(|(_, by, _)| decided_by_str(by));
        let grant = a.decision.and_then(|(_, _, g)| g);
        self.with(|conn| {
            conn.execute(
                "INSERT INTO actions (id, session_id, task_id, tool_use_id, tool, input, kind, effects,
                     description, decision, decided_by, grant_id, status, outcome, is_error, provenance,
                     journal, updated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
                 ON CONFLICT (id) DO UPDATE SET
                     status = excluded.status,
                     kind = COALESCE(excluded.kind, kind),
                     effects = COALESCE(excluded.effects, effects),
                     description = COALESCE(excluded.description, description),
                     decision = COALESCE(excluded.decision, decision),
                     decided_by = COALESCE(excluded.decided_by, decided_by),
                     grant_id = COALESCE(excluded.grant_id, grant_id),
                     outcome = COALESCE(excluded.outcome, outcome),
                     is_error = COALESCE(excluded.is_error, is_error),
                     provenance = COALESCE(excluded.provenance, provenance),
                     journal = COALESCE(excluded.journal, journal),
                     updated = excluded.updated",
                params![
                    a.id,
                    a.session,
                    a.task,
                    a.tool_use_id,
                    a.tool,
                    a.input,
                    a.kind.map(ActionKind::as_str),
                    effects,
                    a.description,
                    decision,
                    decided_by,
                    grant,
                    a.status.as_str(),
                    a.outcome.map(|(o, _)| o),
                    a.outcome.map(|(_, e)| e),
                    provenance,
                    a.journal,
                    now()
                ],
            )?;
            Ok(())
        })
    }

    /// Settle an action the process did not finish (found on resume).
    pub(crate) fn settle_action(&self, id: &str, outcome: &str) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute(
                "UPDATE actions SET status = 'interrupted', outcome = ?2, is_error = 1, updated = ?3
                 WHERE id = ?1",
                params![id, outcome, now()],
            )?;
            Ok(())
        })
    }

    pub(crate) fn record_compaction(&self, c: &CompactionRow) -> Result<(), StoreError> {
        let head = self.json("summary", c.head)?;
        let labels = self.json("summary label", c.labels)?;
        self.with(|conn| {
            conn.execute(
                "INSERT INTO compactions (session_id, task_id, at, cut_seq, head, labels, summarized,
                     replaced, tokens_before, tokens_after, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    c.session,
                    c.task,
                    now(),
                    c.cut_seq,
                    head,
                    labels,
                    c.summarized,
                    c.replaced,
                    int(c.tokens_before),
                    int(c.tokens_after),
                    c.note
                ],
            )?;
            Ok(())
        })
    }

    /// Untrusted content entered the session: a resumed session stays tainted (C4).
    pub(crate) fn set_tainted(&self, session: &str) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute(
                "UPDATE sessions SET tainted = 1 WHERE id = ?1",
                params![session],
            )?;
            Ok(())
        })
    }

    /// Take over a session to resume it: refuse while another live process runs one of its
    /// tasks; mark tasks whose process is gone as interrupted. Returns their ids.
    pub(crate) fn claim(&self, session: &str) -> Result<Vec<String>, StoreError> {
        let running = self.running_tasks(session)?;
        let own = std::process::id();
        if let Some((_, pid)) = running
            .iter()
            .find(|(_, pid)| pid.is_some_and(|p| p != own && process_alive(p)))
        {
            return Err(StoreError::InUse {
                id: session.to_string(),
                pid: pid.unwrap_or_default(),
            });
        }
        self.with(|conn| {
            let at = now();
            for (task, _) in &running {
                conn.execute(
                    "UPDATE tasks SET status = 'interrupted', finished = ?2 WHERE id = ?1",
                    params![task, at],
                )?;
            }
            Ok(())
        })?;
        Ok(running.into_iter().map(|(id, _)| id).collect())
    }

    fn running_tasks(&self, session: &str) -> Result<Vec<(String, Option<u32>)>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, pid FROM tasks WHERE session_id = ?1 AND status = 'running'",
            )?;
            let rows = stmt.query_map(params![session], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    /// Delete a session with its tasks, transcript and actions. Refused while it runs.
    pub fn delete(&self, session: &str) -> Result<(), StoreError> {
        let own = std::process::id();
        if let Some((_, Some(pid))) = self
            .running_tasks(session)?
            .into_iter()
            .find(|(_, pid)| pid.is_some_and(|p| p != own && process_alive(p)))
        {
            return Err(StoreError::InUse {
                id: session.to_string(),
                pid,
            });
        }
        let deleted =
            self.with(|conn| conn.execute("DELETE FROM sessions WHERE id = ?1", params![session]))?;
        if deleted == 0 {
            return Err(StoreError::NoSession(session.to_string()));
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_message(
    tx: &Transaction,
    session: &str,
    seq: i64,
    task: Option<&str>,
    role: Role,
    content: &str,
    labels: &str,
    at: &str,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO messages (session_id, seq, task_id, role, content, labels, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![session, seq, task, role_str(role), content, labels, at],
    )
}

/// SQLite integers are signed 64-bit; token counts never come near the limit.
fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn role_str(role: Role) -> &'static str {
    match role {
        Role::User => "user",
        Role::Assistant => "assistant",
    }
}

pub(super) fn decided_by_str(by: DecidedBy) -> &'static str {
    match by {
        DecidedBy::Policy => "policy",
        DecidedBy::User => "user",
        DecidedBy::Grant => "grant",
        DecidedBy::Mode => "mode",
    }
}
