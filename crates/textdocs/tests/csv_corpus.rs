//! CSV golden tests on corpus files: encoding, header, truncation and ranges.

mod common;

use common::{corpus, first_table};
use cowork_docmodel::{CellRange, Chunk, Format, ReadOptions};
use cowork_textdocs::{decode_text, read_csv};

#[test]
fn shift_jis_csv_is_decoded() {
    let bytes = corpus("csv/markitdown__test_mskanji.csv");
    assert_eq!(decode_text(&bytes).encoding, "Shift_JIS");
    let doc = read_csv(&bytes, Format::Csv, &ReadOptions::default()).unwrap();
    assert_eq!(doc.metadata["encoding"], "Shift_JIS");
    let t = first_table(&doc);
    assert_eq!(t.header_rows, 1);
    assert_eq!(t.rows[0], vec!["名前", "年齢", "住所"]);
    assert_eq!(t.rows[1], vec!["佐藤太郎", "30", "東京"]);
    assert_eq!(t.rows.len(), 4);
}

#[test]
fn sparse_csv_keeps_its_cells() {
    let doc = read_csv(
        &corpus("csv/tika__testCSV.csv"),
        Format::Csv,
        &ReadOptions::default(),
    )
    .unwrap();
    let t = first_table(&doc);
    // The first row is a title with empty cells, not column names.
    assert_eq!(t.header_rows, 0);
    assert_eq!(t.rows[0][0], "Sample CSV File - Numbers and their Squares");
    assert!(
        t.rows
            .contains(&vec!["".into(), "Number".into(), "Square".into()])
    );
    assert!(t.rows.contains(&vec!["".into(), "15".into(), "225".into()]));
    // A quoted cell with a line break inside stays one cell.
    assert!(t.rows.last().unwrap()[0].starts_with("Written and saved in Apache OpenOffice."));
    assert!(doc.next.is_none());
}

#[test]
fn long_csv_is_truncated_with_a_next_range() {
    let bytes = corpus("csv/vega__seattle-weather.csv");
    let doc = read_csv(&bytes, Format::Csv, &ReadOptions::default()).unwrap();
    let t = first_table(&doc);
    assert_eq!(t.header_rows, 1);
    assert_eq!(
        t.rows[0],
        vec![
            "date",
            "precipitation",
            "temp_max",
            "temp_min",
            "wind",
            "weather"
        ]
    );
    assert_eq!(t.rows.len(), 201);
    assert_eq!(t.rows[200][0], "2012-07-18");
    let trunc = t.truncated.as_ref().expect("truncated");
    assert_eq!((trunc.total_rows, trunc.total_cols), (1462, 6));
    assert_eq!(trunc.shown, "A1:F201");
    assert_eq!(trunc.next.as_deref(), Some("A202:F401"));
    assert_eq!(
        doc.next,
        Some(Chunk::Range {
            sheet: String::new(),
            range: "A202:F401".into()
        })
    );

    // Reading the next range gives the following rows, under a copy of the header.
    let opts = ReadOptions {
        range: Some(CellRange::parse("A202:F401").unwrap()),
        ..ReadOptions::default()
    };
    let doc = read_csv(&bytes, Format::Csv, &opts).unwrap();
    let t = first_table(&doc);
    assert_eq!(t.rows[0][0], "date");
    assert_eq!(t.rows[1][0], "2012-07-19");
    assert_eq!(t.rows.last().unwrap()[0], "2013-02-03");
    assert_eq!(t.origin.as_deref(), Some("A202"));
    assert_eq!(
        doc.next,
        Some(Chunk::Range {
            sheet: String::new(),
            range: "A402:F601".into()
        })
    );

    // A range of columns and rows.
    let opts = ReadOptions {
        range: Some(CellRange::parse("B2:C3").unwrap()),
        ..ReadOptions::default()
    };
    let t = first_table(&read_csv(&bytes, Format::Csv, &opts).unwrap()).clone();
    assert_eq!(
        t.rows,
        vec![
            vec!["precipitation", "temp_max"],
            vec!["0.0", "12.8"],
            vec!["10.9", "10.6"]
        ]
    );
}

#[test]
fn columnar_csv_with_quotes() {
    let doc = read_csv(
        &corpus("csv/tika__test-columnar.csv"),
        Format::Csv,
        &ReadOptions::default(),
    )
    .unwrap();
    let t = first_table(&doc);
    assert_eq!(t.header_rows, 1);
    assert_eq!(t.rows[0][1], "Square of the Record Number");
    assert_eq!(t.rows[1][3], "0%");
}
