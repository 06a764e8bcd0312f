//! Golden tests on real corpus spreadsheets, read in place.

mod common;

use common::{cell, corpus, corpus_dir, format_of, range, read, read_with, table};
use cowork_docmodel::{Block, Chunk, DocError, Format, PartKind, ReadOptions};
use cowork_sheets::{CellValue, read_cells, read_spreadsheet};

#[test]
fn dates_and_durations_as_displayed() {
    let doc = read("calamine__date.xlsx");
    let t = table(&doc, 0);
    assert_eq!(t.rows[0], ["2021-01-01", "15"]);
    assert_eq!(t.rows[1], ["2021-01-02", "16"]);
    // [hh]:mm:ss of 10.632 days is elapsed hours, not a time of day.
    assert_eq!(t.rows[2], ["255:10:10", "17"]);
    assert_eq!(t.header_rows, 0, "a first row of dates is not a header");
    assert_eq!(t.origin.as_deref(), Some("A1"));
}

#[test]
fn builtin_short_date_shows_like_excel() {
    let doc = read("tika__testEXCEL_dateFormats.xlsx");
    let t = table(&doc, 0);
    assert_eq!(t.rows, [["date"], ["9/20/2018"], ["8/10/1996"]]);
    assert_eq!(t.header_rows, 1);
    assert_eq!(doc.parts[0].name.as_deref(), Some("Munka1"));
}

#[test]
fn number_formats_percent_currency_thousands() {
    let doc = read("tika__testEXCEL-formats.xlsx");
    let t = table(&doc, 0);
    assert_eq!(t.origin.as_deref(), Some("B4"), "used range starts at B4");
    let expect = [
        ("D4", "1,599.99"),
        ("E4", "-1,599.99"),
        ("D5", "$1,599.99"),
        ("E5", "($1,599.99)"),
        ("D6", "1.98E+08"),
        ("E6", "-1.98E+08"),
        ("D7", "3%"),
        ("E7", "2.50%"),
        ("D8", "2 1/2"),
        ("D9", "6:15 AM"),
        ("E9", "6:15 PM"),
        ("D10", "6:15"),
        ("E10", "18:15"),
        ("D11", "10/3/2009"),
        ("D12", "17-May-07"),
        ("D13", "1/19/2008 4:35"),
        ("D15", "19 dollars and .99 cents"),
        ("D16", "At 4:20 AM on Thursday May 17, 2007"),
        ("C16", "Custom Date:"),
    ];
    for (a1, want) in expect {
        assert_eq!(cell(t, a1), want, "cell {a1}");
    }
    // Row 14 is empty inside the used range and stays as an empty row.
    assert!(t.rows[10].iter().all(String::is_empty));
}

#[test]
fn merged_cells_show_their_value_once() {
    let doc = read("calamine__merged_range.xlsx");
    let s1 = table(&doc, 0);
    assert_eq!(s1.rows[0], ["A1", "B1", "C1", "", "E1", "F1", "G1", "H1"]);
    assert!(
        s1.rows[1].iter().all(String::is_empty),
        "row 2 is merged into row 1"
    );
    assert_eq!(cell(s1, "C3"), "C3");
    assert_eq!(cell(s1, "D3"), "", "D3 is covered by C3:D3");
    let s2 = table(&doc, 1);
    assert_eq!(cell(s2, "A1"), "A1");
    assert_eq!(cell(s2, "A3"), "", "A1:A4 is one merged cell");
    assert_eq!(cell(s2, "F1"), "F1");
    assert_eq!(s2.rows[3], ["", "B4", "", "", "E4", ""]);
    assert_eq!(doc.metadata["sheet_names"], "Sheet1, Sheet2");
}

fn check_markitdown(name: &str) {
    let doc = read(name);
    assert_eq!(doc.parts.len(), 2);
    assert_eq!(doc.total_parts, Some(2));
    assert_eq!(doc.metadata["sheet_count"], "2");
    let names: Vec<_> = doc.parts.iter().map(|p| p.name.as_deref()).collect();
    assert_eq!(
        names,
        [Some("Sheet1"), Some("09060124-b5e7-4717-9d07-3c046eb")]
    );
    assert!(doc.parts.iter().all(|p| p.kind == PartKind::Sheet));
    assert_eq!((doc.parts[0].number, doc.parts[1].number), (1, 2));
    let t = table(&doc, 0);
    assert_eq!(t.rows[0], ["Alpha", "Beta", "Gamma", "Delta"]);
    assert_eq!(t.header_rows, 1);
    assert_eq!(t.rows[1], ["89", "82", "100", "12"]);
    assert_eq!(cell(t, "B14"), "6ff4173b-42a5-4784-9b19-f49caff4d93d");
    assert_eq!(t.rows.len(), 24);
    let t2 = table(&doc, 1);
    assert_eq!(t2.rows[0], ["ColA", "ColB", "ColC", "ColD"]);
    assert_eq!(cell(t2, "D5"), "affc7dad-52dc-4b98-9b5d-51e65d8a8ad0");
    assert!(doc.next.is_none());
    let md = doc.to_markdown();
    assert!(md.contains("| Alpha | Beta | Gamma | Delta |"), "{md}");
}

