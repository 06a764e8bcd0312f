//! Zip access for OOXML/ODF readers that refuses decompression bombs and encrypted entries.
//!
//! Every entry is read through a byte budget shared by the whole archive: a 40 KB file that
//! claims (or turns out) to expand to gigabytes stops with [`DocError::TooLarge`] instead of
//! exhausting memory. The budget counts bytes actually inflated, so lying size headers do not help.

use std::io::{Cursor, Read};

use crate::DocError;

/// A zip archive opened over borrowed bytes, with a decompression budget.
pub struct SafeZip<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    format: String,
    remaining: u64,
    limit: u64,
}

impl<'a> SafeZip<'a> {
    /// Open `bytes` as a zip archive of `format` (for messages), allowing `max_expanded` bytes
    /// of decompressed data in total.
    pub fn open(bytes: &'a [u8], format: &str, max_expanded: u64) -> Result<SafeZip<'a>, DocError> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            DocError::corrupt(format, format!("not a readable zip container ({e})"))
        })?;
        Ok(SafeZip {
            archive,
            format: format.to_string(),
            remaining: max_expanded,
            limit: max_expanded,
        })
    }

    /// Names of all entries, in archive order.
    pub fn names(&self) -> Vec<String> {
        self.archive
            .file_names()
            .filter_map(|name| name.ok().map(|n| n.into_owned()))
            .collect()
    }

    /// Whether an entry of this exact name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.archive.index_for_name(name).is_some()
    }

    /// The bytes of entry `name`, None when there is no such entry. Fails on an encrypted
    /// entry, a damaged one, or when the archive's decompression budget is used up.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, DocError> {
        let Some(index) = self.archive.index_for_name(name) else {
            return Ok(None);
        };
        let format = self.format.clone();
        let too_large = self.too_large(name);
        let remaining = self.remaining;
        let mut file = match self.archive.by_index(index) {
            Ok(file) => file,
            Err(zip::result::ZipError::UnsupportedArchive(msg))
                if msg.contains("ncrypt") || msg.contains("assword") =>
            {
                return Err(DocError::Encrypted { format });
            }
            Err(e) => return Err(DocError::corrupt(&format, format!("entry {name}: {e}"))),
        };
        if file.encrypted() {
            return Err(DocError::Encrypted { format });
        }
        if file.size() > remaining {
            return Err(too_large);
        }
        let capacity = usize::try_from(file.size().min(64 * 1024 * 1024)).unwrap_or(0);
        let mut out = Vec::with_capacity(capacity);
        let read = (&mut file)
            .take(remaining.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| DocError::corrupt(&format, format!("entry {name} is damaged ({e})")))?;
        drop(file);
        let read = read as u64;
        if read > remaining {
            return Err(too_large);
        }
        self.remaining -= read;
        Ok(Some(out))
    }

    /// Entry `name` as UTF-8 text (a BOM is dropped; invalid sequences replaced).
    pub fn read_string(&mut self, name: &str) -> Result<Option<String>, DocError> {
        Ok(self.read(name)?.map(|bytes| {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            String::from_utf8_lossy(bytes).into_owned()
        }))
    }

    fn too_large(&self, name: &str) -> DocError {
        DocError::TooLarge {
            what: format!(
                "the decompressed content of this {} (at entry {name})",
                self.format
            ),
            limit: format!("{} MB", self.limit / (1024 * 1024)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (name, data) in entries {
                w.start_file(*name, opts).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn reads_entries_within_budget() {
        let bytes = zip_of(&[("a.xml", b"<a/>".to_vec())]);
        let mut z = SafeZip::open(&bytes, "docx", 1024).unwrap();
        assert_eq!(z.read_string("a.xml").unwrap().as_deref(), Some("<a/>"));
        assert!(z.read("missing").unwrap().is_none());
        assert!(z.contains("a.xml"));
    }

    #[test]
    fn refuses_a_bomb() {
        let bytes = zip_of(&[("big.xml", vec![b'a'; 10 * 1024 * 1024])]);
        assert!(bytes.len() < 100 * 1024, "compresses well");
        let mut z = SafeZip::open(&bytes, "docx", 1024 * 1024).unwrap();
        let err = z.read("big.xml").unwrap_err();
        assert!(matches!(err, DocError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let err = SafeZip::open(b"not a zip at all", "xlsx", 1024)
            .err()
            .unwrap();
        assert!(err.to_string().contains("xlsx file is damaged"), "{err}");
    }
}
