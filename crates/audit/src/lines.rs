//! Reading the log's lines: all of them in order, or only the last one.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::ops::ControlFlow;

/// One line of the log as stored.
pub(crate) struct RawLine {
    /// The line's bytes without the newline.
    pub bytes: Vec<u8>,
    /// False for a last line that has no newline: it was cut mid-write or truncated.
    pub complete: bool,
}

/// Call `each` for every line of `file`, in order, until it breaks or the file ends.
pub(crate) fn for_each_line(
    file: File,
    mut each: impl FnMut(RawLine) -> ControlFlow<()>,
) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    loop {
        let mut bytes = Vec::new();
        let n = reader.read_until(b'\n', &mut bytes)?;
        if n == 0 {
            return Ok(());
        }
        let complete = bytes.last() == Some(&b'\n');
        if complete {
            bytes.pop();
        }
        if each(RawLine { bytes, complete }).is_break() {
            return Ok(());
        }
    }
}

/// The end of the log.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Tail {
    Empty,
    /// The last complete line (without its newline); the file ends with a newline.
    Line(Vec<u8>),
    /// The file does not end with a newline; these are the bytes after the last newline.
    Partial(Vec<u8>),
}

/// Read the end of the first `len` bytes of `file`, growing the window backwards until a whole
/// line fits (records with `include_content` can be large).
pub(crate) fn read_tail(mut file: &File, len: u64) -> io::Result<Tail> {
    if len == 0 {
        return Ok(Tail::Empty);
    }
    let mut window: u64 = 8 * 1024;
    loop {
        let window_len = window.min(len);
        let start = len - window_len;
        file.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::with_capacity(usize::try_from(window_len).unwrap_or(0));
        file.take(window_len).read_to_end(&mut buf)?;
        if (buf.len() as u64) < window_len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the log became shorter while it was being read",
            ));
        }
        let ends_with_newline = buf.last() == Some(&b'\n');
        let body = if ends_with_newline {
            &buf[..buf.len() - 1]
        } else {
            &buf[..]
        };
        let line_start = match body.iter().rposition(|b| *b == b'\n') {
            Some(p) => Some(p + 1),
            None if start == 0 => Some(0),
            None => None,
        };
        if let Some(s) = line_start {
            let line = body[s..].to_vec();
            return Ok(if ends_with_newline {
                Tail::Line(line)
            } else {
                Tail::Partial(line)
            });
        }
        window = window.saturating_mul(2);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn tail_of(content: &[u8]) -> Tail {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(content).unwrap();
        read_tail(&f, content.len() as u64).unwrap()
    }

    #[test]
    fn finds_the_last_line_even_when_it_is_longer_than_the_window() {
        assert_eq!(tail_of(b""), Tail::Empty);
        assert_eq!(tail_of(b"a\n"), Tail::Line(b"a".to_vec()));
        assert_eq!(tail_of(b"a\nbc\n"), Tail::Line(b"bc".to_vec()));
        assert_eq!(tail_of(b"a\nbc"), Tail::Partial(b"bc".to_vec()));
        assert_eq!(tail_of(b"abc"), Tail::Partial(b"abc".to_vec()));
        let long = vec![b'x'; 100_000];
        let mut content = b"first\n".to_vec();
        content.extend_from_slice(&long);
        content.push(b'\n');
        assert_eq!(tail_of(&content), Tail::Line(long));
    }
}
