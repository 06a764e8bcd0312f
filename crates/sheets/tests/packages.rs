//! Hand-built packages for behaviour the corpus does not pin down: a value left inside a
//! merged region, sheet selection by number, ODS cells, formulas and encryption.

mod common;

use common::{cell, minimal_xlsx, read, sheet_xml_with, table, zip_of};
use cowork_docmodel::{DocError, Format, PageRange, ReadOptions};
use cowork_sheets::{CellValue, read_cells, read_spreadsheet};

#[test]
fn a_stale_value_inside_a_merge_is_not_shown() {
    // Excel shows only A1 of A1:B2 even when the file still stores a value in B1.
    let sheet = sheet_xml_with(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>top</t></is></c><c r="B1" t="inlineStr"><is><t>stale</t></is></c><c r="C1"><v>3</v></c></row><row r="2"><c r="B2"><v>9</v></c><c r="C2"><v>4</v></c></row>"#,
        r#"<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>"#,
    );
    let bytes = minimal_xlsx(&sheet, None);
    let doc = read_spreadsheet(&bytes, Format::Xlsx, &ReadOptions::default()).unwrap();
    let t = table(&doc, 0);
    assert_eq!(t.rows, [["top", "", "3"], ["", "", "4"]]);
}

#[test]
fn pages_select_sheets_by_number() {
    let opts = ReadOptions {
        pages: Some(PageRange::parse("2").unwrap()),
        ..ReadOptions::default()
    };
    let doc = common::read_with("markitdown__test.xlsx", &opts);
    assert_eq!(doc.parts.len(), 1);
    assert_eq!(doc.parts[0].number, 2);
    assert_eq!(doc.total_parts, Some(2));
    assert_eq!(read("markitdown__test.xlsx").parts.len(), 2);
}

const MANIFEST: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

const CONTENT: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>
<table:table table:name="Data">
<table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Amount</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>When</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>apples</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1.5"><text:p>1.5</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2024-01-31"><text:p>01/31/24</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>total</text:p></table:table-cell><table:table-cell table:formula="of:=SUM([.B2])" office:value-type="float" office:value="1.5"><text:p>1.5</text:p></table:table-cell></table:table-row>
</table:table>
<table:table table:name="Empty"><table:table-row><table:table-cell/></table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"#;

fn ods(manifest: &[u8]) -> Vec<u8> {
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", CONTENT),
    ])
}

#[test]
fn ods_cells_dates_and_formulas() {
    let bytes = ods(MANIFEST);
    let doc = read_spreadsheet(&bytes, Format::Ods, &ReadOptions::default()).unwrap();
    assert_eq!(doc.metadata["sheet_names"], "Data, Empty");
    let t = table(&doc, 0);
    assert_eq!(t.rows[0], ["Name", "Amount", "When"]);
    assert_eq!(t.header_rows, 1);
    assert_eq!(cell(t, "B2"), "1.5");
    assert_eq!(cell(t, "C2"), "2024-01-31");
    assert_eq!(cell(t, "B3"), "1.5");
    assert_eq!(t.formulas.len(), 1);
    assert_eq!(t.formulas[0].cell, "B3");
    assert_eq!(t.formulas[0].formula, "=SUM([.B2])");
    let cells = read_cells(&bytes, Format::Ods, Some("data")).unwrap();
    assert_eq!(cells[0].rows[1][1], CellValue::Float(1.5));
    assert_eq!(
        cells[0].rows[1][2],
        CellValue::DateTime("2024-01-31".into())
    );
}

#[test]
fn encrypted_ods_is_reported() {
    let manifest = br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1" manifest:checksum="x"/></manifest:file-entry></manifest:manifest>"#;
    let err = read_spreadsheet(&ods(manifest), Format::Ods, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, DocError::Encrypted { .. }), "{err:?}");
}
