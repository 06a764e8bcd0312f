//! Small helpers the readers share: input limits, whitespace, paragraphs.

use cowork_docmodel::{Block, DocError, Format, ReadOptions};

/// Refuse input over `opts.max_input_bytes` before doing any work on it.
pub fn check_size(bytes: &[u8], format: Format, opts: &ReadOptions) -> Result<(), DocError> {
    if bytes.len() as u64 > opts.max_input_bytes {
        return Err(DocError::TooLarge {
            what: format!("this {format} file ({} bytes)", bytes.len()),
            limit: format!("{} bytes", opts.max_input_bytes),
        });
    }
    Ok(())
}

/// Collapse runs of whitespace to one space and trim.
pub fn collapse_ws(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Plain text as paragraphs: blank lines separate them; the lines inside one keep their
/// breaks (addresses, poems and tables of spaces stay as written), trailing blanks trimmed.
pub fn paragraphs(text: &str, out: &mut Vec<Block>) {
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            flush_paragraph(&mut current, out);
        } else {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
        }
    }
    flush_paragraph(&mut current, out);
}

fn flush_paragraph(current: &mut String, out: &mut Vec<Block>) {
    if !current.trim().is_empty() {
        out.push(Block::paragraph(std::mem::take(current)));
    }
    current.clear();
}

/// The largest index <= `index` that is a char boundary of `text`.
pub fn floor_boundary(text: &str, index: usize) -> usize {
    if index >= text.len() {
        return text.len();
    }
    let mut i = index;
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let mut blocks = Vec::new();
        paragraphs("a\nb  \n\n\n  \nc\n", &mut blocks);
        assert_eq!(
            blocks,
            vec![Block::paragraph("a\nb"), Block::paragraph("c")]
        );
        assert_eq!(collapse_ws("  a \n\t b "), "a b");
        assert_eq!(floor_boundary("é", 1), 0);
    }
}
