//! One entry point to read any document: detect its format by content and dispatch to the right
//! reader, with panic and size guards.

mod detect;

pub use detect::{Detected, detect};
