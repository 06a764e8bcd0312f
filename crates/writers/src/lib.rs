//! Writers for deliverables: the BYTES of xlsx workbooks with live formulas and native charts,
//! docx reports from Markdown, pptx decks from an outline, PNG/SVG charts, CSV and Markdown.
//!
//! Nothing here touches the file system: every writer returns bytes, and the agent tools write
//! them atomically through the journal. Every spec type derives `JsonSchema` because the tools
//! take them directly as their JSON input; the `///` docs on fields are what the model reads.
//!
//! Writers never panic on a spec: a bad formula, an unknown sheet in a chart range, an empty
//! series or image bytes that are not PNG/JPEG come back as [`DocError::Write`] saying what to fix.

pub mod chart;
mod chart_draw;
pub mod csv_md;
pub mod docx;
mod image;
mod package;
mod png;
pub mod pptx;
pub mod xlsx;
mod xlsx_chart;
mod xlsx_eval;
mod xml;

pub use cowork_docmodel::DocError;
