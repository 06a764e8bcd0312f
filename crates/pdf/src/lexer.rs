//! A tokenizer for content streams (and CMap programs, which share the syntax). Every token
//! consumes at least one byte, so a pass is linear in the stream length whatever the input;
//! nesting of arrays and dictionaries is capped.

/// One operand of a content-stream operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Num(f64),
    /// A string's bytes with escapes resolved (literal) or hex decoded.
    Str(Vec<u8>),
    Name(Vec<u8>),
    Array(Vec<Operand>),
    /// A dictionary (marked-content properties): its pairs, keys as names.
    Dict(Vec<(Vec<u8>, Operand)>),
    /// `true`, `false`, `null` and anything else we carry but do not interpret.
    Other,
}

impl Operand {
    pub(crate) fn num(&self) -> Option<f64> {
        match self {
            Operand::Num(n) => Some(*n),
            _ => None,
        }
    }
}

/// A token: an operand or an operator keyword.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token<'a> {
    Operand(Operand),
    Operator(&'a [u8]),
}

/// Arrays and dictionaries nested deeper than this are flattened to `Other`.
const MAX_NESTING: usize = 16;
/// Elements kept per array: a TJ array never needs more, and it bounds memory.
const MAX_ARRAY: usize = 100_000;

pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Lexer<'a> {
        Lexer { data, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn skip_white(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next token, or None at the end of the data.
    pub(crate) fn next_token(&mut self) -> Option<Token<'a>> {
        loop {
            self.skip_white();
            let b = self.peek()?;
            match b {
                b']' | b'>' | b')' | b'}' | b'{' => {
                    // Stray closers (and PostScript braces in CMaps) carry nothing for us.
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            if let Some(op) = self.operand(0) {
                return Some(Token::Operand(op));
            }
            // Not an operand: a keyword run up to the next delimiter or white space.
            let start = self.pos;
            while let Some(c) = self.peek() {
                if is_white(c) || is_delim(c) {
                    break;
                }
                self.pos += 1;
            }
            if self.pos == start {
                // A lone delimiter we cannot use: consume it to guarantee progress.
                self.pos += 1;
                continue;
            }
            let word = self.data.get(start..self.pos)?;
            match word {
                b"true" | b"false" | b"null" => return Some(Token::Operand(Operand::Other)),
                _ => return Some(Token::Operator(word)),
            }
        }
    }

    /// Parse an operand starting here, or None (without consuming) when the next thing is
    /// a keyword.
    fn operand(&mut self, depth: usize) -> Option<Operand> {
        self.skip_white();
        let b = self.peek()?;
        match b {
            b'(' => Some(Operand::Str(self.literal_string())),
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                Some(self.dict(depth))
            }
            b'<' => Some(Operand::Str(self.hex_string())),
            b'/' => {
                self.pos += 1;
                Some(Operand::Name(self.name()))
            }
            b'[' => {
                self.pos += 1;
                Some(self.array(depth))
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn array(&mut self, depth: usize) -> Operand {
        let mut items = Vec::new();
        loop {
            self.skip_white();
            match self.peek() {
                None => break,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => {}
            }
            let item = if depth >= MAX_NESTING {
                None
            } else {
                self.operand(depth + 1)
            };
            match item {
                Some(op) => {
                    if items.len() < MAX_ARRAY {
                        items.push(op);
                    }
                }
                None => {
                    // A keyword inside an array is malformed: skip it (one byte at least).
                    self.skip_word();
                }
            }
        }
        if depth >= MAX_NESTING {
            Operand::Other
        } else {
            Operand::Array(items)
        }
    }

    fn dict(&mut self, depth: usize) -> Operand {
        let mut pairs = Vec::new();
        loop {
            self.skip_white();
            match self.peek() {
                None => break,
                Some(b'>') => {
                    self.pos += 1;
                    if self.peek() == Some(b'>') {
                        self.pos += 1;
                    }
                    break;
                }
                Some(b'/') => {
                    self.pos += 1;
                    let key = self.name();
                    let value = if depth >= MAX_NESTING {
                        None
                    } else {
                        self.operand(depth + 1)
                    };
                    match value {
                        Some(v) => pairs.push((key, v)),
                        None => self.skip_word(),
                    }
                }
                Some(_) => self.skip_word(),
            }
        }
        Operand::Dict(pairs)
    }

    fn skip_word(&mut self) {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_white(c) || is_delim(c) {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            self.pos += 1;
        }
    }

    fn name(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            if is_white(c) || is_delim(c) {
                break;
            }
            self.pos += 1;
            if c == b'#'
                && let Some(v) = self
                    .data
                    .get(self.pos..self.pos + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                self.pos += 2;
                out.push(v);
                continue;
            }
            out.push(c);
        }
        out
    }

    fn number(&mut self) -> Option<Operand> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.' | b'e' | b'E') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let raw = self.data.get(start..self.pos)?;
        if let Some(v) = fast_number(raw) {
            return Some(Operand::Num(v));
        }
        let text = std::str::from_utf8(raw).ok()?;
        // Producers write oddities like "--5" or "1.2.3"; read what can be read, else 0.
        let value = text
            .parse::<f64>()
            .ok()
            .or_else(|| {
                text.trim_start_matches(['+', '-'])
                    .parse::<f64>()
                    .ok()
                    .map(|v| -v)
            })
            .unwrap_or(0.0);
        Some(Operand::Num(if value.is_finite() { value } else { 0.0 }))
    }

    fn literal_string(&mut self) -> Vec<u8> {
        self.pos += 1; // '('
        let mut out = Vec::new();
        let mut depth = 1usize;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                b'\\' => self.escape(&mut out),
                _ => out.push(c),
            }
        }
        out
    }

    fn escape(&mut self, out: &mut Vec<u8>) {
        let Some(e) = self.peek() else { return };
        self.pos += 1;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'\r' => {
                if self.peek() == Some(b'\n') {
                    self.pos += 1;
                }
            }
            b'\n' => {}
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xFF) as u8);
            }
            other => out.push(other),
        }
    }

    fn hex_string(&mut self) -> Vec<u8> {
        self.pos += 1; // '<'
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(c) = self.peek() {
            self.pos += 1;
            let v = match c {
                b'>' => break,
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => continue,
            };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        out
    }

    /// After a `BI` operator: skip the inline image's parameters and data up to and including
    /// `EI`. The data is binary, so `EI` counts only between white space (the usual heuristic).
    pub(crate) fn skip_inline_image(&mut self) {
        // Parameters are key/value tokens up to the `ID` keyword.
        while let Some(tok) = self.next_token() {
            if tok == Token::Operator(b"ID") {
                break;
            }
        }
        self.pos += 1; // the single white-space byte after ID
        let data = self.data;
        let mut i = self.pos;
        while i + 2 <= data.len() {
            if data.get(i..i + 2) == Some(b"EI")
                && i > 0
                && data.get(i - 1).copied().is_some_and(is_white)
                && data.get(i + 2).is_none_or(|&c| is_white(c))
            {
                self.pos = i + 2;
                return;
            }
            i += 1;
        }
        self.pos = data.len();
    }
}

