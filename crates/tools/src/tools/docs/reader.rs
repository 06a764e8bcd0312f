//! The document engine as a read_file reader: read_file on a PDF, a workbook or a mail gives its
//! Markdown, so the model needs no special tool for a first look.

use cowork_docmodel::{Format, ReadOptions};

use crate::{Reader, ToolError};

/// Reads every non-plain-text format the document engine knows.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocumentReader;

impl Reader for DocumentReader {
    fn name(&self) -> &str {
        "document"
    }

    fn accepts(&self, ext: Option<&str>, head: &[u8]) -> bool {
        // A zip's directory is at its end, beyond the head: accept any zip and let the full read
        // tell an office file from an archive.
        if head.starts_with(b"PK\x03\x04") {
            return true;
        }
        let name = ext.map(|e| format!("file{e}"));
        // Detection on the head alone: enough for signatures (zip, PDF, CFB, mail, calendar,
        // HTML). Plain text, Markdown, CSV and JSON stay with the text reader, which reads them
        // by lines.
        matches!(
            cowork_docs::detect(head, name.as_deref()),
            cowork_docs::Detected::Readable(
                Format::Pdf
                    | Format::Docx
                    | Format::Pptx
                    | Format::Xlsx
                    | Format::Xls
                    | Format::Ods
                    | Format::Eml
                    | Format::Mbox
                    | Format::Ics
                    | Format::Html
            ) | cowork_docs::Detected::Encrypted { .. }
        )
    }

    fn read(&self, bytes: &[u8]) -> Result<String, ToolError> {
        cowork_docs::read_bytes(bytes, None, &ReadOptions::default())
            .map(|doc| doc.to_markdown())
            .map_err(|e| ToolError::Failed(e.to_string()))
    }
}
