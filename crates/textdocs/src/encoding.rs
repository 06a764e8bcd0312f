//! Turning bytes of unknown encoding into text: BOM, UTF-8, UTF-16 without BOM, EBCDIC, and
//! otherwise chardetng's guess among the legacy encodings (Shift-JIS, windows-1252, GBK …).

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

use crate::ebcdic;

/// Text decoded from bytes, with the encoding that was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedText {
    pub text: String,
    /// The encoding's name: "UTF-8", "UTF-16LE", "Shift_JIS", "windows-1252", "IBM500" …
    pub encoding: &'static str,
    /// Some bytes were not valid in that encoding and became U+FFFD.
    pub lossy: bool,
}

/// How many bytes chardetng looks at: its verdict settles long before, and this bounds time.
const DETECT_SAMPLE: usize = 1024 * 1024;

/// Decode bytes of unknown encoding. Never fails: undecodable bytes become U+FFFD and
/// `lossy` says so.
pub fn decode_text(bytes: &[u8]) -> DecodedText {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        return decode_with(encoding, rest);
    }
    // Before the UTF-8 check: ASCII-range UTF-16 is valid UTF-8 (with a NUL every other byte).
    if let Some(encoding) = utf16_without_bom(bytes) {
        return decode_with(encoding, bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            return DecodedText {
                text: text.to_string(),
                encoding: UTF_8.name(),
                lossy: false,
            };
        }
        // Valid up to a sequence cut at the very end (a truncated file or a chunk boundary):
        // still UTF-8.
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => {
            return decode_with(UTF_8, bytes);
        }
        Err(_) => {}
    }
    if mostly_utf8(bytes) {
        return decode_with(UTF_8, bytes);
    }
    if let Some(page) = ebcdic::detect(bytes) {
        return DecodedText {
            text: ebcdic::decode(bytes, page),
            encoding: page.name(),
            lossy: false,
        };
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    let sample = &bytes[..bytes.len().min(DETECT_SAMPLE)];
    detector.feed(sample, sample.len() == bytes.len());
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    decode_with(encoding, bytes)
}

/// Decode with a known encoding (e.g. a `<meta charset>` or a MIME charset), BOM first.
pub fn decode_with_label(bytes: &[u8], label: &str) -> Option<DecodedText> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return Some(decode_with(
            encoding,
            bytes.get(bom_len..).unwrap_or_default(),
        ));
    }
    let encoding = Encoding::for_label(label.trim().as_bytes())?;
    // A page that says UTF-16 in its markup is ASCII-compatible bytes in practice (the
    // WHATWG rule): a real UTF-16 file would have had a BOM.
    let encoding = if encoding == UTF_16LE || encoding == UTF_16BE {
        UTF_8
    } else {
        encoding
    };
    Some(decode_with(encoding, bytes))
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> DecodedText {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    DecodedText {
        text: text.into_owned(),
        encoding: encoding.name(),
        lossy: had_errors,
    }
}

/// UTF-16 text without a BOM shows as NUL bytes on every other position (ASCII range text).
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut even_nul, mut odd_nul) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        if pair[0] == 0 {
            even_nul += 1;
        }
        if pair[1] == 0 {
            odd_nul += 1;
        }
    }
    // 40 % of the pairs with a NUL on one side and almost none on the other.
    if odd_nul * 10 >= pairs * 4 && even_nul * 20 <= pairs {
        Some(UTF_16LE)
    } else if even_nul * 10 >= pairs * 4 && odd_nul * 20 <= pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// UTF-8 with a few broken bytes (a stray Latin-1 byte in an otherwise UTF-8 file) is better
/// read as UTF-8 with replacements than re-guessed as a legacy encoding that garbles every
/// multi-byte character.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(DETECT_SAMPLE)];
    let (mut multibyte, mut errors) = (0usize, 0usize);
    let mut rest = sample;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                multibyte += valid.bytes().filter(|b| *b >= 0xC0).count();
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                multibyte += valid.iter().filter(|b| **b >= 0xC0).count();
                errors += 1;
                let skip = e.error_len().unwrap_or(after.len()).max(1);
                rest = after.get(skip..).unwrap_or_default();
            }
        }
    }
    multibyte >= 4 && errors * 10 <= multibyte
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_and_utf8() {
        let d = decode_text(b"\xEF\xBB\xBFhello");
        assert_eq!(
            (d.text.as_str(), d.encoding, d.lossy),
            ("hello", "UTF-8", false)
        );
        let d = decode_text(b"\xFF\xFEh\0i\0");
        assert_eq!((d.text.as_str(), d.encoding), ("hi", "UTF-16LE"));
        let d = decode_text(b"\xFE\xFF\0h\0i");
        assert_eq!((d.text.as_str(), d.encoding), ("hi", "UTF-16BE"));
        let d = decode_text("naïve café".as_bytes());
        assert_eq!(
            (d.text.as_str(), d.encoding, d.lossy),
            ("naïve café", "UTF-8", false)
        );
    }

    #[test]
    fn utf16_without_bom_is_found() {
        let bytes: Vec<u8> = "Hello world, a line of text"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let d = decode_text(&bytes);
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("Hello world, a line of text", "UTF-16LE")
        );
    }

    #[test]
    fn latin1_and_truncated_utf8() {
        let d = decode_text(b"Caf\xE9 cr\xE8me br\xFBl\xE9e, d\xE9j\xE0 vu");
        assert_eq!(d.text, "Café crème brûlée, déjà vu");
        assert_eq!(d.encoding, "windows-1252");
        let d = decode_text(b"caf\xC3\xA9 \xE2\x82");
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.lossy);
        assert!(d.text.starts_with("café"));
    }

    #[test]
    fn shift_jis() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("名前,年齢,住所\r\n佐藤太郎,30,東京\r\n");
        let d = decode_text(&bytes);
        assert_eq!(d.encoding, "Shift_JIS");
        assert!(d.text.contains("佐藤太郎"));
    }
}