#[test]
fn markitdown_xlsx() {
    check_markitdown("markitdown__test.xlsx");
}

#[test]
fn markitdown_xls() {
    check_markitdown("markitdown__test.xls");
}

#[test]
fn strict_ooxml_reads_with_formulas() {
    let doc = read("tika__testEXCEL.strict.xlsx");
    assert_eq!(doc.title.as_deref(), Some("Sample Spreadsheet"));
    assert_eq!(doc.parts.len(), 3);
    let t = table(&doc, 0);
    assert_eq!(cell(t, "A1"), "Test spreadsheet");
    assert_eq!(cell(t, "B2"), "2nd row 2nd column");
    let t2 = table(&doc, 1);
    assert_eq!(t2.rows[5], ["cb=1", "cb=10", "cb=2", "cb=sum"]);
    assert_eq!(cell(t2, "D7"), "13");
    assert_eq!(t2.formulas.len(), 1);
    assert_eq!(t2.formulas[0].cell, "D7");
    assert_eq!(t2.formulas[0].formula, "=SUM(A7:C7)");
    assert_eq!(
        doc.parts[2].blocks,
        [Block::paragraph("(empty sheet)")],
        "Sheet3 is empty"
    );
}

#[test]
fn charts_and_pivots_do_not_fail() {
    let charts = read("tika__testEXCEL_charts.xlsx");
    let t = table(&charts, 0);
    assert_eq!(t.rows[0], ["MONTH", "NUMBER"]);
    assert_eq!(cell(t, "A10"), "is a panda");
    let pivots = read("calamine__pivots.xlsx");
    assert!(pivots.parts.len() >= 4);
    assert!(pivots.plain_text().contains("Grand Total"));
}

#[test]
fn formulas_beside_values_on_a_real_workbook() {
    let doc = read("poi__46535.xlsx");
    let t = table(&doc, 0);
    assert_eq!(cell(t, "C1"), "Hong Kong International");
    let c1 = t
        .formulas
        .iter()
        .find(|f| f.cell == "C1")
        .expect("C1 formula");
    assert!(c1.formula.starts_with("=IF(ISERROR(VLOOKUP("), "{c1:?}");
    // Hidden sheets are read and flagged.
    assert_eq!(doc.metadata["hidden_sheets"], "Map, Others, TDS");
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.part == Some(3) && w.message.contains("hidden"))
    );
}

#[test]
fn many_merges_are_fast_and_not_duplicated() {
    let start = std::time::Instant::now();
    let doc = read("poi__57893-many-merges.xlsx");
    let elapsed = start.elapsed();
    // 50 000 merged regions of styled empty cells: no value anywhere, so nothing to show.
    assert_eq!(doc.parts.len(), 1);
    assert_eq!(doc.parts[0].blocks, [Block::paragraph("(empty sheet)")]);
    assert!(elapsed.as_secs() < 20, "took {elapsed:?}");
}

#[test]
fn long_sheet_is_truncated_with_a_next_range() {
    let doc = read("tika__CVLKRA-KYC_Download_File_Structure_V3.1.xlsx");
    assert_eq!(doc.total_parts, Some(30));
    let index = doc
        .parts
        .iter()
        .position(|p| p.name.as_deref() == Some("Country Master"))
        .unwrap();
    let t = table(&doc, index);
    let trunc = t.truncated.as_ref().expect("truncated");
    assert_eq!(t.rows.len(), 200);
    assert_eq!(trunc.shown, "A1:C200");
    assert_eq!(trunc.next.as_deref(), Some("A201:C245"));
    assert_eq!((trunc.total_rows, trunc.total_cols), (245, 3));
    assert_eq!(
        doc.next,
        Some(Chunk::Range {
            sheet: "Country Master".into(),
            range: "A201:C245".into()
        })
    );
    // Reading the next chunk gives the rest, origin at its top-left.
    let opts = ReadOptions {
        sheet: Some("country master".into()),
        range: range("A201:C245"),
        ..ReadOptions::default()
    };
    let rest = read_with("tika__CVLKRA-KYC_Download_File_Structure_V3.1.xlsx", &opts);
    assert_eq!(rest.parts.len(), 1);
    assert_eq!(rest.parts[0].number, index + 1);
    let t = table(&rest, 0);
    assert_eq!(t.origin.as_deref(), Some("A201"));
    assert_eq!(t.rows.len(), 45);
    assert_eq!(t.header_rows, 0);
    assert!(rest.next.is_none());
}

