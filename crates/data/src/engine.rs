//! The engine: an in-memory SQLite database that files are loaded into and that answers
//! read-only queries within limits.

use std::collections::HashSet;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::DataError;
use crate::guard::Guard;
use crate::infer::SqlType;
use crate::result::{self, Bounds, QueryResult};
use crate::{hint, load, names, table};

/// Bounds on what a query may return and cost, and on what a load may bring in.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineLimits {
    /// Rows returned by one query (default 1000).
    pub max_rows: usize,
    /// Characters of one text cell in a result (default 2000).
    pub max_cell_chars: usize,
    /// Approximate JSON size of one result (default 1 MB).
    pub max_result_bytes: usize,
    /// Time one query may run (default 10 s).
    pub timeout: Duration,
    /// Rows one table may have when loaded (default 5,000,000).
    pub max_load_rows: usize,
}

impl Default for EngineLimits {
    fn default() -> Self {
        EngineLimits {
            max_rows: 1000,
            max_cell_chars: 2000,
            max_result_bytes: 1_000_000,
            timeout: Duration::from_secs(10),
            max_load_rows: 5_000_000,
        }
    }
}

/// A loaded table and where it came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TableInfo {
    /// The SQL name: the file name sanitized (`sales_2024.csv` → `sales_2024`), plus
    /// `_<sheet>` for a workbook sheet or `_<key>` for records under a JSON key.
    pub table: String,
    /// The source name given to [`DataEngine::load`].
    pub source: String,
    pub sheet: Option<String>,
    pub columns: Vec<ColumnInfo>,
    pub rows: usize,
    /// Other names for the same data: a workbook with one sheet is also a view named after the
    /// workbook alone.
    pub aliases: Vec<String>,
    /// What the loader skipped or guessed (title lines, a Total row, note lines).
    pub warnings: Vec<String>,
}

/// A column of a loaded table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnInfo {
    /// The SQL name (`[a-z0-9_]`, unique in the table).
    pub name: String,
    /// The header as written in the file.
    pub original: String,
    pub sql_type: SqlType,
    /// What the model should know about the values (currency removed, percent as fraction …).
    pub note: Option<String>,
}

/// Read-only SQL over loaded data files.
pub struct DataEngine {
    conn: Connection,
    limits: EngineLimits,
    guard: Guard,
    tables: Vec<TableInfo>,
}

impl std::fmt::Debug for DataEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataEngine")
            .field("limits", &self.limits)
            .field("tables", &self.tables)
            .finish_non_exhaustive()
    }
}

impl DataEngine {
    /// An empty in-memory engine, already read-only for queries.
    pub fn new(limits: EngineLimits) -> Result<DataEngine, DataError> {
        // No SQLITE_OPEN_URI: a file name can never smuggle options in.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_in_memory_with_flags(flags)
            .map_err(|e| DataError::engine(format!("cannot open the in-memory database: {e}")))?;
        let guard = Guard::install(&mut conn)?;
        Ok(DataEngine {
            conn,
            limits,
            guard,
            tables: Vec::new(),
        })
    }

    pub fn limits(&self) -> &EngineLimits {
        &self.limits
    }

    /// Loads a file (CSV, TSV, XLSX, XLS, ODS, JSON, detected by content) as one table, or one
    /// per sheet / JSON key. Loading the same `source_name` again replaces its tables.
    pub fn load(&mut self, source_name: &str, bytes: &[u8]) -> Result<Vec<TableInfo>, DataError> {
        let input = load::read(source_name, bytes)?;
        let parts = input.parts();
        let mut plans = Vec::with_capacity(parts.len());
        for part in &parts {
            let plan = table::plan(
                source_name,
                part.rows.as_ref(),
                part.header.clone(),
                self.limits.max_load_rows,
            );
            match plan {
                Ok(p) => plans.push(Some(p)),
                // One empty sheet does not spoil a workbook.
                Err(DataError::NotLoadable { .. }) if parts.len() > 1 => plans.push(None),
                Err(e) => return Err(e),
            }
        }
        if plans.iter().all(Option::is_none) {
            return Err(DataError::not_loadable(
                source_name,
                "none of its sheets holds a table",
            ));
        }
        let mut taken: HashSet<String> = self
            .tables
            .iter()
            .filter(|t| t.source != source_name)
            .flat_map(|t| std::iter::once(t.table.clone()).chain(t.aliases.iter().cloned()))
            .collect();
        let replaced: Vec<TableInfo> = self
            .tables
            .iter()
            .filter(|t| t.source == source_name)
            .cloned()
            .collect();
        let stem = names::file_stem(source_name);
        let base = names::sanitize(stem).unwrap_or_else(|| "data".to_string());
        let loaded_count = plans.iter().flatten().count();
        let mut infos = Vec::new();
        self.guard.loading(&mut self.conn, |conn| {
            let tx = conn
                .transaction()
                .map_err(|e| DataError::engine(format!("cannot start loading: {e}")))?;
            for old in &replaced {
                drop_table(&tx, old)?;
            }
            for (part, plan) in parts.iter().zip(&plans) {
                let Some(plan) = plan else { continue };
                let name = match &part.suffix {
                    Some(suffix) => {
                        names::sanitize(&format!("{stem}_{suffix}")).unwrap_or_else(|| base.clone())
                    }
                    None => base.clone(),
                };
                let name = names::unique(name, &mut taken);
                let rows =
                    table::create_and_insert(&tx, source_name, &name, plan, part.rows.as_ref())?;
                let mut aliases = Vec::new();
                if input.is_workbook() && loaded_count == 1 && !taken.contains(&base) {
                    let view = format!(
                        "CREATE VIEW {} AS SELECT * FROM {}",
                        names::quote(&base),
                        names::quote(&name)
                    );
                    tx.execute(&view, []).map_err(|e| {
                        DataError::not_loadable(
                            source_name,
                            format!("cannot name the sheet's table: {e}"),
                        )
                    })?;
                    taken.insert(base.clone());
                    aliases.push(base.clone());
                }
                infos.push(TableInfo {
                    table: name,
                    source: source_name.to_string(),
                    sheet: part.sheet.clone(),
                    columns: plan
                        .columns
                        .iter()
                        .map(|c| ColumnInfo {
                            name: c.name.clone(),
                            original: c.original.clone(),
                            sql_type: c.ty.sql_type,
                            note: c.ty.note.clone(),
                        })
                        .collect(),
                    rows,
                    aliases,
                    warnings: plan.warnings.clone(),
                });
            }
            tx.commit()
                .map_err(|e| DataError::engine(format!("cannot finish loading {source_name}: {e}")))
        })?;
        self.tables.retain(|t| t.source != source_name);
        self.tables.extend(infos.iter().cloned());
        Ok(infos)
    }

