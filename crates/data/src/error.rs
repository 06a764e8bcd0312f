//! The one error type of the data engine: each variant says what went wrong and what to do next,
//! because the text goes straight back to the model (or the person) that asked.

use std::time::Duration;

/// Why a data file could not be loaded or a query could not run.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be turned into a table (unknown type, damaged, no header, empty).
    #[error("cannot load {file} as a table: {reason}")]
    NotLoadable { file: String, reason: String },
    /// The file has more rows (or bytes) than the engine accepts.
    #[error(
        "{file} is too large to load: {what} exceeds the limit of {limit}; filter or split the file first, or raise EngineLimits::max_load_rows"
    )]
    TooLarge {
        file: String,
        what: String,
        limit: String,
    },
    /// The SQL did not compile: SQLite's own message plus the tables and columns that exist.
    #[error("SQL error: {message}{hint}")]
    Sql { message: String, hint: String },
    /// The statement would change something; the engine only answers questions.
    #[error(
        "query_data is read-only: {what} is not allowed. Write a single SELECT (or WITH … SELECT) statement that reads the loaded tables"
    )]
    ReadOnly { what: String },
    /// More than one statement in one query.
    #[error(
        "query_data runs exactly one statement per call, but found more after the first; send each SELECT in its own call"
    )]
    MultipleStatements,
    /// The query was empty (or only comments).
    #[error("the query is empty; send one SELECT statement, e.g. SELECT * FROM {example} LIMIT 10")]
    EmptyQuery { example: String },
    /// The query ran longer than the time limit and was stopped.
    #[error(
        "the query ran longer than {}s and was stopped; narrow it (WHERE filters, aggregate with GROUP BY, avoid joins without ON conditions) and try again",
        .limit.as_secs_f64()
    )]
    Timeout { limit: Duration },
    /// SQLite failed for a reason that is not the query's fault (out of memory, internal error).
    #[error("the data engine failed: {detail}; try a simpler query or reload the files")]
    Engine { detail: String },
}

impl DataError {
    pub(crate) fn not_loadable(file: &str, reason: impl std::fmt::Display) -> DataError {
        DataError::NotLoadable {
            file: file.to_string(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn engine(detail: impl std::fmt::Display) -> DataError {
        DataError::Engine {
            detail: detail.to_string(),
        }
    }
}
