//! The store's schema, versioned with SQLite's `user_version`: migration *n* takes a database
//! from version *n* to *n + 1*, so an old store is upgraded in place and never rewritten.

use rusqlite::{Connection, TransactionBehavior};

/// Each entry upgrades the schema by one version; append, never edit a released entry.
const MIGRATIONS: &[&str] = &[
    // 1: sessions, tasks, the transcript, actions and compactions.
    r#"
    CREATE TABLE sessions (
        id          TEXT PRIMARY KEY,
        created     TEXT NOT NULL,
        updated     TEXT NOT NULL,
        roots       TEXT NOT NULL,             -- JSON [{name, path, default}]
        model       TEXT NOT NULL,             -- the model spec, e.g. anthropic:claude-sonnet-4-5
        user_name   TEXT NOT NULL,
        title       TEXT NOT NULL DEFAULT '',  -- the first task's text
        tainted     INTEGER NOT NULL DEFAULT 0 -- untrusted content is in the transcript (C4)
    );
    CREATE TABLE tasks (
        id                 TEXT PRIMARY KEY,
        session_id         TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq                INTEGER NOT NULL,
        text               TEXT NOT NULL,
        mode               TEXT NOT NULL,
        status             TEXT NOT NULL,      -- running | finished | limit | cancelled | failed | interrupted
        pid                INTEGER,            -- the process running it, to tell a crash from a live run
        started            TEXT NOT NULL,
        finished           TEXT,
        stop               TEXT,               -- JSON TaskStop
        summary            TEXT,
        input_tokens       INTEGER NOT NULL DEFAULT 0,
        output_tokens      INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
        cache_write_tokens INTEGER NOT NULL DEFAULT 0,
        cost               REAL,               -- NULL while no price is known for the model
        UNIQUE (session_id, seq)
    );
    CREATE TABLE messages (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        task_id    TEXT,
        role       TEXT NOT NULL,              -- user | assistant
        content    TEXT NOT NULL,              -- JSON [ContentBlock], exactly as sent to the model
        labels     TEXT NOT NULL,              -- JSON provenance of the message and of each tool result
        at         TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
    );
    CREATE TABLE actions (
        id          TEXT PRIMARY KEY,
        session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        task_id     TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        tool_use_id TEXT NOT NULL,
        tool        TEXT NOT NULL,
        input       TEXT NOT NULL,             -- the raw input the model sent
        kind        TEXT,
        effects     TEXT,                      -- JSON [Effect]
        description TEXT,
        decision    TEXT,                      -- JSON Decision
        decided_by  TEXT,
        grant_id    TEXT,
        status      TEXT NOT NULL,             -- proposed | decided | executing | executed | failed | skipped | interrupted
        outcome     TEXT,                      -- the tool result the model got (or would have got)
        is_error    INTEGER,
        provenance  TEXT,                      -- JSON Provenance of the outcome
        journal     TEXT,                      -- the workspace state dir whose journal holds its changes
        updated     TEXT NOT NULL
    );
    CREATE INDEX actions_by_task ON actions (task_id, tool_use_id);
    CREATE TABLE compactions (
        session_id    TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        task_id       TEXT,
        at            TEXT NOT NULL,
        cut_seq       INTEGER NOT NULL,        -- messages before this seq are replaced by head
        head          TEXT NOT NULL,           -- JSON Message: the summary (or the note)
        labels        TEXT NOT NULL,           -- JSON provenance of the head
        summarized    INTEGER NOT NULL,
        replaced      INTEGER NOT NULL,
        tokens_before INTEGER NOT NULL,
        tokens_after  INTEGER NOT NULL,
        note          TEXT
    );
    CREATE INDEX compactions_by_session ON compactions (session_id, cut_seq);
    "#,
];

/// The schema version this cowork writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Outcome of bringing a database up to date.
pub enum Migrated {
    Current,
    /// The file was written by a newer cowork: refuse rather than guess at its tables.
    TooNew(i64),
}

/// Apply the missing migrations in one immediate transaction, so two processes opening a fresh
/// store at once cannot both create the tables.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<Migrated> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > VERSION {
        return Ok(Migrated::TooNew(found));
    }
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", n as i64 + 1)?;
    }
    tx.commit()?;
    Ok(Migrated::Current)
}