#[test]
fn range_selection() {
    let opts = ReadOptions {
        range: range("C9:E10"),
        ..ReadOptions::default()
    };
    let doc = read_with("tika__testEXCEL-formats.xlsx", &opts);
    let t = table(&doc, 0);
    assert_eq!(t.origin.as_deref(), Some("C9"));
    assert_eq!(
        t.rows,
        [
            ["Time Format: h:mm AM/PM", "6:15 AM", "6:15 PM"],
            ["Time Format: h:mm", "6:15", "18:15"]
        ]
    );
    let trunc = t.truncated.as_ref().expect("a part of the sheet");
    assert_eq!((trunc.total_rows, trunc.total_cols), (13, 4));
    assert_eq!(trunc.shown, "C9:E10");
    assert_eq!(trunc.next.as_deref(), Some("C11:E12"));
    // A range outside the data says where the data is.
    let far = ReadOptions {
        range: range("Z100:Z200"),
        ..ReadOptions::default()
    };
    let doc = read_with("tika__testEXCEL-formats.xlsx", &far);
    assert!(doc.plain_text().contains("B4:E16"), "{}", doc.plain_text());
}

#[test]
fn sheet_selection_is_case_insensitive() {
    let opts = ReadOptions {
        sheet: Some("SHEET1".into()),
        ..ReadOptions::default()
    };
    let doc = read_with("markitdown__test.xlsx", &opts);
    assert_eq!(doc.parts.len(), 1);
    assert_eq!(doc.parts[0].name.as_deref(), Some("Sheet1"));
    assert_eq!(doc.total_parts, Some(2));
    let opts = ReadOptions {
        sheet: Some("09060124-b5e7-4717-9d07-3c046eb".into()),
        ..ReadOptions::default()
    };
    let doc = read_with("markitdown__test.xls", &opts);
    assert_eq!(doc.parts[0].number, 2);
}

#[test]
fn unknown_sheet_lists_the_sheets() {
    let opts = ReadOptions {
        sheet: Some("Revenue".into()),
        ..ReadOptions::default()
    };
    let err = read_spreadsheet(&corpus("markitdown__test.xlsx"), Format::Xlsx, &opts)
        .expect_err("no such sheet");
    assert!(matches!(err, DocError::InvalidOption { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("Revenue") && msg.contains("`Sheet1`"), "{msg}");
    assert!(msg.contains("09060124-b5e7-4717-9d07-3c046eb"), "{msg}");
}

#[test]
fn typed_cells_for_other_crates() {
    let sheets = read_cells(&corpus("markitdown__test.xlsx"), Format::Xlsx, None).unwrap();
    assert_eq!(sheets.len(), 2);
    assert_eq!(sheets[0].name, "Sheet1");
    assert_eq!(sheets[0].rows[0][0], CellValue::Text("Alpha".into()));
    assert_eq!(sheets[0].rows[1][0], CellValue::Int(89));
    assert_eq!(sheets[0].rows.len(), 24);
    let one = read_cells(&corpus("calamine__date.xlsx"), Format::Xlsx, Some("sheet1")).unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].rows[0][0], CellValue::DateTime("2021-01-01".into()));
    assert_eq!(one[0].rows[2][0], CellValue::Text("255:10:10".into()));
    let xls = read_cells(&corpus("markitdown__test.xls"), Format::Xls, Some("Sheet1")).unwrap();
    assert_eq!(xls[0].rows[1], sheets[0].rows[1]);
    let err = read_cells(&corpus("calamine__date.xlsx"), Format::Xlsx, Some("nope")).unwrap_err();
    assert!(matches!(err, DocError::InvalidOption { .. }));
}

/// Every corpus spreadsheet reads to a Document or to a clear error, never a panic.
#[test]
fn whole_corpus_reads() {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    for name in &names {
        let bytes = corpus(name);
        let format = format_of(name);
        match read_spreadsheet(&bytes, format, &ReadOptions::default()) {
            Ok(doc) => {
                assert!(!doc.parts.is_empty(), "{name}: no sheets");
                assert!(!doc.to_markdown().is_empty());
            }
            Err(e) => {
                assert!(!matches!(e, DocError::ReaderPanicked { .. }), "{name}: {e}");
                eprintln!("{name}: {e}");
            }
        }
        if let Err(e) = read_cells(&bytes, format, None) {
            assert!(!matches!(e, DocError::ReaderPanicked { .. }), "{name}: {e}");
        }
    }
}
