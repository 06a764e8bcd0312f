//! Readers turn a file's bytes into text for read_file. The built-in text reader handles plain
//! text; the document engine registers readers for .pdf, .docx … later through
//! [`ReaderRegistry::register`].

use std::sync::{Arc, PoisonError, RwLock};

use crate::ToolError;

/// Turns the bytes of one kind of file into text for the model.
pub trait Reader: Send + Sync {
    /// A short name, e.g. `text` or `pdf`.
    fn name(&self) -> &str;
    /// Whether this reader handles a file with this extension (lowercase with the dot, `.md`;
    /// None when the file has none) and these first bytes (up to 8 KB).
    fn accepts(&self, ext: Option<&str>, head: &[u8]) -> bool;
    /// The file's text.
    fn read(&self, bytes: &[u8]) -> Result<String, ToolError>;
}

/// The readers read_file chooses from: the most recently registered reader that accepts a file
/// wins, so a specialised reader registered later takes precedence over the text reader.
///
/// Cloning gives another handle on the same set: the registry and its read_file tool share it, so
/// readers registered after the tools were built are still used.
#[derive(Clone)]
pub struct ReaderRegistry {
    readers: Arc<RwLock<Vec<Arc<dyn Reader>>>>,
}

impl Default for ReaderRegistry {
    /// A registry with the text reader.
    fn default() -> Self {
        let mut registry = ReaderRegistry::empty();
        registry.register(Box::new(TextReader));
        registry
    }
}

impl std::fmt::Debug for ReaderRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReaderRegistry")
            .field("readers", &self.names())
            .finish()
    }
}

impl ReaderRegistry {
    /// A registry without any reader.
    pub fn empty() -> Self {
        ReaderRegistry {
            readers: Arc::new(RwLock::new(Vec::new())),
        }
    }

    /// Add a reader; it is asked before every reader registered earlier.
    pub fn register(&mut self, reader: Box<dyn Reader>) {
        // A poisoned lock only means another thread panicked while holding it; the Vec is
        // still consistent (push/clone cannot leave it half-done), so keep using it.
        let mut readers = self.readers.write().unwrap_or_else(PoisonError::into_inner);
        readers.push(Arc::from(reader));
    }

    /// Names of the readers, newest first.
    pub fn names(&self) -> Vec<String> {
        let readers = self.readers.read().unwrap_or_else(PoisonError::into_inner);
        readers.iter().rev().map(|r| r.name().to_string()).collect()
    }

    /// The reader for a file, newest first.
    pub fn find(&self, ext: Option<&str>, head: &[u8]) -> Option<Arc<dyn Reader>> {
        let readers = self.readers.read().unwrap_or_else(PoisonError::into_inner);
        readers.iter().rev().find(|r| r.accepts(ext, head)).cloned()
    }

    /// The error for a file no reader accepts, naming the file and what would read it.
    pub fn unsupported(display: &str, ext: Option<&str>) -> ToolError {
        match ext {
            Some(ext) => ToolError::Unsupported(format!(
                "`{display}` is not a text file, and no reader handles {ext} files: cowork reads text, pdf, \
                 docx, pptx, xlsx/xls/ods, csv, eml/mbox, ics, html and json"
            )),
            None => ToolError::Unsupported(format!(
                "`{display}` is not a text file (it holds binary data); cowork cannot read it"
            )),
        }
    }
}

/// Extensions of formats that are never plain text, even when their first bytes look like it.
const BINARY_EXTENSIONS: &[&str] = &[
    ".pdf", ".docx", ".xlsx", ".pptx", ".doc", ".xls", ".ppt", ".odt", ".ods", ".odp", ".epub",
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".png", ".jpg", ".jpeg", ".gif",
    ".webp", ".bmp", ".tif", ".tiff", ".ico", ".heic", ".mp3", ".wav", ".flac", ".ogg", ".m4a",
    ".mp4", ".mov", ".avi", ".mkv", ".webm", ".exe", ".dll", ".so", ".dylib", ".bin", ".o", ".a",
    ".class", ".jar", ".sqlite", ".db", ".woff", ".woff2", ".ttf", ".otf",
];

