//! OOXML document readers: docx and pptx into cowork [`Document`]s.
//!
//! Both read the zip through [`cowork_docmodel::zipguard::SafeZip`] (decompression budget,
//! encrypted entries refused) and every XML part with a streaming quick-xml reader that matches
//! local names (Transitional and Strict OOXML alike), caps nesting depth and never expands DTD
//! entities. Neither panics on any input: damaged secondary parts become warnings, a damaged
//! main part a [`DocError::Corrupt`] naming it.

mod chart;
mod docx;
mod opc;
mod pptx;
mod xml;

pub use cowork_docmodel::{DocError, Document, ReadOptions};
pub use docx::read_docx;
pub use pptx::read_pptx;