/// The common forms `-12`, `3.25`, `.5` without going through float parsing of a string
/// (content streams are mostly numbers); None for anything else.
fn fast_number(raw: &[u8]) -> Option<f64> {
    let (neg, digits) = match raw.first()? {
        b'-' => (true, raw.get(1..)?),
        b'+' => (false, raw.get(1..)?),
        _ => (false, raw),
    };
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let mut int: u64 = 0;
    let mut frac: u64 = 0;
    let mut scale: u64 = 1;
    let mut seen_dot = false;
    for &c in digits {
        match c {
            b'0'..=b'9' if seen_dot => {
                frac = frac * 10 + u64::from(c - b'0');
                scale *= 10;
            }
            b'0'..=b'9' => int = int * 10 + u64::from(c - b'0'),
            b'.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    let v = int as f64 + frac as f64 / scale as f64;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &[u8]) -> Vec<Token<'_>> {
        let mut lx = Lexer::new(src);
        std::iter::from_fn(|| lx.next_token()).collect()
    }

    #[test]
    fn strings_numbers_arrays() {
        let t = tokens(b"BT /F1 12 Tf [(A\\(b\\)) -250 <4142>] TJ (x\\101\\\ny) Tj ET");
        assert_eq!(t[0], Token::Operator(b"BT"));
        assert_eq!(t[1], Token::Operand(Operand::Name(b"F1".to_vec())));
        assert_eq!(t[2], Token::Operand(Operand::Num(12.0)));
        assert_eq!(
            t[4],
            Token::Operand(Operand::Array(vec![
                Operand::Str(b"A(b)".to_vec()),
                Operand::Num(-250.0),
                Operand::Str(b"AB".to_vec()),
            ]))
        );
        assert_eq!(t[6], Token::Operand(Operand::Str(b"xAy".to_vec())));
        let n = tokens(b"-12 3.25 .5 +7 1e2 --3 4.");
        let vals: Vec<f64> = n
            .iter()
            .map(|t| match t {
                Token::Operand(o) => o.num().unwrap(),
                _ => f64::NAN,
            })
            .collect();
        assert_eq!(vals, vec![-12.0, 3.25, 0.5, 7.0, 100.0, -3.0, 4.0]);
    }

    #[test]
    fn inline_image_and_garbage_terminate() {
        let src = b"BI /W 2 /H 2 ID \x00EI\x01 EI Q (after) Tj";
        let mut lx = Lexer::new(src);
        assert_eq!(lx.next_token(), Some(Token::Operator(b"BI")));
        lx.skip_inline_image();
        assert_eq!(lx.next_token(), Some(Token::Operator(b"Q")));
        // Unbalanced garbage still ends.
        assert!(tokens(b"[[[[<<<< ((( \\").len() < 10);
        let deep = "[".repeat(10_000);
        assert_eq!(tokens(deep.as_bytes()).len(), 1);
    }
}
