//! Document tools: read any office document, and query data files with SQL.

mod common;
mod create;
mod extract_tables;
mod query_data;
mod read_document;
mod reader;

pub use create::{CreateChart, CreateDocument, CreatePresentation, CreateSpreadsheet};
pub use extract_tables::ExtractTables;
pub use query_data::QueryData;
pub use read_document::ReadDocument;
pub use reader::DocumentReader;
