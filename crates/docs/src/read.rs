//! Dispatch: bytes → detected format → the reader for it, behind a panic guard; attachments
//! are read in turn.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Once;

use cowork_docmodel::{DocError, Document, Format, ReadOptions};

use crate::detect::{detect, require};

/// How deep attachments of attachments are read (a mail forwarding a mail carrying a PDF is 2).
const MAX_ATTACHMENT_DEPTH: usize = 3;

/// Read a document from its bytes. `name` (a file name or path, for messages and as a hint
/// between look-alike text formats) may be None.
pub fn read_bytes(
    bytes: &[u8],
    name: Option<&str>,
    opts: &ReadOptions,
) -> Result<Document, DocError> {
    read_at_depth(bytes, name, opts, 0)
}

/// Read the document at `path`.
pub fn read_path(path: &Path, opts: &ReadOptions) -> Result<Document, DocError> {
    let shown = path.display().to_string();
    let io = |source| DocError::Io {
        path: shown.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > opts.max_input_bytes {
        return Err(too_large(&shown, opts));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    read_bytes(&bytes, Some(&shown), opts)
}

/// The format `bytes` would be read as, or why they cannot be.
pub fn format_of(bytes: &[u8], name: Option<&str>) -> Result<Format, DocError> {
    require(detect(bytes, name), name.unwrap_or("this file"))
}

fn too_large(shown: &str, opts: &ReadOptions) -> DocError {
    DocError::TooLarge {
        what: shown.to_string(),
        limit: format!("{} MB", opts.max_input_bytes / (1024 * 1024)),
    }
}

fn read_at_depth(
    bytes: &[u8],
    name: Option<&str>,
    opts: &ReadOptions,
    depth: usize,
) -> Result<Document, DocError> {
    let shown = name.unwrap_or("this file");
    if bytes.len() as u64 > opts.max_input_bytes {
        return Err(too_large(shown, opts));
    }
    let format = format_of(bytes, name)?;
    let mut doc = guarded(format, || dispatch(format, bytes, opts))?;
    if depth < MAX_ATTACHMENT_DEPTH {
        read_attachments(&mut doc, depth);
    }
    Ok(doc)
}

fn dispatch(format: Format, bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    match format {
        Format::Pdf => cowork_pdf::read_pdf(bytes, opts),
        Format::Docx => cowork_office::read_docx(bytes, opts),
        Format::Pptx => cowork_office::read_pptx(bytes, opts),
        Format::Xlsx | Format::Xls | Format::Ods => {
            cowork_sheets::read_spreadsheet(bytes, format, opts)
        }
        Format::Csv | Format::Tsv => cowork_textdocs::read_csv(bytes, format, opts),
        Format::Eml => cowork_textdocs::read_eml(bytes, opts),
        Format::Mbox => cowork_textdocs::read_mbox(bytes, opts),
        Format::Ics => cowork_textdocs::read_ics(bytes, opts),
        Format::Html => cowork_textdocs::read_html(bytes, opts),
        Format::Markdown => cowork_textdocs::read_markdown(bytes, opts),
        Format::Text => cowork_textdocs::read_text(bytes, opts),
        Format::Json => cowork_textdocs::read_json(bytes, opts),
    }
}

/// Attachments whose format is readable get their content; the others a warning. Attachment
/// reads use default options: the person's page range was about the outer document.
fn read_attachments(doc: &mut Document, depth: usize) {
    let mut warnings = Vec::new();
    for attachment in &mut doc.attachments {
        if attachment.data.is_empty() || attachment.content.is_some() {
            continue;
        }
        match read_at_depth(
            &attachment.data,
            Some(&attachment.name),
            &ReadOptions::default(),
            depth + 1,
        ) {
            Ok(inner) => attachment.content = Some(Box::new(inner)),
            Err(DocError::Unsupported { .. }) => {}
            Err(e) => warnings.push((
                attachment.part,
                format!("attachment {}: {e}", attachment.name),
            )),
        }
    }
    for (part, message) in warnings {
        doc.warn(part, message);
    }
}

thread_local! {
    /// Set while a reader runs on this thread, so the panic hook stays quiet about panics the
    /// guard turns into errors.
    static IN_READER: Cell<bool> = const { Cell::new(false) };
}

static QUIET_HOOK: Once = Once::new();

/// Run a reader; a panic inside it becomes [`DocError::ReaderPanicked`] instead of taking the
/// process down (parsers of hostile formats are the likeliest code to hit an unexpected case).
fn guarded<T>(format: Format, run: impl FnOnce() -> Result<T, DocError>) -> Result<T, DocError> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_READER.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = IN_READER.with(|f| f.replace(true));
    let result = catch_unwind(AssertUnwindSafe(run));
    IN_READER.with(|f| f.set(was));
    match result {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(DocError::ReaderPanicked {
                format: format.name().to_string(),
                detail,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_reader_becomes_an_error() {
        let r: Result<(), DocError> = guarded(Format::Pdf, || panic!("bad cmap"));
        let err = r.unwrap_err();
        assert!(matches!(err, DocError::ReaderPanicked { .. }), "{err}");
        assert!(err.to_string().contains("bad cmap"));
    }
}
