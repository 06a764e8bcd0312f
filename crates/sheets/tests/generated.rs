//! Workbooks written with rust_xlsxwriter: formulas with cached values, number formats,
//! a 50 000-row sheet with 50 000 merged regions, hidden sheets, typed cells.

mod common;

use common::{cell, range, table};
use cowork_docmodel::{Chunk, Format, ReadOptions};
use cowork_sheets::{CellValue, read_cells, read_spreadsheet};
use rust_xlsxwriter::{Chart, ChartType, Format as XFormat, Formula, Workbook};

fn formulas_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Revenue").unwrap();
    ws.write_string(0, 0, "Month").unwrap();
    ws.write_string(0, 1, "Amount").unwrap();
    for m in 1..=12u32 {
        ws.write_string(m, 0, format!("M{m}")).unwrap();
        ws.write_number(m, 1, f64::from(m)).unwrap();
    }
    ws.write_string(13, 0, "Total").unwrap();
    ws.write_formula(13, 1, Formula::new("=SUM(B2:B13)").set_result("78"))
        .unwrap();
    let money = XFormat::new().set_num_format("[$€-407] #,##0.00");
    ws.write_formula_with_format(14, 1, Formula::new("=B14*1000").set_result("78000"), &money)
        .unwrap();
    // A chart sheet: a part without cells, which must not fail the read.
    let mut chart = Chart::new(ChartType::Column);
    chart.add_series().set_values("Revenue!$B$2:$B$13");
    let cs = wb.add_chartsheet();
    cs.set_name("Chart").unwrap();
    cs.insert_chart(0, 0, &chart).unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn formulas_are_given_beside_their_values() {
    let bytes = formulas_workbook();
    let doc = read_spreadsheet(&bytes, Format::Xlsx, &ReadOptions::default()).unwrap();
    let t = table(&doc, 0);
    assert_eq!(t.rows[0], ["Month", "Amount"]);
    assert_eq!(t.header_rows, 1);
    assert_eq!(cell(t, "B14"), "78");
    assert_eq!(cell(t, "B15"), "€ 78,000.00");
    let cells: Vec<(&str, &str)> = t
        .formulas
        .iter()
        .map(|f| (f.cell.as_str(), f.formula.as_str()))
        .collect();
    assert_eq!(cells, [("B14", "=SUM(B2:B13)"), ("B15", "=B14*1000")]);
    let md = doc.to_markdown();
    assert!(md.contains("B14 `=SUM(B2:B13)`"), "{md}");
    assert_eq!(doc.parts.len(), 2);
    assert_eq!(doc.parts[1].name.as_deref(), Some("Chart"));
    assert!(
        doc.parts[1]
            .blocks
            .iter()
            .all(|b| !matches!(b, cowork_docmodel::Block::Table(_)))
    );
    assert!(md.contains("chart sheet"), "{md}");
    // Typed cells skip the chart sheet.
    assert_eq!(read_cells(&bytes, Format::Xlsx, None).unwrap().len(), 1);
}

#[test]
fn number_formats_written_by_a_writer() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let cases: [(&str, f64, &str); 9] = [
        ("yyyy-mm-dd", 45292.0, "2024-01-01"),
        ("d-mmm-yy", 45292.0, "1-Jan-24"),
        ("mm/dd/yyyy h:mm", 45292.75, "01/01/2024 18:00"),
        ("0.00%", 0.1234, "12.34%"),
        ("#,##0.00", 1234567.891, "1,234,567.89"),
        ("$#,##0", -1234.0, "-$1,234"),
        ("[h]:mm", 1.5, "36:00"),
        ("0.0", 2.25, "2.3"),
        ("General", 0.1 + 0.2, "0.3"),
    ];
    for (i, (code, v, _)) in cases.iter().enumerate() {
        let f = XFormat::new().set_num_format(*code);
        ws.write_number_with_format(i as u32, 0, *v, &f).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let doc = read_spreadsheet(&bytes, Format::Xlsx, &ReadOptions::default()).unwrap();
    let t = table(&doc, 0);
    for (i, (code, _, want)) in cases.iter().enumerate() {
        assert_eq!(t.rows[i][0], *want, "format {code}");
    }
    let typed = read_cells(&bytes, Format::Xlsx, None).unwrap();
    let col: Vec<&CellValue> = typed[0].rows.iter().map(|r| &r[0]).collect();
    assert_eq!(col[0], &CellValue::DateTime("2024-01-01".into()));
    assert_eq!(col[2], &CellValue::DateTime("2024-01-01T18:00:00".into()));
    assert_eq!(col[3], &CellValue::Float(0.1234));
    assert_eq!(col[5], &CellValue::Int(-1234));
}

