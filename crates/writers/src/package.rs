//! Building an OOXML package (zip of parts) in memory, and the docProps every package carries.

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::DocError;
use crate::xml::esc;

/// An in-memory OPC package being written.
pub(crate) struct Package {
    zip: zip::ZipWriter<Cursor<Vec<u8>>>,
    format: &'static str,
}

impl Package {
    pub(crate) fn new(format: &'static str) -> Package {
        Package {
            zip: zip::ZipWriter::new(Cursor::new(Vec::new())),
            format,
        }
    }

    /// Add part `name` (no leading slash). Already-compressed media is stored, not deflated.
    pub(crate) fn add(&mut self, name: &str, data: &[u8]) -> Result<(), DocError> {
        let method = if name.ends_with(".png") || name.ends_with(".jpeg") || name.ends_with(".jpg")
        {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        // A fixed timestamp keeps output reproducible (same spec → same bytes).
        let opts = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip::DateTime::default());
        self.zip
            .start_file(name, opts)
            .and_then(|()| self.zip.write_all(data).map_err(zip::result::ZipError::Io))
            .map_err(|e| DocError::write(self.format, format!("adding part {name}: {e}")))
    }

    pub(crate) fn add_str(&mut self, name: &str, text: &str) -> Result<(), DocError> {
        self.add(name, text.as_bytes())
    }

    pub(crate) fn finish(self) -> Result<Vec<u8>, DocError> {
        let format = self.format;
        self.zip
            .finish()
            .map(Cursor::into_inner)
            .map_err(|e| DocError::write(format, format!("finishing the zip container: {e}")))
    }
}

/// Copy a package, replacing the parts for which `edit` returns new bytes. Used to fix up
/// what a library wrote (entry order and names are kept).
pub(crate) fn rewrite_parts(
    bytes: &[u8],
    format: &'static str,
    mut edit: impl FnMut(&str, &[u8]) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, DocError> {
    // Our own output: the budget only guards against a bug, not a bomb.
    let mut zip = cowork_docmodel::zipguard::SafeZip::open(bytes, format, 4 << 30)?;
    let mut out = Package::new(format);
    for name in zip.names() {
        let data = zip.read(&name)?.ok_or_else(|| {
            DocError::write(format, format!("part {name} vanished while rewriting"))
        })?;
        match edit(&name, &data) {
            Some(new) => out.add(&name, &new)?,
            None => out.add(&name, &data)?,
        }
    }
    out.finish()
}

pub(crate) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// docProps/core.xml with the title (if any) and the creation time.
pub(crate) fn core_props(title: Option<&str>) -> String {
    let now = w3c_now();
    let title = title
        .map(|t| format!("<dc:title>{}</dc:title>", esc(t)))
        .unwrap_or_default();
    format!(
        "{XML_DECL}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
{title}<dc:creator>cowork</dc:creator>\
<dcterms:created xsi:type=\"dcterms:W3CDTF\">{now}</dcterms:created>\
<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{now}</dcterms:modified>\
</cp:coreProperties>"
    )
}

/// docProps/app.xml naming the writing application.
pub(crate) fn app_props() -> String {
    format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
<Application>cowork</Application></Properties>"
    )
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`, computed without a date crate.
fn w3c_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-since-1970 → (year, month, day) for the proleptic Gregorian calendar.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_178), (2025, 3, 31));
        assert!(w3c_now().ends_with('Z'));
    }
}
