//! EBCDIC decoding (IBM code pages 037 and 500), which encoding_rs does not carry.
//!
//! Mainframe exports still turn up in shared folders; they are plain text in another byte
//! table. Detection is a heuristic on byte frequencies: EBCDIC text is dense in 0x40 (space)
//! and in the letter ranges 0x81–0xA9 / 0xC1–0xE9, where ASCII text has almost nothing.

/// Code page 037 (US/Canada EBCDIC), byte → char, generated from Python's `cp037` codec.
static CP037: [char; 256] = [
    '\u{0000}', '\u{0001}', '\u{0002}', '\u{0003}', '\u{009c}', '\u{0009}', '\u{0086}',
    '\u{007f}', // 0x00
    '\u{0097}', '\u{008d}', '\u{008e}', '\u{000b}', '\u{000c}', '\u{000d}', '\u{000e}',
    '\u{000f}', // 0x08
    '\u{0010}', '\u{0011}', '\u{0012}', '\u{0013}', '\u{009d}', '\u{0085}', '\u{0008}',
    '\u{0087}', // 0x10
    '\u{0018}', '\u{0019}', '\u{0092}', '\u{008f}', '\u{001c}', '\u{001d}', '\u{001e}',
    '\u{001f}', // 0x18
    '\u{0080}', '\u{0081}', '\u{0082}', '\u{0083}', '\u{0084}', '\u{000a}', '\u{0017}',
    '\u{001b}', // 0x20
    '\u{0088}', '\u{0089}', '\u{008a}', '\u{008b}', '\u{008c}', '\u{0005}', '\u{0006}',
    '\u{0007}', // 0x28
    '\u{0090}', '\u{0091}', '\u{0016}', '\u{0093}', '\u{0094}', '\u{0095}', '\u{0096}',
    '\u{0004}', // 0x30
    '\u{0098}', '\u{0099}', '\u{009a}', '\u{009b}', '\u{0014}', '\u{0015}', '\u{009e}',
    '\u{001a}', // 0x38
    '\u{0020}', '\u{00a0}', '\u{00e2}', '\u{00e4}', '\u{00e0}', '\u{00e1}', '\u{00e3}',
    '\u{00e5}', // 0x40
    '\u{00e7}', '\u{00f1}', '\u{00a2}', '\u{002e}', '\u{003c}', '\u{0028}', '\u{002b}',
    '\u{007c}', // 0x48
    '\u{0026}', '\u{00e9}', '\u{00ea}', '\u{00eb}', '\u{00e8}', '\u{00ed}', '\u{00ee}',
    '\u{00ef}', // 0x50
    '\u{00ec}', '\u{00df}', '\u{0021}', '\u{0024}', '\u{002a}', '\u{0029}', '\u{003b}',
    '\u{00ac}', // 0x58
    '\u{002d}', '\u{002f}', '\u{00c2}', '\u{00c4}', '\u{00c0}', '\u{00c1}', '\u{00c3}',
    '\u{00c5}', // 0x60
    '\u{00c7}', '\u{00d1}', '\u{00a6}', '\u{002c}', '\u{0025}', '\u{005f}', '\u{003e}',
    '\u{003f}', // 0x68
    '\u{00f8}', '\u{00c9}', '\u{00ca}', '\u{00cb}', '\u{00c8}', '\u{00cd}', '\u{00ce}',
    '\u{00cf}', // 0x70
    '\u{00cc}', '\u{0060}', '\u{003a}', '\u{0023}', '\u{0040}', '\u{0027}', '\u{003d}',
    '\u{0022}', // 0x78
    '\u{00d8}', '\u{0061}', '\u{0062}', '\u{0063}', '\u{0064}', '\u{0065}', '\u{0066}',
    '\u{0067}', // 0x80
    '\u{0068}', '\u{0069}', '\u{00ab}', '\u{00bb}', '\u{00f0}', '\u{00fd}', '\u{00fe}',
    '\u{00b1}', // 0x88
    '\u{00b0}', '\u{006a}', '\u{006b}', '\u{006c}', '\u{006d}', '\u{006e}', '\u{006f}',
    '\u{0070}', // 0x90
    '\u{0071}', '\u{0072}', '\u{00aa}', '\u{00ba}', '\u{00e6}', '\u{00b8}', '\u{00c6}',
    '\u{00a4}', // 0x98
    '\u{00b5}', '\u{007e}', '\u{0073}', '\u{0074}', '\u{0075}', '\u{0076}', '\u{0077}',
    '\u{0078}', // 0xA0
    '\u{0079}', '\u{007a}', '\u{00a1}', '\u{00bf}', '\u{00d0}', '\u{00dd}', '\u{00de}',
    '\u{00ae}', // 0xA8
    '\u{005e}', '\u{00a3}', '\u{00a5}', '\u{00b7}', '\u{00a9}', '\u{00a7}', '\u{00b6}',
    '\u{00bc}', // 0xB0
    '\u{00bd}', '\u{00be}', '\u{005b}', '\u{005d}', '\u{00af}', '\u{00a8}', '\u{00b4}',
    '\u{00d7}', // 0xB8
    '\u{007b}', '\u{0041}', '\u{0042}', '\u{0043}', '\u{0044}', '\u{0045}', '\u{0046}',
    '\u{0047}', // 0xC0
    '\u{0048}', '\u{0049}', '\u{00ad}', '\u{00f4}', '\u{00f6}', '\u{00f2}', '\u{00f3}',
    '\u{00f5}', // 0xC8
    '\u{007d}', '\u{004a}', '\u{004b}', '\u{004c}', '\u{004d}', '\u{004e}', '\u{004f}',
    '\u{0050}', // 0xD0
    '\u{0051}', '\u{0052}', '\u{00b9}', '\u{00fb}', '\u{00fc}', '\u{00f9}', '\u{00fa}',
    '\u{00ff}', // 0xD8
    '\u{005c}', '\u{00f7}', '\u{0053}', '\u{0054}', '\u{0055}', '\u{0056}', '\u{0057}',
    '\u{0058}', // 0xE0
    '\u{0059}', '\u{005a}', '\u{00b2}', '\u{00d4}', '\u{00d6}', '\u{00d2}', '\u{00d3}',
    '\u{00d5}', // 0xE8
    '\u{0030}', '\u{0031}', '\u{0032}', '\u{0033}', '\u{0034}', '\u{0035}', '\u{0036}',
    '\u{0037}', // 0xF0
    '\u{0038}', '\u{0039}', '\u{00b3}', '\u{00db}', '\u{00dc}', '\u{00d9}', '\u{00da}',
    '\u{009f}', // 0xF8
];

