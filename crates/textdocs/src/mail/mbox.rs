//! Splitting an mbox file into its messages, without copying them.

/// The messages of an mbox: each slice starts after its `From ` separator line. A line
/// separates messages when it is a postmark — `From sender Mon Jan  1 00:00:00 2024`, with a
/// time and a year — so an unescaped "From here on …" in a body does not split it, and a
/// writer that left out the blank line before the postmark is still understood.
pub fn split(bytes: &[u8]) -> Vec<&[u8]> {
    let mut starts: Vec<(usize, usize)> = Vec::new(); // (separator start, body start)
    let mut pos = 0;
    while pos < bytes.len() {
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| pos + i + 1);
        let line = &bytes[pos..end];
        if is_postmark(line) {
            starts.push((pos, end));
        }
        pos = end;
    }
    let mut messages = Vec::with_capacity(starts.len());
    for (i, &(_, body)) in starts.iter().enumerate() {
        let stop = starts.get(i + 1).map_or(bytes.len(), |&(sep, _)| sep);
        if let Some(msg) = bytes.get(body..stop)
            && !msg.iter().all(u8::is_ascii_whitespace)
        {
            messages.push(msg);
        }
    }
    messages
}

/// `From <sender> <date>`: a sender word, then a time (hh:mm) and a four-digit year.
fn is_postmark(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let text = String::from_utf8_lossy(rest);
    let mut words = text.split_whitespace();
    let Some(_sender) = words.next() else {
        return false;
    };
    let rest: Vec<&str> = words.collect();
    let has_time = rest.iter().any(|w| {
        let b = w.as_bytes();
        b.len() >= 4
            && b.iter().filter(|c| **c == b':').count() >= 1
            && b.iter().all(|c| c.is_ascii_digit() || *c == b':')
    });
    let has_year = rest
        .iter()
        .any(|w| w.len() == 4 && w.bytes().all(|c| c.is_ascii_digit()));
    has_time && has_year
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_from_lines_after_blank_lines() {
        let mbox = b"From a@x Mon Jan 1 00:00:00 2024\nSubject: one\n\nbody\nFrom here on, text\n\nFrom b@x Tue Jan 2 00:00:00 2024\r\nSubject: two\r\n\r\nbody two\r\nFrom MAILER-DAEMON Fri Jul  8 12:08:34 2011\nSubject: three\n\nx\n";
        let msgs = split(mbox);
        assert_eq!(msgs.len(), 3);
        assert!(msgs[0].starts_with(b"Subject: one"));
        assert!(msgs[0].ends_with(b"From here on, text\n\n"));
        assert!(msgs[1].starts_with(b"Subject: two"));
    }
}
