//! Structure checks on named corpus files: reading order, pages, forms, annotations,
//! metadata, scanned pages, hard fonts.

mod common;

use common::{blocks, corpus, flat, page_text, read};
use cowork_docmodel::{Block, Chunk, NoteKind, PageRange, PartKind, ReadOptions};

#[test]
fn two_column_paper_reads_each_column_whole() {
    let doc = read("pdfjs__tracemonkey.pdf");
    let p1 = flat(&page_text(&doc, 1));
    // Consecutive lines of the left column stay together: with interleaved columns the
    // right column's text would sit between them.
    assert!(
        p1.contains("are popular since they are expressive, accessible to non-experts"),
        "{p1}"
    );
    let p2 = flat(&page_text(&doc, 2));
    assert!(
        p2.contains("Our implementation of a dynamic type-specializing compiler for JavaScript is described in Section 6."),
        "left column lines were split: {p2}"
    );
    // The left column ends with "... based on"; the right column's "iteration:" (on the same
    // baseline) must not follow it, and the right column comes after the whole left one.
    let end_left = p2
        .find("In Section 7 we evaluate our dynamic compiler based on")
        .expect("left column end");
    let after = &p2[end_left + "In Section 7 we evaluate our dynamic compiler based on".len()..];
    assert!(
        !after.trim_start().starts_with("iteration"),
        "right column interleaved: {after:.80}"
    );
    let right = p2
        .find("Here is the sequence of events broken down by outer loop")
        .expect("right column text");
    assert!(end_left < right);
    // Headings by size, in order.
    let headings: Vec<&str> = blocks(&doc)
        .filter_map(|b| match b {
            Block::Heading { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let abstract_at = headings
        .iter()
        .position(|h| *h == "Abstract")
        .expect("Abstract heading");
    let intro_at = headings
        .iter()
        .position(|h| *h == "1. Introduction")
        .expect("Introduction heading");
    assert!(abstract_at < intro_at, "{headings:?}");
    // TeX accents drawn apart from their letter are composed.
    assert!(p2.contains("naïve"), "{p2:.300}");
}

#[test]
fn pages_are_numbered_and_ranges_honoured() {
    let doc = read("pdfjs__tracemonkey.pdf");
    assert_eq!(doc.total_parts, Some(14));
    assert_eq!(doc.parts.len(), 14);
    assert!(
        doc.parts
            .iter()
            .enumerate()
            .all(|(i, p)| p.number == i + 1 && p.kind == PartKind::Page)
    );
    assert_eq!(doc.metadata.get("pages").map(String::as_str), Some("14"));
    assert!(doc.next.is_none());

    let opts = ReadOptions {
        pages: Some(PageRange::parse("3-4").unwrap()),
        ..ReadOptions::default()
    };
    let part = cowork_pdf::read_pdf(&corpus("pdfjs__tracemonkey.pdf"), &opts).unwrap();
    assert_eq!(
        part.parts.iter().map(|p| p.number).collect::<Vec<_>>(),
        vec![3, 4]
    );
    assert_eq!(part.total_parts, Some(14));
    assert_eq!(part.next, Some(Chunk::Pages { first: 5, last: 6 }));
    // Page 3's text is the same whether read alone or with the whole document.
    assert_eq!(page_text(&part, 3), page_text(&doc, 3));

    let beyond = ReadOptions {
        pages: Some(PageRange::parse("15-20").unwrap()),
        ..ReadOptions::default()
    };
    let err = cowork_pdf::read_pdf(&corpus("pdfjs__tracemonkey.pdf"), &beyond).unwrap_err();
    assert!(err.to_string().contains("14 pages"), "{err}");
}

#[test]
fn long_book_stops_at_max_parts_and_reads_quickly() {
    let bytes = corpus("pdfjs__freeculture.pdf");
    let opts = ReadOptions {
        max_parts: 10,
        ..ReadOptions::default()
    };
    let doc = cowork_pdf::read_pdf(&bytes, &opts).unwrap();
    assert_eq!(doc.parts.len(), 10);
    assert_eq!(doc.total_parts, Some(352));
    assert_eq!(
        doc.next,
        Some(Chunk::Pages {
            first: 11,
            last: 20
        })
    );

    let start = std::time::Instant::now();
    let all = cowork_pdf::read_pdf(
        &bytes,
        &ReadOptions {
            max_parts: 1000,
            ..ReadOptions::default()
        },
    )
    .unwrap();
    let took = start.elapsed();
    assert_eq!(all.parts.len(), 352);
    assert!(all.next.is_none());
    let words = all.plain_text().split_whitespace().count();
    assert!(words > 120_000, "{words} words");
    // Generous for an unoptimised test build; release reads it in well under a second.
    assert!(took.as_secs() < 60, "took {took:?}");
}

#[test]
fn filled_form_values_are_fields() {
    let doc = read("pdfjs__prefilled_f1040.pdf");
    let fields: Vec<(&str, &str)> = blocks(&doc)
        .filter_map(|b| match b {
            Block::FormField { name, value } => Some((name.as_str(), value.as_str())),
            _ => None,
        })
        .collect();
    assert!(
        fields
            .iter()
            .any(|(n, v)| *v == "foobar" && n.contains("p2-t124")),
        "{fields:?}"
    );
    assert!(fields.iter().any(|(_, v)| *v == "Yes"), "{fields:?}");
    // The field sits on the page its widget is on.
    let p2 = &doc.parts[1];
    assert!(
        p2.blocks
            .iter()
            .any(|b| matches!(b, Block::FormField { value, .. } if value == "foobar"))
    );
    assert_eq!(doc.title.as_deref(), Some("2010 Form 1040"));
    assert_eq!(
        doc.metadata.get("subject").map(String::as_str),
        Some("U.S. Individual Income Tax Return")
    );
    assert!(
        doc.metadata
            .get("created")
            .is_some_and(|d| d.starts_with("2008-11-18T08:45:06"))
    );
}

#[test]
fn annotations_are_notes() {
    let doc = read("tika__testAnnotations.pdf");
    let notes: Vec<(&Option<String>, &str)> = blocks(&doc)
        .filter_map(|b| match b {
            Block::Note {
                kind: NoteKind::Annotation,
                label,
                text,
            } => Some((label, text.as_str())),
            _ => None,
        })
        .collect();
    assert!(
        notes.iter().any(|(l, t)| *t == "Here is a comment"
            && l.as_deref().is_some_and(|l| l.contains("FreeText"))),
        "{notes:?}"
    );
    assert!(flat(&doc.plain_text()).contains("Here is some text."));
}

#[test]
fn scanned_pages_are_reported() {
    let doc = read("markitdown__MEDRPT-2024-PAT-3847_medical_report_scan.pdf");
    assert_eq!(doc.parts.len(), 3);
    for n in 1..=3 {
        assert!(
            doc.warnings
                .iter()
                .any(|w| w.part == Some(n) && w.message == "no text layer (scanned?)"),
            "{:?}",
            doc.warnings
        );
    }
    // A page with text gets no such warning.
    let text = read("pdfjs__tracemonkey.pdf");
    assert!(
        text.warnings
            .iter()
            .all(|w| !w.message.contains("no text layer"))
    );
}

#[test]
fn metadata_title_from_info() {
    let doc = read("pdfminer__zen_of_python_corrupted.pdf");
    assert_eq!(doc.title.as_deref(), Some("zen_of_python.txt"));
    // Damaged file: the text is still there.
    let text = flat(&doc.plain_text());
    assert!(text.contains("Beautiful is better than ugly."), "{text}");
    assert!(
        text.contains("Namespaces are one honking great idea"),
        "{text}"
    );
}

#[test]
fn fonts_without_to_unicode_use_the_embedded_cmap() {
    // pdftotext prints "3HQČåQtSURVWĜHGN\QD~þWHFK" here.
    let doc = read("pdfminer__issue-791-non-unicode-cmap.pdf");
    assert!(
        doc.plain_text().contains("Peněžní prostředky na účtech"),
        "{}",
        doc.plain_text()
    );
    let cjk = read("pdfminer__issue_566_test_1.pdf");
    assert!(
        cjk.plain_text().contains("Buyer：黎荣"),
        "{}",
        cjk.plain_text()
    );
}

#[test]
fn arabic_reads_in_logical_order_with_plain_letters() {
    let doc = read("pdfjs__ArabicCIDTrueType.pdf");
    let text = doc.plain_text();
    assert!(text.contains("انواع الخطوط العربية"), "{text}");
}

#[test]
fn rotated_and_vertical_pages_read() {
    let doc = read("tika__testPDF_rotated.pdf");
    assert!(
        flat(&doc.plain_text())
            .contains("Apache Tika is a toolkit for detecting and extracting metadata")
    );
    let doc = read("pdfminer__issue-449-vertical.pdf");
    assert!(
        flat(&doc.plain_text()).contains("Test Vertical Layout"),
        "{}",
        doc.plain_text()
    );
}
