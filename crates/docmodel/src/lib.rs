//! The structured [`Document`] every cowork reader produces, and what readers share: the
//! [`ReadOptions`] that select a chunk, the [`DocError`] they fail with, the Markdown rendering
//! the model sees, and a zip reader that refuses bombs.
//!
//! This crate knows nothing of the agent or of any one format; the readers live in their own
//! crates (cowork-pdf, cowork-office, cowork-textdocs) and `cowork-docs` detects a file's format
//! and dispatches to them.

mod document;
mod error;
mod markdown;
mod options;
pub mod zipguard;

pub use document::{
    Attachment, Block, CellFormula, Chunk, Document, Format, ListMarker, NoteKind, Part, PartKind,
    Table, Truncation, Warning,
};
pub use error::DocError;
pub use options::{
    CellRange, MAX_COL, MAX_ROW, PageRange, ReadOptions, cell_name, column_index, column_name,
};
