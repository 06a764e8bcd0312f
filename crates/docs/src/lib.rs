//! One entry point to read any document: detect its format by content and dispatch to the right
//! reader, with panic and size guards.

mod detect;
mod read;

pub use detect::{Detected, detect};
pub use read::{format_of, read_bytes, read_path};
