//! What makes the engine read-only and bounded, enforced by SQLite itself rather than by
//! looking at the SQL text:
//! - an authorizer consulted while every statement is compiled: outside loading it allows only
//!   SELECT, reading columns, recursive CTEs, functions (except `load_extension` and
//!   `fts3_tokenizer`) and a few read-only schema pragmas; everything else is denied, including
//!   actions SQLite adds in later versions;
//! - `PRAGMA query_only = ON` outside loading, so even a statement the authorizer let through
//!   cannot write;
//! - connection settings: no ATTACH at all (limit 0), defensive mode, untrusted schema, no
//!   triggers, no FTS3 tokenizer registration. Extension loading is never enabled: rusqlite's
//!   `load_extension` feature is off, so nothing can call `sqlite3_enable_load_extension`, and
//!   SQLite's `load_extension()` SQL function refuses while it is disabled;
//! - a progress handler that interrupts a statement once its deadline has passed.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::config::DbConfig;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::limits::Limit;

use crate::error::DataError;

/// Pragmas that only describe the schema; handy for a model exploring the tables.
const READ_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "database_list",
    "function_list",
    "collation_list",
];

/// Functions refused even inside SELECT: loading native code, and the FTS3 tokenizer hook
/// that takes a raw pointer.
const DENIED_FUNCTIONS: &[&str] = &["load_extension", "fts3_tokenizer"];

/// Longest string or blob a query may build (randomblob(1e9) would otherwise allocate 1 GB).
const MAX_VALUE_BYTES: i32 = 64 * 1024 * 1024;

/// VM instructions between two deadline checks: frequent enough to stop within milliseconds,
/// rare enough to cost nothing measurable.
const PROGRESS_OPS: i32 = 1000;

const DISARMED: u64 = u64::MAX;

#[derive(Debug)]
struct State {
    loading: AtomicBool,
    /// Deadline of the running query, in nanoseconds since `epoch`.
    deadline: AtomicU64,
    epoch: Instant,
    /// What the authorizer last refused, to explain the "not authorized" error.
    denied: Mutex<Option<String>>,
}

/// Shared state between the engine and the callbacks it installed on its connection.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    state: Arc<State>,
}

impl Guard {
    /// Configures the connection and installs the authorizer and progress handler.
    pub fn install(conn: &mut Connection) -> Result<Guard, DataError> {
        let state = Arc::new(State {
            loading: AtomicBool::new(false),
            deadline: AtomicU64::new(DISARMED),
            epoch: Instant::now(),
            denied: Mutex::new(None),
        });
        let setup = |e: rusqlite::Error| {
            DataError::engine(format!("cannot secure the SQLite connection: {e}"))
        };
        conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)
            .map_err(setup)?;
        conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
            .map_err(setup)?;
        for (flag, on) in [
            (DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true),
            (DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false),
            (DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false),
            (DbConfig::SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, false),
            (DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE, false),
            (DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE, false),
        ] {
            conn.set_db_config(flag, on).map_err(setup)?;
        }
        // Before the authorizer exists: afterwards no PRAGMA may change it outside loading.
        conn.pragma_update(None, "query_only", true)
            .map_err(setup)?;
        let auth = Arc::clone(&state);
        conn.authorizer(Some(move |ctx: AuthContext<'_>| authorize(&auth, &ctx)))
            .map_err(setup)?;
        let progress = Arc::clone(&state);
        conn.progress_handler(
            PROGRESS_OPS,
            Some(move || {
                let now = u64::try_from(progress.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
                now > progress.deadline.load(Ordering::Relaxed)
            }),
        )
        .map_err(setup)?;
        Ok(Guard { state })
    }

    /// Opens the engine for writing while `f` loads data; read-only again afterwards, whatever
    /// `f` returned.
    pub fn loading<T>(
        &self,
        conn: &mut Connection,
        f: impl FnOnce(&mut Connection) -> Result<T, DataError>,
    ) -> Result<T, DataError> {
        self.state.loading.store(true, Ordering::SeqCst);
        let result = conn
            .pragma_update(None, "query_only", false)
            .map_err(|e| DataError::engine(format!("cannot open the engine for loading: {e}")))
            .and_then(|()| f(conn));
        let locked = conn.pragma_update(None, "query_only", true);
        // Cleared last: the authorizer must still allow the pragma above.
        self.state.loading.store(false, Ordering::SeqCst);
        locked.map_err(|e| {
            DataError::engine(format!("cannot make the engine read-only again: {e}"))
        })?;
        result
    }

    /// Starts the clock for one query; the returned value stops it when dropped.
    pub fn arm(&self, timeout: Duration) -> Armed<'_> {
        let now = self.state.epoch.elapsed().saturating_add(timeout);
        let deadline = u64::try_from(now.as_nanos()).unwrap_or(DISARMED - 1);
        self.state.deadline.store(deadline, Ordering::Relaxed);
        if let Ok(mut d) = self.state.denied.lock() {
            *d = None;
        }
        Armed { guard: self }
    }

    /// What the authorizer refused during the current query, if anything.
    pub fn denied(&self) -> Option<String> {
        self.state.denied.lock().ok().and_then(|d| d.clone())
    }
}

/// A running query's deadline; disarms on drop so later loads are never interrupted.
pub(crate) struct Armed<'g> {
    guard: &'g Guard,
}

