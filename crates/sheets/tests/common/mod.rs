//! Helpers shared by the integration tests: corpus paths and table lookups.
#![allow(dead_code)]

use cowork_docmodel::{Block, CellRange, Document, Format, ReadOptions, Table};

/// Bytes of a corpus file, read in place from the shared corpus beside the repository.
pub fn corpus(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../shared/corpus/xlsx/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("corpus file {path}: {e}"))
}

pub fn corpus_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(format!(
        "{}/../../../shared/corpus/xlsx",
        env!("CARGO_MANIFEST_DIR")
    ))
}

pub fn format_of(name: &str) -> Format {
    if name.ends_with(".xls") {
        Format::Xls
    } else if name.ends_with(".ods") {
        Format::Ods
    } else {
        Format::Xlsx
    }
}

/// Read a corpus file with default options.
pub fn read(name: &str) -> Document {
    read_with(name, &ReadOptions::default())
}

pub fn read_with(name: &str, opts: &ReadOptions) -> Document {
    cowork_sheets::read_spreadsheet(&corpus(name), format_of(name), opts)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The table of sheet part `index` (0-based among the parts read).
pub fn table(doc: &Document, index: usize) -> &Table {
    doc.parts[index]
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .unwrap_or_else(|| panic!("part {index} has no table: {:?}", doc.parts[index]))
}

/// The displayed text of cell `a1` (absolute reference) of a table, using its origin.
pub fn cell<'a>(t: &'a Table, a1: &str) -> &'a str {
    let origin = CellRange::parse(t.origin.as_deref().unwrap_or("A1")).unwrap();
    let at = CellRange::parse(a1).unwrap();
    let row = (at.first_row - origin.first_row) as usize;
    let col = (at.first_col - origin.first_col) as usize;
    t.rows
        .get(row)
        .and_then(|r| r.get(col))
        .map(String::as_str)
        .unwrap_or_else(|| panic!("{a1} is outside the table (origin {:?})", t.origin))
}

pub fn range(a1: &str) -> Option<CellRange> {
    Some(CellRange::parse(a1).unwrap())
}

/// A zip archive of these entries (deflated; a `mimetype` entry is stored, as ODF wants).
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        for (name, data) in entries {
            let method = if *name == "mimetype" {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            let opts = zip::write::SimpleFileOptions::default().compression_method(method);
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }
    buf.into_inner()
}

/// A minimal xlsx package around one worksheet XML (and optional shared strings).
pub fn minimal_xlsx(sheet: &[u8], shared: Option<&[u8]>) -> Vec<u8> {
    let mut entries: Vec<(&str, &[u8])> = vec![
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
    ];
    if let Some(shared) = shared {
        entries.push(("xl/sharedStrings.xml", shared));
    }
    entries.push(("xl/worksheets/sheet1.xml", sheet));
    zip_of(&entries)
}

/// A worksheet XML with these rows (and anything to put after sheetData, e.g. mergeCells).
pub fn sheet_xml_with(rows: &str, after: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData>{after}</worksheet>"#
    )
    .into_bytes()
}

pub fn sheet_xml(rows: &str) -> Vec<u8> {
    sheet_xml_with(rows, "")
}
