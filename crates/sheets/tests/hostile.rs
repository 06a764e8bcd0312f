//! Hostile inputs: truncated files, random bytes, zip bombs (honest and lying headers),
//! deeply nested and entity-bomb XML, encrypted containers. Each gives a clear error or a
//! bounded partial read, never a panic.

mod common;

use std::time::Instant;

use common::{corpus, minimal_xlsx, sheet_xml};
use cowork_docmodel::{DocError, Format, ReadOptions};
use cowork_sheets::{read_cells, read_spreadsheet};

fn read(
    bytes: &[u8],
    format: Format,
    opts: &ReadOptions,
) -> Result<cowork_docmodel::Document, DocError> {
    read_spreadsheet(bytes, format, opts)
}

#[test]
fn minimal_package_reads() {
    let bytes = minimal_xlsx(
        &sheet_xml(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>hello</t></is></c><c r="B1"><v>2.5</v></c></row>"#,
        ),
        None,
    );
    let doc = read(&bytes, Format::Xlsx, &ReadOptions::default()).unwrap();
    assert!(
        doc.plain_text().contains("hello 2.5"),
        "{}",
        doc.plain_text()
    );
}

#[test]
fn truncated_files_are_clear_errors() {
    for name in [
        "markitdown__test.xlsx",
        "tika__testEXCEL.strict.xlsx",
        "markitdown__test.xls",
    ] {
        let bytes = corpus(name);
        let format = common::format_of(name);
        for cut in [10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 100] {
            match read(&bytes[..cut], format, &ReadOptions::default()) {
                Ok(doc) => assert!(
                    !doc.warnings.is_empty() || !doc.parts.is_empty(),
                    "{name} cut at {cut}"
                ),
                Err(e) => {
                    assert!(!matches!(e, DocError::ReaderPanicked { .. }), "{name}: {e}");
                    assert!(!e.to_string().is_empty());
                }
            }
        }
    }
    let err = read(
        &corpus("markitdown__test.xlsx")[..5000],
        Format::Xlsx,
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, DocError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn random_bytes_never_panic() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let prefixes: [&[u8]; 3] = [
        b"",
        b"PK\x03\x04",
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
    ];
    for size in [0usize, 1, 7, 100, 513, 4096, 70_000] {
        for prefix in prefixes {
            let mut bytes = prefix.to_vec();
            bytes.extend((0..size).map(|_| next() as u8));
            for format in [Format::Xlsx, Format::Xls, Format::Ods] {
                let result = read(&bytes, format, &ReadOptions::default());
                assert!(result.is_err(), "{size} random bytes read as {format}");
                let _ = read_cells(&bytes, format, None);
            }
        }
    }
    // Damage inside a real workbook (flipped bytes in the middle of the xls stream).
    let mut xls = corpus("markitdown__test.xls");
    for i in (2000..xls.len()).step_by(97) {
        xls[i] ^= 0x5A;
    }
    let _ = read(&xls, Format::Xls, &ReadOptions::default());
}

#[test]
fn zip_bomb_is_refused_before_inflating() {
    // 64 MB of one byte compresses to ~64 KB; the budget here is 8 MB.
    let mut big = Vec::with_capacity(64 << 20);
    big.extend_from_slice(br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#);
    big.resize(64 << 20, b' ');
    let bytes = minimal_xlsx(&big, None);
    assert!(bytes.len() < 1 << 20);
    let opts = ReadOptions {
        max_expanded_bytes: 8 << 20,
        ..ReadOptions::default()
    };
    let start = Instant::now();
    let err = read(&bytes, Format::Xlsx, &opts).unwrap_err();
    assert!(matches!(err, DocError::TooLarge { .. }), "{err:?}");
    assert!(start.elapsed().as_millis() < 2000, "{:?}", start.elapsed());
    assert!(err.to_string().contains("sheet1.xml"), "{err}");
}

/// Patch the declared uncompressed size of `entry` (local header and central directory).
fn lie_about_size(zip: &mut [u8], entry: &str, size: u32) {
    let name = entry.as_bytes();
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46 + name.len()) {
        let sig = &zip[i..i + 4];
        if sig == b"PK\x03\x04" && &zip[i + 30..i + 30 + name.len()] == name {
            zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        } else if sig == b"PK\x01\x02" && &zip[i + 46..i + 46 + name.len()] == name {
            zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both headers of {entry} patched");
}

#[test]
fn lying_zip_header_cannot_inflate_past_its_claim() {
    let mut rows = String::new();
    for r in 1..=200_000 {
        rows.push_str(&format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#));
    }
    let mut bytes = minimal_xlsx(&sheet_xml(&rows), None);
    lie_about_size(&mut bytes, "xl/worksheets/sheet1.xml", 4096);
    let start = Instant::now();
    match read(&bytes, Format::Xlsx, &ReadOptions::default()) {
        // The entry stops at its declared size: at most what fits in 4 KB was read.
        Ok(doc) => {
            eprintln!("{:?}", doc.warnings);
            assert!(!doc.warnings.is_empty(), "a warning says the sheet stopped");
            let text = doc.plain_text();
            assert!(!text.contains("200000"), "read past the declared size");
        }
        Err(e) => assert!(!matches!(e, DocError::ReaderPanicked { .. }), "{e}"),
    }
    assert!(start.elapsed().as_secs() < 10);
}

#[test]
fn deep_nesting_and_entity_bombs_are_bounded() {
    // 100 000 nested elements inside a cell.
    let deep = format!(
        r#"<row r="1"><c r="A1" t="inlineStr"><is>{}<t>deep</t>{}</is></c></row>"#,
        "<r>".repeat(100_000),
        "</r>".repeat(100_000)
    );
    let bytes = minimal_xlsx(&sheet_xml(&deep), None);
    let start = Instant::now();
    let _ = read(&bytes, Format::Xlsx, &ReadOptions::default());
    assert!(start.elapsed().as_secs() < 10);

    // Billion laughs in the shared strings: entities are not expanded.
    let mut dtd = String::from(r#"<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY lol0 "lol">"#);
    for i in 1..10 {
        let prev = format!("&lol{};", i - 1);
        dtd.push_str(&format!(r#"<!ENTITY lol{i} "{}">"#, prev.repeat(10)));
    }
    dtd.push_str("]>");
    let shared = format!(
        r#"{dtd}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>"#
    );
    let sheet = sheet_xml(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#);
    let bytes = minimal_xlsx(&sheet, Some(shared.as_bytes()));
    let start = Instant::now();
    if let Ok(doc) = read(&bytes, Format::Xlsx, &ReadOptions::default()) {
        assert!(doc.plain_text().len() < 10_000, "entities were expanded");
    }
    assert!(start.elapsed().as_secs() < 10);
}

#[test]
fn encrypted_and_wrong_formats() {
    // Office's encrypted xlsx: a CFB container with EncryptionInfo / EncryptedPackage streams.
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.resize(1024, 0);
    cfb.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    cfb.resize(4096, 0);
    let err = read(&cfb, Format::Xlsx, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, DocError::Encrypted { .. }), "{err:?}");
    assert!(err.to_string().contains("password"), "{err}");

    // An xlsx handed over as xls (and the reverse) is read by its container.
    let doc = read(
        &corpus("markitdown__test.xlsx"),
        Format::Xls,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(doc.parts.len(), 2);
    let doc = read(
        &corpus("markitdown__test.xls"),
        Format::Xlsx,
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(doc.parts.len(), 2);

    let err = read(b"%PDF-1.7", Format::Pdf, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, DocError::Unsupported { .. }), "{err:?}");

    let opts = ReadOptions {
        max_input_bytes: 100,
        ..ReadOptions::default()
    };
    let err = read(&corpus("markitdown__test.xlsx"), Format::Xlsx, &opts).unwrap_err();
    assert!(matches!(err, DocError::TooLarge { .. }), "{err:?}");
}

#[test]
fn extreme_coordinates_and_odd_ranges() {
    // Cells at the far corners of what u32 coordinates allow: no overflow, no huge grid.
    let sheet = common::sheet_xml(
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#,
    );
    let bytes = minimal_xlsx(&sheet, None);
    let doc = read(&bytes, Format::Xlsx, &ReadOptions::default()).unwrap();
    let t = common::table(&doc, 0);
    let trunc = t.truncated.as_ref().unwrap();
    assert_eq!((trunc.total_rows, trunc.total_cols), (1_048_576, 16_384));
    assert_eq!(t.rows.len(), 200);
    assert_eq!(t.rows[0].len(), 256);
    assert!(doc.warnings.iter().any(|w| w.message.contains("columns")));
    let err = read_cells(&bytes, Format::Xlsx, None).unwrap_err();
    assert!(matches!(err, DocError::TooLarge { .. }), "{err:?}");
    // A range built upside down by hand is read the right way up.
    let opts = ReadOptions {
        range: Some(cowork_docmodel::CellRange {
            first_row: 3,
            first_col: 2,
            last_row: 0,
            last_col: 0,
        }),
        ..ReadOptions::default()
    };
    let doc = read(&bytes, Format::Xlsx, &opts).unwrap();
    let t = common::table(&doc, 0);
    assert_eq!(t.origin.as_deref(), Some("A1"));
    assert_eq!(t.rows.len(), 4);
}
