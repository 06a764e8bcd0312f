//! Readers for text-based formats: CSV/TSV with encoding detection, EML/MBOX mail, ICS
//! calendars, HTML, Markdown, plain text and JSON. Each turns bytes into a
//! [`cowork_docmodel::Document`]; none panics on any input, and each bounds its time and
//! memory (input size, nesting depth, rows and parts read).
//!
//! Crates: `encoding_rs` + `chardetng` (encodings), `csv`, `mail-parser` (MIME, charsets,
//! encoded words), `pulldown-cmark`, `html5gum` (a WHATWG tokenizer; the tree is built in
//! `html/tree.rs` with a nesting cap). ICS is parsed here: RFC 5545 content lines are simple.

mod delimited;
mod ebcdic;
mod encoding;
mod grid;
mod html;
mod ics;
mod json;
mod mail;
mod markdown;
mod text;
mod util;

pub use delimited::read_csv;
pub use encoding::{DecodedText, decode_text, decode_with_label};
pub use html::{HtmlContent, Mode as HtmlMode, html_to_blocks, read_html};
pub use ics::read_ics;
pub use json::read_json;
pub use mail::{read_eml, read_mbox};
pub use markdown::read_markdown;
pub use text::{TEXT_CHUNK_BYTES, read_text, read_text_from};
