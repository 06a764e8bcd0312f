//! Reading order on synthetic pages built for the worst case: content streams that
//! interleave the columns line by line.

mod common;

use common::{flat, pdf_with_pages, save};
use cowork_docmodel::{Block, ReadOptions};

fn read(content: &str) -> cowork_docmodel::Document {
    let mut doc = pdf_with_pages(&[content.as_bytes()]);
    cowork_pdf::read_pdf(&save(&mut doc), &ReadOptions::default()).unwrap()
}

#[test]
fn interleaved_columns_are_read_one_after_the_other() {
    // Left column at x=72, right column at x=320, same baselines, drawn alternately.
    let mut ops = String::from("BT /F1 10 Tf ");
    for i in 0..20 {
        let y = 700 - i * 12;
        ops.push_str(&format!(
            "1 0 0 1 72 {y} Tm (left line {i} of the first column text) Tj "
        ));
        ops.push_str(&format!(
            "1 0 0 1 320 {y} Tm (right line {i} of the second column text) Tj "
        ));
    }
    ops.push_str("ET");
    let doc = read(&ops);
    let text = flat(&doc.plain_text());
    let last_left = text.find("left line 19").expect("left column");
    let first_right = text.find("right line 0").expect("right column");
    assert!(last_left < first_right, "columns interleaved: {text}");
    assert!(
        text.contains("left line 3 of the first column text left line 4"),
        "{text}"
    );
}

#[test]
fn title_across_both_columns_comes_first() {
    let mut ops =
        String::from("BT /F1 20 Tf 1 0 0 1 150 740 Tm (A Title Across The Page) Tj /F1 10 Tf ");
    for i in 0..10 {
        let y = 700 - i * 12;
        ops.push_str(&format!(
            "1 0 0 1 320 {y} Tm (right {i} words words words words) Tj "
        ));
        ops.push_str(&format!(
            "1 0 0 1 72 {y} Tm (left {i} words words words words) Tj "
        ));
    }
    ops.push_str("ET");
    let doc = read(&ops);
    let blocks = &doc.parts[0].blocks;
    assert!(
        matches!(&blocks[0], Block::Heading { text, .. } if text == "A Title Across The Page"),
        "{blocks:?}"
    );
    let text = flat(&doc.plain_text());
    assert!(
        text.find("left 9").unwrap() < text.find("right 0").unwrap(),
        "{text}"
    );
}

#[test]
fn table_rows_stay_rows() {
    // Narrow numeric columns: a table, read row by row.
    let mut ops = String::from("BT /F1 10 Tf ");
    for (i, (item, price)) in [("Apples", "1.20"), ("Pears", "2.40"), ("Plums", "3.10")]
        .iter()
        .enumerate()
    {
        let y = 700 - i as i32 * 14;
        ops.push_str(&format!(
            "1 0 0 1 72 {y} Tm ({item}) Tj 1 0 0 1 400 {y} Tm ({price}) Tj "
        ));
    }
    ops.push_str("ET");
    let text = read(&ops).plain_text();
    assert!(
        text.contains("Apples 1.20\nPears 2.40") || flat(&text).contains("Apples 1.20 Pears 2.40"),
        "{text}"
    );
}

#[test]
fn words_drawn_glyph_by_glyph_keep_their_spaces() {
    // Every glyph placed with its own Td, spaces only as gaps (common in generated PDFs).
    let mut ops = String::from("BT /F1 10 Tf 72 700 Td ");
    let mut x = 0.0;
    for c in "hello world again".chars() {
        // Helvetica advances at 10 pt.
        let advance = match c {
            ' ' => 2.78,
            'l' | 'i' => 2.22,
            'w' => 7.22,
            'r' => 3.33,
            _ => 5.56,
        };
        if c != ' ' {
            ops.push_str(&format!("1 0 0 1 {:.2} 700 Tm ({c}) Tj ", 72.0 + x));
        }
        x += advance;
    }
    ops.push_str("ET");
    assert_eq!(flat(&read(&ops).plain_text()), "hello world again");
}

#[test]
fn list_items_and_paragraph_breaks() {
    let ops = "BT /F1 10 Tf 1 0 0 1 72 700 Tm (First paragraph line one that is long enough to fill) Tj \
               1 0 0 1 72 688 Tm (the width of the column.) Tj \
               1 0 0 1 72 660 Tm (1. first item) Tj 1 0 0 1 72 648 Tm (2. second item) Tj ET";
    let doc = read(ops);
    let blocks = &doc.parts[0].blocks;
    assert!(
        matches!(&blocks[0], Block::Paragraph { text } if text.ends_with("the width of the column.")),
        "{blocks:?}"
    );
    assert!(blocks.iter().any(|b| matches!(b, Block::ListItem { marker: cowork_docmodel::ListMarker::Number(m), text, .. } if m == "2." && text == "second item")), "{blocks:?}");
}