fn big_merged_workbook(rows: u32) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Big").unwrap();
    let plain = XFormat::new();
    ws.write_string(0, 0, "Label").unwrap();
    ws.write_string(0, 2, "Value").unwrap();
    for r in 1..rows {
        // A:B merged on every row: the label shows once, B stays empty.
        ws.merge_range(r, 0, r, 1, &format!("row {r}"), &plain)
            .unwrap();
        ws.write_number(r, 2, f64::from(r)).unwrap();
    }
    let hidden = wb.add_worksheet();
    hidden.set_name("Secret").unwrap();
    hidden.write_string(0, 0, "hidden text").unwrap();
    hidden.set_hidden(true);
    wb.save_to_buffer().unwrap()
}

#[test]
fn huge_merged_sheet_is_summarized_fast() {
    let bytes = big_merged_workbook(50_000);
    let start = std::time::Instant::now();
    let doc = read_spreadsheet(&bytes, Format::Xlsx, &ReadOptions::default()).unwrap();
    let elapsed = start.elapsed();
    assert!(elapsed.as_secs() < 20, "took {elapsed:?}");
    let t = table(&doc, 0);
    assert_eq!(t.rows.len(), 200);
    assert_eq!(t.rows[0], ["Label", "", "Value"]);
    assert_eq!(t.rows[1], ["row 1", "", "1"], "merged B1 is not duplicated");
    let trunc = t.truncated.as_ref().unwrap();
    assert_eq!((trunc.total_rows, trunc.total_cols), (50_000, 3));
    assert_eq!(trunc.shown, "A1:C200");
    assert_eq!(trunc.next.as_deref(), Some("A201:C400"));
    assert_eq!(
        doc.next,
        Some(Chunk::Range {
            sheet: "Big".into(),
            range: "A201:C400".into()
        })
    );
    // The hidden sheet is read and flagged.
    assert_eq!(doc.parts[1].name.as_deref(), Some("Secret"));
    assert!(doc.plain_text().contains("hidden text"));
    assert!(doc.warnings.iter().any(|w| w.message.contains("hidden")));

    // Reading on from the next range; the last chunk has no next.
    let opts = ReadOptions {
        sheet: Some("big".into()),
        range: range("A49901:C50100"),
        ..ReadOptions::default()
    };
    let doc = read_spreadsheet(&bytes, Format::Xlsx, &opts).unwrap();
    let t = table(&doc, 0);
    assert_eq!(t.origin.as_deref(), Some("A49901"));
    assert_eq!(t.rows.len(), 100);
    assert_eq!(t.rows[99], ["row 49999", "", "49999"]);
    assert!(doc.next.is_none());

    // Smaller chunks when asked.
    let opts = ReadOptions {
        max_sheet_rows: 10,
        pages: None,
        ..ReadOptions::default()
    };
    let doc = read_spreadsheet(&bytes, Format::Xlsx, &opts).unwrap();
    assert_eq!(table(&doc, 0).rows.len(), 10);
    assert_eq!(
        doc.next,
        Some(Chunk::Range {
            sheet: "Big".into(),
            range: "A11:C20".into()
        })
    );

    let typed = read_cells(&bytes, Format::Xlsx, Some("Big")).unwrap();
    assert_eq!(typed[0].rows.len(), 50_000);
    assert_eq!(typed[0].rows[49_999][2], CellValue::Int(49_999));
}