/// Magic numbers of binary formats.
const BINARY_MAGIC: &[&[u8]] = &[
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"GIF8",
    b"\xFF\xD8\xFF",
    b"\x1F\x8B",
    b"\x7FELF",
    b"\xD0\xCF\x11\xE0",
];

/// Plain text: UTF-8 (with or without BOM), UTF-16 with a BOM, and Latin-1 as the fallback for
/// bytes that are not UTF-8. Binary data is refused with a clear error.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextReader;

impl TextReader {
    /// Whether `bytes` look like binary data rather than text.
    pub fn looks_binary(bytes: &[u8]) -> bool {
        if utf16_bom(bytes).is_some() {
            return false;
        }
        if BINARY_MAGIC.iter().any(|m| bytes.starts_with(m)) || bytes.contains(&0) {
            return true;
        }
        // Text has few control characters besides tab, newlines, form feed and escape.
        let controls = bytes
            .iter()
            .filter(|&&b| {
                (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)) || b == 0x7f
            })
            .count();
        controls * 10 > bytes.len()
    }

    /// Decode text bytes; Err for binary data.
    pub fn decode(bytes: &[u8]) -> Result<String, ToolError> {
        if let Some(big_endian) = utf16_bom(bytes) {
            return Ok(decode_utf16(&bytes[2..], big_endian));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if TextReader::looks_binary(bytes) {
            return Err(ToolError::Unsupported(
                "not a text file (it holds binary data); its format has no reader".to_string(),
            ));
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            // Not UTF-8: every byte is a Latin-1 character, so this never fails.
            Err(_) => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        }
    }
}

impl Reader for TextReader {
    fn name(&self) -> &str {
        "text"
    }

    fn accepts(&self, ext: Option<&str>, head: &[u8]) -> bool {
        let known_binary = ext.is_some_and(|e| BINARY_EXTENSIONS.contains(&e));
        !known_binary
            && !TextReader::looks_binary(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head))
    }

    fn read(&self, bytes: &[u8]) -> Result<String, ToolError> {
        TextReader::decode(bytes)
    }
}

/// Some(true) for a big-endian UTF-16 BOM, Some(false) for little-endian.
fn utf16_bom(bytes: &[u8]) -> Option<bool> {
    match bytes {
        [0xFE, 0xFF, ..] => Some(true),
        [0xFF, 0xFE, ..] => Some(false),
        _ => None,
    }
}

fn decode_utf16(bytes: &[u8], big_endian: bool) -> String {
    // An odd trailing byte (a file cut mid-character) is dropped by chunks_exact.
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_usual_encodings() {
        assert_eq!(TextReader::decode(b"caf\xC3\xA9").unwrap(), "café");
        assert_eq!(TextReader::decode(b"\xEF\xBB\xBFhi").unwrap(), "hi");
        assert_eq!(TextReader::decode(b"\xFF\xFEh\0i\0").unwrap(), "hi");
        assert_eq!(TextReader::decode(b"\xFE\xFF\0h\0i").unwrap(), "hi");
        assert_eq!(TextReader::decode(b"caf\xE9").unwrap(), "café");
        let err = TextReader::decode(b"\x00\x01\x02binary")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a text file"), "{err}");
    }

    #[test]
    fn newest_reader_wins_and_binary_is_refused() {
        struct Pdf;
        impl Reader for Pdf {
            fn name(&self) -> &str {
                "pdf"
            }
            fn accepts(&self, ext: Option<&str>, _head: &[u8]) -> bool {
                ext == Some(".pdf")
            }
            fn read(&self, _bytes: &[u8]) -> Result<String, ToolError> {
                Ok("pdf text".into())
            }
        }
        let mut registry = ReaderRegistry::default();
        let shared = registry.clone();
        assert!(shared.find(Some(".pdf"), b"%PDF-1.7").is_none());
        assert_eq!(shared.find(Some(".md"), b"# hi").unwrap().name(), "text");
        registry.register(Box::new(Pdf));
        assert_eq!(
            shared.find(Some(".pdf"), b"%PDF-1.7").unwrap().name(),
            "pdf"
        );
        assert_eq!(shared.names(), vec!["pdf", "text"]);
        let err = ReaderRegistry::unsupported("a.pdf", Some(".pdf")).to_string();
        assert!(err.contains("no reader handles .pdf files"), "{err}");
    }
}
