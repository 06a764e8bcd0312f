//! Checks made before calamine sees the bytes: input size, the container actually present
//! (an encrypted xlsx is an OLE/CFB file, not a zip), and the decompressed size of every
//! zip entry against the budget — calamine has no budget of its own.
//!
//! Declared sizes are enough here: the zip crate calamine reads with (zip 9, archive mode)
//! fails an entry that inflates past its declared size, so a lying header cannot get past.

use std::io::Cursor;

use cowork_docmodel::{DocError, Format, ReadOptions};

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The format to parse the bytes as, after the checks. `format` is what the caller
/// detected; the container decides between the zip formats and xls when they disagree.
pub(crate) fn check(bytes: &[u8], format: Format, opts: &ReadOptions) -> Result<Format, DocError> {
    if bytes.len() as u64 > opts.max_input_bytes {
        return Err(DocError::TooLarge {
            what: format!("this {format} file ({} bytes)", bytes.len()),
            limit: format!("{} bytes", opts.max_input_bytes),
        });
    }
    let is_cfb = bytes.starts_with(&CFB_MAGIC);
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let format = match format {
        Format::Xlsx | Format::Ods if is_cfb => {
            // Office wraps a password-protected xlsx in a CFB container holding an
            // EncryptedPackage stream; any other CFB file is a legacy .xls.
            if contains_utf16(bytes, "EncryptedPackage") || contains_utf16(bytes, "EncryptionInfo")
            {
                return Err(DocError::Encrypted {
                    format: format.to_string(),
                });
            }
            Format::Xls
        }
        Format::Xls if is_zip => Format::Xlsx,
        Format::Xlsx | Format::Xls | Format::Ods => format,
        other => {
            return Err(DocError::Unsupported {
                what: format!("{other} (given to the spreadsheet reader)"),
                hint: "; the spreadsheet reader reads xlsx, xls and ods only".into(),
            });
        }
    };
    if matches!(format, Format::Xlsx | Format::Ods) {
        check_zip(bytes, format, opts.max_expanded_bytes)?;
    }
    Ok(format)
}

/// Refuse an archive whose entries would inflate past `budget` bytes in total, or that
/// holds encrypted entries.
fn check_zip(bytes: &[u8], format: Format, budget: u64) -> Result<(), DocError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        DocError::corrupt(
            format,
            format!("not a readable zip container ({e}); the file may be truncated"),
        )
    })?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| DocError::corrupt(format, format!("zip entry {i}: {e}")))?;
        if entry.encrypted() {
            return Err(DocError::Encrypted {
                format: format.to_string(),
            });
        }
        total = total.saturating_add(entry.size());
        if total > budget {
            return Err(DocError::TooLarge {
                what: format!(
                    "the decompressed content of this {format} (at entry {})",
                    entry.name().unwrap_or_default()
                ),
                limit: format!("{} MB", budget / (1024 * 1024)),
            });
        }
    }
    Ok(())
}

/// Whether `needle` appears UTF-16LE encoded (as CFB directory entry names are).
fn contains_utf16(hay: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    hay.windows(pattern.len()).any(|w| w == pattern.as_slice())
}
