//! Document tools: read any office document, and query data files with SQL.

mod common;
mod query_data;
mod read_document;
mod reader;

pub use query_data::QueryData;
pub use read_document::ReadDocument;
pub use reader::DocumentReader;
