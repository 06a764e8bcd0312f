//! Read-only SQL over workspace data files (CSV/TSV/XLSX/XLS/ODS/JSON) in an embedded SQLite
//! engine: the `query_data` tool's library, so the numbers in a report are computed, never
//! guessed.
//!
//! ```no_run
//! # fn main() -> Result<(), cowork_data::DataError> {
//! let mut engine = cowork_data::DataEngine::new(cowork_data::EngineLimits::default())?;
//! engine.load("sales_2024.csv", b"region,revenue\nNorth,10\nSouth,5\n")?;
//! let r = engine.query("SELECT region, SUM(revenue) FROM sales_2024 GROUP BY region")?;
//! println!("{}", r.to_markdown());
//! # Ok(()) }
//! ```
//!
//! Naming: each file is a table named from its file name (lowercase `[a-z0-9_]`, keywords get a
//! trailing `_`, a leading digit gets `n_`); a workbook sheet is `<file>_<sheet>`, and a
//! workbook with a single sheet is also a view named `<file>`; records under a JSON key are
//! `<file>_<key>`. Names already taken get `_2`, `_3` …; loading the same source again replaces
//! its tables. Columns are named from the header row (sanitized and deduplicated; the original
//! is kept in [`ColumnInfo::original`]).
//!
//! Read-only is enforced by SQLite (authorizer, `query_only`, no ATTACH, no extensions): see
//! the `guard` module.

mod engine;
mod error;
mod guard;
mod hint;
mod infer;
mod load;
mod names;
mod parse;
mod result;
mod schema;
mod table;

pub use engine::{ColumnInfo, DataEngine, EngineLimits, TableInfo};
pub use error::DataError;
pub use infer::SqlType;
pub use result::{COUNT_AHEAD, QueryResult};
