//! Plain text: decoded, split in paragraphs, read in chunks of at most 2 MB.

use cowork_docmodel::{Chunk, DocError, Document, Format, Part, PartKind, ReadOptions};

use crate::encoding::decode_text;
use crate::util::{check_size, floor_boundary, paragraphs};

/// Bytes of text one read returns at most; the rest is the next chunk ([`Chunk::Offset`]).
pub const TEXT_CHUNK_BYTES: usize = 2 * 1024 * 1024;

/// Read a plain-text file from its start.
pub fn read_text(bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    read_text_from(bytes, 0, opts)
}

/// Read a plain-text file from a character offset (as given by a previous read's
/// `doc.next = Chunk::Offset { offset }`). Offsets count characters of the decoded text.
pub fn read_text_from(
    bytes: &[u8],
    offset: usize,
    opts: &ReadOptions,
) -> Result<Document, DocError> {
    check_size(bytes, Format::Text, opts)?;
    let decoded = decode_text(bytes);
    let mut doc = Document::new(Format::Text);
    doc.metadata
        .insert("encoding".into(), decoded.encoding.to_string());
    if decoded.lossy {
        doc.warn(
            None,
            format!(
                "some bytes are not valid {}; they are shown as �",
                decoded.encoding
            ),
        );
    }
    let text = decoded.text.as_str();
    let start = text
        .char_indices()
        .nth(offset)
        .map_or(text.len(), |(i, _)| i);
    if offset > 0 && start == text.len() {
        doc.warn(None, format!("offset {offset} is past the end of the text"));
    }
    let rest = &text[start..];
    let end = chunk_end(rest, TEXT_CHUNK_BYTES);
    let mut part = Part::new(PartKind::Section, 1);
    paragraphs(&rest[..end], &mut part.blocks);
    doc.parts.push(part);
    if end < rest.len() {
        let chars = rest[..end].chars().count();
        doc.next = Some(Chunk::Offset {
            offset: offset + chars,
        });
    }
    Ok(doc)
}

/// Where a chunk of at most `max` bytes ends: at a paragraph break if there is one in the
/// second half, else at a line break, else at a char boundary.
pub fn chunk_end(text: &str, max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    let limit = floor_boundary(text, max);
    let window = &text[..limit];
    let half = limit / 2;
    if let Some(i) = window.rfind("\n\n").filter(|i| *i >= half) {
        return i + 2;
    }
    if let Some(i) = window.rfind('\n').filter(|i| *i >= half) {
        return i + 1;
    }
    limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_at_paragraphs() {
        let text = "aaaa\n\nbbbb\n\ncccc";
        assert_eq!(chunk_end(text, 11), 11);
        assert_eq!(chunk_end(text, 13), 12);
        assert_eq!(chunk_end(text, 100), text.len());
    }
}
