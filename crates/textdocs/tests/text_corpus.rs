//! Plain text, Markdown and JSON golden tests on corpus files.

mod common;

use common::{corpus, first_table};
use cowork_docmodel::{Block, Chunk, DocError, ListMarker, ReadOptions};
use cowork_textdocs::{
    TEXT_CHUNK_BYTES, decode_text, read_json, read_markdown, read_text, read_text_from,
};

#[test]
fn ebcdic_text_is_decoded_to_english() {
    let bytes = corpus("txt/tika__english.cp500.txt");
    let decoded = decode_text(&bytes);
    assert_eq!(decoded.encoding, "IBM500");
    assert!(decoded.text.contains("IntelliStation POWER"));
    // 0x4F is '!' in cp500 ('|' in cp037).
    assert!(decoded.text.contains("an easy install!"), "cp500's '!'");
    let doc = read_text(&bytes, &ReadOptions::default()).unwrap();
    assert_eq!(doc.metadata["encoding"], "IBM500");
    assert!(
        doc.plain_text()
            .contains("Warranties, licenses and maintenance")
    );
}

#[test]
fn utf8_text_in_paragraphs() {
    let doc = read_text(
        &corpus("txt/tika__i_investigation.txt"),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(doc.metadata["encoding"], "UTF-8");
    let text = doc.plain_text();
    assert!(
        text.starts_with("ONTOLOGY SOURCE REFERENCE\nTerm Source Name\t\"CHEBI\""),
        "{}",
        &text[..80]
    );
    assert!(doc.next.is_none());
}

#[test]
fn large_text_is_read_in_chunks() {
    let line = "A line of text that repeats, with ünïcödé in it.\n\n";
    let text = line.repeat(TEXT_CHUNK_BYTES / line.len() * 2 + 10);
    let doc = read_text(text.as_bytes(), &ReadOptions::default()).unwrap();
    let Some(Chunk::Offset { offset }) = doc.next else {
        panic!("no next chunk: {:?}", doc.next)
    };
    let first = doc.plain_text();
    assert!(first.len() <= TEXT_CHUNK_BYTES + 1000);
    let doc2 = read_text_from(text.as_bytes(), offset, &ReadOptions::default()).unwrap();
    let Some(Chunk::Offset { offset: offset2 }) = doc2.next else {
        panic!("no third chunk")
    };
    let doc3 = read_text_from(text.as_bytes(), offset2, &ReadOptions::default()).unwrap();
    assert!(doc3.next.is_none());
    let paragraphs: usize = [&doc, &doc2, &doc3]
        .iter()
        .map(|d| d.parts[0].blocks.len())
        .sum();
    assert_eq!(
        paragraphs,
        text.matches("\n\n").count(),
        "no paragraph lost or doubled"
    );
}

#[test]
fn markdown_structure() {
    let doc = read_markdown(&corpus("md/tika__testMARKDOWN.md"), &ReadOptions::default()).unwrap();
    let blocks = &doc.parts[0].blocks;
    assert_eq!(doc.title.as_deref(), Some("Title"));
    assert_eq!(blocks[0], Block::heading(1, "Title"));
    assert!(blocks.iter().any(|b| matches!(b, Block::ListItem { marker: ListMarker::Number(n), text, .. } if n == "3." && text == "third")));
    assert!(
        blocks
            .iter()
            .any(|b| matches!(b, Block::Code { language: Some(l), .. } if l == "java"))
    );
    assert!(blocks.contains(&Block::Quote {
        text: "a quote".into()
    }));
    assert_eq!(
        first_table(&doc).rows,
        vec![vec!["L", "C", "R"], vec!["a", "b", "c"]]
    );
    assert!(doc.plain_text().contains("Café naïve résumé"));

    let doc = read_markdown(&corpus("md/markitdown__README.md"), &ReadOptions::default()).unwrap();
    assert!(
        doc.parts[0]
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Heading { level: 1, text } if text.contains("MarkItDown")))
    );
}

#[test]
fn json_records_and_documents() {
    let doc = read_json(&corpus("json/vega__cars.json"), &ReadOptions::default()).unwrap();
    let t = first_table(&doc);
    assert_eq!(t.rows[0][0], "Name");
    assert_eq!(t.rows[1][0], "chevrolet chevelle malibu");
    assert_eq!(t.rows.len(), 201);
    assert!(matches!(doc.next, Some(Chunk::Range { ref range, .. }) if range.starts_with("A202:")));

    let doc = read_json(
        &corpus("json/markitdown__test.json"),
        &ReadOptions::default(),
    )
    .unwrap();
    let Block::Code { language, text } = &doc.parts[0].blocks[0] else {
        panic!("not code")
    };
    assert_eq!(language.as_deref(), Some("json"));
    // Keys stay in the file's order.
    let k1 = text.find("key1").unwrap();
    let uuid = text.find("5b64c88c").unwrap();
    assert!(k1 < uuid);

    let err = read_json(b"{\"a\": [1, 2,\n  oops]}", &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, DocError::Corrupt { .. }));
    assert!(err.to_string().contains("line 2, column 3"), "{err}");
}