/// Code page 500 (International EBCDIC) differs from 037 only in these seven positions.
const CP500_DIFF: [(u8, char); 7] = [
    (0x4A, '['),
    (0x4F, '!'),
    (0x5A, ']'),
    (0x5F, '^'),
    (0xB0, '¢'),
    (0xBA, '¬'),
    (0xBB, '|'),
];

/// Which EBCDIC code page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePage {
    Cp037,
    Cp500,
}

impl CodePage {
    pub fn name(self) -> &'static str {
        match self {
            CodePage::Cp037 => "IBM037",
            CodePage::Cp500 => "IBM500",
        }
    }
}

fn is_ebcdic_letter_or_digit(b: u8) -> bool {
    matches!(b, 0x81..=0x89 | 0x91..=0x99 | 0xA2..=0xA9 | 0xC1..=0xC9 | 0xD1..=0xD9 | 0xE2..=0xE9 | 0xF0..=0xF9)
}

/// Whether these bytes look like EBCDIC text, and which code page fits best. Only the first
/// 64 KiB are looked at: enough for a verdict, bounded time.
pub fn detect(bytes: &[u8]) -> Option<CodePage> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.len() < 16 {
        return None;
    }
    let mut counts = [0usize; 256];
    for &b in sample {
        counts[usize::from(b)] += 1;
    }
    let n = sample.len();
    let spaces = counts[0x40];
    let letters: usize = (0u8..=255)
        .filter(|b| is_ebcdic_letter_or_digit(*b))
        .map(|b| counts[usize::from(b)])
        .sum();
    // Line ends (CR, LF 0x25, NL 0x15) and the common punctuation of 037/500.
    let punctuation: usize = [
        0x0D, 0x25, 0x15, 0x4B, 0x6B, 0x7D, 0x7F, 0x5D, 0x4D, 0x60, 0x61, 0x7A, 0x5E,
    ]
    .iter()
    .map(|&b| counts[b])
    .sum();
    let ascii_space = counts[0x20];
    // Text is at least 5 % spaces and 80 % letters/spaces/punctuation; real ASCII or UTF-8
    // text has its spaces at 0x20 and almost no bytes above 0x80.
    let looks_like_text = spaces * 20 >= n && (spaces + letters + punctuation) * 10 >= n * 8;
    if !looks_like_text || ascii_space * 4 > spaces {
        return None;
    }
    // '!' and '[' sit at 0x4F/0x4A in 500 but at 0x5A/0xBA in 037; the other meanings
    // (|, ¢, ], ¬) are rarer in prose, so whichever reading yields more '!' and '[' wins.
    let score500 = counts[0x4F] + counts[0x4A];
    let score037 = counts[0x5A] + counts[0xBA];
    Some(if score500 > score037 {
        CodePage::Cp500
    } else {
        CodePage::Cp037
    })
}

/// Decode EBCDIC bytes. NL (0x15) becomes a line feed, as text tools expect.
pub fn decode(bytes: &[u8], page: CodePage) -> String {
    let mut table = CP037;
    if page == CodePage::Cp500 {
        for (byte, c) in CP500_DIFF {
            table[usize::from(byte)] = c;
        }
    }
    table[0x15] = '\n';
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        out.push(table[usize::from(b)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_pages() {
        // "Hello, World!" in cp500.
        let cp500 = [
            0xC8, 0x85, 0x93, 0x93, 0x96, 0x6B, 0x40, 0xE6, 0x96, 0x99, 0x93, 0x84, 0x4F,
        ];
        assert_eq!(decode(&cp500, CodePage::Cp500), "Hello, World!");
        assert_eq!(decode(&[0x5A], CodePage::Cp037), "!");
        assert_eq!(decode(&[0xBA, 0xBB], CodePage::Cp037), "[]");
    }

    #[test]
    fn ascii_is_not_ebcdic() {
        assert_eq!(
            detect(b"This is plain ASCII text, with spaces and words."),
            None
        );
    }
}