    /// Every loaded table, in load order.
    pub fn tables(&self) -> &[TableInfo] {
        &self.tables
    }

    /// Runs one read-only statement and returns its rows within the limits.
    pub fn query(&self, sql: &str) -> Result<QueryResult, DataError> {
        let sql = sql.trim();
        let example = self.tables.first().map_or("my_table", |t| t.table.as_str());
        if sql.trim_end_matches(';').trim().is_empty() {
            return Err(DataError::EmptyQuery {
                example: example.to_string(),
            });
        }
        let _armed = self.guard.arm(self.limits.timeout);
        let map_err = |e: rusqlite::Error| self.map_error(e, sql);
        let mut stmt = self.conn.prepare(sql).map_err(map_err)?;
        // Third layer after the authorizer and query_only: SQLite's own verdict on the statement.
        if !stmt.readonly() {
            return Err(DataError::ReadOnly {
                what: "a statement that changes the database".into(),
            });
        }
        if stmt.column_count() == 0 {
            // Only comments, or a statement that returns nothing (REINDEX on no index, BEGIN):
            // neither is a question.
            let first = first_word(sql);
            return Err(match first {
                None => DataError::EmptyQuery {
                    example: example.to_string(),
                },
                Some(word) => DataError::ReadOnly {
                    what: format!("{word} (only statements that return rows are answered)"),
                },
            });
        }
        let bounds = Bounds {
            max_rows: self.limits.max_rows,
            max_cell_chars: self.limits.max_cell_chars,
            max_result_bytes: self.limits.max_result_bytes,
        };
        result::collect(&mut stmt, &bounds, &map_err)
    }

    /// Turns SQLite's error into one that says what to do.
    fn map_error(&self, e: rusqlite::Error, sql: &str) -> DataError {
        let (code, message) = match &e {
            rusqlite::Error::MultipleStatement => return DataError::MultipleStatements,
            rusqlite::Error::SqliteFailure(err, msg) => {
                (err.code, msg.clone().unwrap_or_else(|| err.to_string()))
            }
            rusqlite::Error::SqlInputError { error, msg, .. } => (error.code, msg.clone()),
            other => return DataError::engine(other),
        };
        // A refused function is reported by SQLite as a plain error, not SQLITE_AUTH.
        if let Some(what) = self.guard.denied() {
            return DataError::ReadOnly { what };
        }
        match code {
            ErrorCode::AuthorizationForStatementDenied => DataError::ReadOnly {
                what: self
                    .guard
                    .denied()
                    .unwrap_or_else(|| "this statement".into()),
            },
            ErrorCode::ReadOnly => DataError::ReadOnly {
                what: "writing to the loaded tables".into(),
            },
            ErrorCode::OperationInterrupted => DataError::Timeout {
                limit: self.limits.timeout,
            },
            ErrorCode::Unknown
            | ErrorCode::TooBig
            | ErrorCode::ConstraintViolation
            | ErrorCode::TypeMismatch
            | ErrorCode::ParameterOutOfRange => DataError::Sql {
                hint: hint::for_error(&message, sql, &self.tables),
                message,
            },
            _ => DataError::engine(format!("{message} ({e})")),
        }
    }

    /// The loaded tables as CREATE TABLE statements with each column's original header and
    /// notes, plus three sample rows per table: what the model needs to write a query.
    pub fn schema_text(&self) -> String {
        crate::schema::render(self, &self.tables)
    }

    /// Up to `n` rows of a table as text, for samples.
    pub(crate) fn sample_rows(&self, table: &str, n: usize) -> Vec<Vec<String>> {
        let sql = format!("SELECT * FROM {} LIMIT {n}", names::quote(table));
        match self.query(&sql) {
            Ok(r) => r.to_rows().into_iter().skip(1).collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// The first keyword of the SQL, skipping comments; None when there is nothing but comments.
fn first_word(sql: &str) -> Option<String> {
    let mut rest = sql;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ';');
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!rest.is_empty()).then(|| {
        if word.is_empty() {
            rest.chars().take(20).collect()
        } else {
            word.to_uppercase()
        }
    })
}

fn drop_table(tx: &rusqlite::Transaction<'_>, old: &TableInfo) -> Result<(), DataError> {
    let fail = |e: rusqlite::Error| {
        DataError::engine(format!("cannot replace the tables of {}: {e}", old.source))
    };
    for alias in &old.aliases {
        tx.execute(&format!("DROP VIEW IF EXISTS {}", names::quote(alias)), [])
            .map_err(fail)?;
    }
    tx.execute(
        &format!("DROP TABLE IF EXISTS {}", names::quote(&old.table)),
        [],
    )
    .map_err(fail)?;
    Ok(())
}