impl Drop for Armed<'_> {
    fn drop(&mut self) {
        self.guard.state.deadline.store(DISARMED, Ordering::Relaxed);
    }
}

fn authorize(state: &State, ctx: &AuthContext<'_>) -> Authorization {
    let action = &ctx.action;
    // Never needed, not even by our own loading code.
    let always_denied = match action {
        AuthAction::Attach { .. } | AuthAction::Detach { .. } => true,
        AuthAction::Function { function_name } => is_denied_function(function_name),
        _ => false,
    };
    if !always_denied && state.loading.load(Ordering::SeqCst) {
        return Authorization::Allow;
    }
    if !always_denied && allowed_when_reading(action) {
        return Authorization::Allow;
    }
    if let Ok(mut d) = state.denied.lock() {
        *d = Some(describe(action));
    }
    Authorization::Deny
}

fn is_denied_function(name: &str) -> bool {
    DENIED_FUNCTIONS
        .iter()
        .any(|f| name.eq_ignore_ascii_case(f))
}

fn allowed_when_reading(action: &AuthAction<'_>) -> bool {
    match action {
        AuthAction::Select | AuthAction::Read { .. } | AuthAction::Recursive => true,
        AuthAction::Function { function_name } => !is_denied_function(function_name),
        AuthAction::Pragma { pragma_name, .. } => READ_PRAGMAS
            .iter()
            .any(|p| pragma_name.eq_ignore_ascii_case(p)),
        // Default deny: writes, schema changes, transactions, ATTACH, and whatever action a
        // newer SQLite may add (AuthAction is non-exhaustive).
        _ => false,
    }
}

/// Names the refused action the way the person wrote it, for the error message.
fn describe(action: &AuthAction<'_>) -> String {
    match action {
        AuthAction::Insert { table_name } => format!("INSERT into {table_name}"),
        AuthAction::Update { table_name, .. } => format!("UPDATE of {table_name}"),
        AuthAction::Delete { table_name } => format!("DELETE from {table_name}"),
        AuthAction::CreateTable { table_name } | AuthAction::CreateTempTable { table_name } => {
            format!("CREATE TABLE {table_name}")
        }
        AuthAction::CreateView { view_name } | AuthAction::CreateTempView { view_name } => {
            format!("CREATE VIEW {view_name}")
        }
        AuthAction::CreateIndex { index_name, .. }
        | AuthAction::CreateTempIndex { index_name, .. } => {
            format!("CREATE INDEX {index_name}")
        }
        AuthAction::CreateTrigger { trigger_name, .. }
        | AuthAction::CreateTempTrigger { trigger_name, .. } => {
            format!("CREATE TRIGGER {trigger_name}")
        }
        AuthAction::CreateVtable { table_name, .. } => format!("CREATE VIRTUAL TABLE {table_name}"),
        AuthAction::DropTable { table_name } | AuthAction::DropTempTable { table_name } => {
            format!("DROP TABLE {table_name}")
        }
        AuthAction::DropView { view_name } | AuthAction::DropTempView { view_name } => {
            format!("DROP VIEW {view_name}")
        }
        AuthAction::DropIndex { index_name, .. } | AuthAction::DropTempIndex { index_name, .. } => {
            format!("DROP INDEX {index_name}")
        }
        AuthAction::DropTrigger { trigger_name, .. }
        | AuthAction::DropTempTrigger { trigger_name, .. } => {
            format!("DROP TRIGGER {trigger_name}")
        }
        AuthAction::DropVtable { table_name, .. } => format!("DROP TABLE {table_name}"),
        AuthAction::AlterTable { table_name, .. } => format!("ALTER TABLE {table_name}"),
        AuthAction::Attach { filename } => format!("ATTACH '{filename}'"),
        AuthAction::Detach { database_name } => format!("DETACH {database_name}"),
        AuthAction::Pragma { pragma_name, .. } => format!("PRAGMA {pragma_name}"),
        AuthAction::Transaction { .. } => "transaction control (BEGIN/COMMIT/ROLLBACK)".into(),
        AuthAction::Savepoint { savepoint_name, .. } => format!("SAVEPOINT {savepoint_name}"),
        AuthAction::Reindex { .. } => "REINDEX".into(),
        AuthAction::Analyze { .. } => "ANALYZE".into(),
        AuthAction::Function { function_name } => format!("the function {function_name}()"),
        AuthAction::Select | AuthAction::Read { .. } | AuthAction::Recursive => {
            "this statement".into()
        }
        AuthAction::Unknown { code, .. } => format!("SQLite operation {code}"),
        _ => "this statement".into(),
    }
}
