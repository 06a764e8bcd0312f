//! Structure of real docx files from the shared corpus (read in place), and of a Strict OOXML
//! package built here. Expected values were read from the files' XML (unzip -p).

mod common;

use common::{blocks, corpus, list_items, notes, row, tables, zip_of};
use cowork_docmodel::{Block, Format, NoteKind, PartKind, ReadOptions};
use cowork_office::read_docx;

fn read(name: &str) -> cowork_docmodel::Document {
    read_docx(&corpus(&format!("docx/{name}")), &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn has_item(items: &[(String, u8, String)], marker: &str, text: &str) -> bool {
    items.iter().any(|(m, _, t)| m == marker && t == text)
}

#[test]
fn numbered_lists_show_their_numbers() {
    let doc = read("tika__testWORD_numbered_list.docx");
    assert_eq!(doc.format, Format::Docx);
    assert_eq!(doc.parts.len(), 1);
    assert_eq!(doc.parts[0].kind, PartKind::Section);
    let items = list_items(blocks(&doc));
    // The numbers Word shows (Apache Tika's expectations for this file, which match Word).
    for (marker, text) in [
        ("1)", "This"),
        ("a)", "Is"),
        ("i)", "A multi"),
        ("ii)", "Level"),
        ("iii)", "List"),
        ("2)", "foo"),
        ("ii)", "baz"),
        ("ii)", "foo"),
        ("II.", "bar"),
        ("6.", "six"),
        ("7.", "seven"),
        ("a.", "seven a"),
        ("e.", "seven e"),
        ("2.", "A ii 2"),
        ("3.", "page break list 3"),
        ("1.1.1.", "1.1.1"),
        // Word 2010's custom format (mc:Choice), not the decimal Fallback.
        (
            "Some-α-CrazyFormat",
            "Greek numbering with crazy format - alpha",
        ),
        (
            "Some-β-CrazyFormat",
            "Greek numbering with crazy format - beta",
        ),
    ] {
        assert!(
            has_item(&items, marker, text),
            "{marker} {text} in {items:?}"
        );
    }
    assert!(
        items
            .iter()
            .any(|(m, d, t)| m == "1.1." && *d == 1 && t.starts_with("1.2->1.1")),
        "{items:?}"
    );
    let depth_of = |text: &str| items.iter().find(|(_, _, t)| t == text).map(|i| i.1);
    assert_eq!(depth_of("This"), Some(0));
    assert_eq!(depth_of("Is"), Some(1));
    assert_eq!(depth_of("A multi"), Some(2));
    // Lists inside a table cell keep their numbers in the cell text.
    let table = tables(blocks(&doc))[0];
    assert_eq!(table.rows[0][0], "Intervening table");
    assert!(
        table.rows[0][1].contains("1. Within cell 1"),
        "{:?}",
        table.rows[0]
    );
    assert!(table.rows[0][1].contains("b. Cell b"));
    // The list in the comment and in the text box, each once.
    let comments = notes(blocks(&doc), NoteKind::Comment);
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].0.as_deref(), Some("ISIS"));
    assert!(comments[0].1.contains("add a list here"));
    let boxes = notes(blocks(&doc), NoteKind::TextBox);
    assert_eq!(boxes.len(), 1, "{boxes:?}");
    assert!(boxes[0].1.contains("1. Short"));
    let footnotes = notes(blocks(&doc), NoteKind::Footnote);
    assert_eq!(footnotes[0].0.as_deref(), Some("1"));
    assert!(footnotes[0].1.starts_with("Footnote list"));
}

#[test]
fn tables_with_their_cells() {
    let doc = read("markitdown__test_with_comment.docx");
    let t = tables(blocks(&doc));
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].header_rows, 1);
    assert_eq!(t[0].rows.len(), 5);
    assert_eq!(t[0].rows[0], row(&["1", "2", "3", "4", "5", "6"]));
    assert_eq!(t[0].rows[2][2], "49e168b7-d2ae-407f-a055-2167576f39a1");

    // Empty tables stay tables, with their grid.
    let doc = read("pydocx__tbl-having-tables.docx");
    let shapes: Vec<(usize, usize)> = tables(blocks(&doc))
        .iter()
        .map(|t| (t.rows.len(), t.rows[0].len()))
        .collect();
    assert_eq!(shapes, vec![(2, 2), (3, 3), (2, 4)]);

    // A nested table is flattened into its cell.
    let doc = read("tika__testWORD.docx");
    let t = tables(blocks(&doc));
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].rows[0][0], "This is a table");
    assert!(
        t[0].rows
            .iter()
            .flatten()
            .any(|c| c.contains("Nested table") && c.contains("More of our nested table")),
        "{:?}",
        t[0].rows
    );
}

#[test]
fn headings_from_styles() {
    let doc = read("poi__heading123.docx");
    let headings: Vec<(u8, &str)> = blocks(&doc)
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text } => Some((*level, text.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        headings,
        vec![
            (1, "First paragraph"),
            (2, "Second paragraph"),
            (3, "Third paragraph")
        ]
    );
    let doc = read("tika__testWORD.docx");
    assert!(
        blocks(&doc)
            .iter()
            .any(|b| matches!(b, Block::Heading { level: 3, text } if text == "Heading Level 3"))
    );
}

#[test]
fn footnotes_with_number_and_marker() {
    let doc = read("tika__footnotes.docx");
    let b = blocks(&doc);
    assert!(
        b.iter().any(
            |x| matches!(x, Block::Paragraph { text } if text == "Eto ochen prostoy[^1] text so snoskoy")
        ),
        "{b:?}"
    );
    assert_eq!(
        notes(b, NoteKind::Footnote),
        vec![(Some("1".to_string()), "snoska".to_string())]
    );
}

#[test]
fn comments_follow_their_paragraph() {
    let doc = read("markitdown__test_with_comment.docx");
    let b = blocks(&doc);
    let at = b
        .iter()
        .position(|x| matches!(x, Block::Note { kind: NoteKind::Comment, text, .. } if text == "This is a test comment. 12df-321a"))
        .expect("comment");
    assert!(
        matches!(&b[at - 1], Block::Paragraph { text } if text.starts_with("AutoGen is an open-source framework")),
        "{:?}",
        b[at - 1]
    );
    let comments = notes(b, NoteKind::Comment);
    assert_eq!(comments.len(), 2);
    assert_eq!(
        comments[1].1,
        "Yet another comment in the doc. 55yiyi-asd09"
    );
}

#[test]
fn text_boxes_in_body_header_and_footer() {
    let doc = read("tika__testWORD_text_box.docx");
    let b = blocks(&doc);
    assert_eq!(
        notes(b, NoteKind::TextBox),
        vec![(
            None,
            "This text is inside of a text box in the body of the document.".to_string()
        )]
    );
    assert_eq!(
        notes(b, NoteKind::Header)[0].1,
        "This text is inside of a text box in the header of the document."
    );
    assert_eq!(
        notes(b, NoteKind::Footer)[0].1,
        "This text is inside of a text box in the footer of the document."
    );
    assert!(b.iter().any(
        |x| matches!(x, Block::Paragraph { text } if text == "This text is directly in the body of the document.")
    ));
}

#[test]
fn headers_and_footers_once_each() {
    let doc = read("pydocx__hdr-header-footer.docx");
    let b = blocks(&doc);
    assert_eq!(
        notes(b, NoteKind::Header),
        vec![(None, "Header for section-1".to_string())]
    );
    assert_eq!(
        notes(b, NoteKind::Footer),
        vec![(None, "Footer for section 1".to_string())]
    );
    assert!(matches!(
        b.first(),
        Some(Block::Note {
            kind: NoteKind::Header,
            ..
        })
    ));
    assert!(matches!(
        b.last(),
        Some(Block::Note {
            kind: NoteKind::Footer,
            ..
        })
    ));
}

#[test]
fn the_2006ml_kitchen_sink() {
    let doc = read("tika__testWORD_2006ml.docx");
    assert_eq!(doc.title.as_deref(), Some("My Document Title"));
    assert_eq!(doc.metadata["author"], "This is the Author");
    assert_eq!(doc.metadata["created"], "2016-11-29T00:58:00Z");
    assert_eq!(doc.metadata["modified"], "2016-11-29T17:54:00Z");
    assert_eq!(doc.metadata["last_modified_by"], "Allison, Timothy B.");
    let md = doc.to_markdown();
    let b = blocks(&doc);
    // Tracked changes: inline and whole paragraphs, both kinds.
    assert!(
        md.contains("lazy brown <ins>dog</ins><del>frog</del>."),
        "{md}"
    );
    assert!(b.iter().any(|x| matches!(x, Block::Revision { inserted: true, author: Some(a), text } if a == "Allison, Timothy B." && text == "Second paragraph here")));
    assert!(b.iter().any(|x| matches!(x, Block::Revision { inserted: false, text, .. } if text == "Deleted paragraph1")));
    // Hyperlinks resolved through the relationships.
    assert!(md.contains("This is a hyperlink: [tika](http://tika.apache.org)"));
    assert!(md.contains("[test.png](file:///C:/data/test.png)"));
    // Content controls, tabs, spaces.
    for needle in [
        "Rich text content control",
        "Simple text content control",
        "Drop down1",
        "11/16/2016",
        "tab\ttab",
        "This is          10 spaces",
        "Mattmann",
    ] {
        assert!(md.contains(needle), "{needle}");
    }
    // mc:AlternateContent read once (Choice), not twice (Fallback).
    assert_eq!(md.matches("serious word art").count(), 1);
    assert_eq!(md.matches("This is text within a shape").count(), 1);
    assert_eq!(md.matches("engaging title page").count(), 1);
    // Headers/footers: first, even and odd, each once.
    let headers: Vec<String> = notes(b, NoteKind::Header)
        .into_iter()
        .map(|n| n.1)
        .collect();
    assert_eq!(headers.len(), 3);
    for h in ["First page header", "Even page header", "Odd page header"] {
        assert!(headers.iter().any(|x| x == h), "{headers:?}");
    }
    assert_eq!(notes(b, NoteKind::Footer).len(), 3);
    assert_eq!(
        notes(b, NoteKind::Footnote),
        vec![(Some("1".into()), "And this is the footnote".into())]
    );
    assert_eq!(
        notes(b, NoteKind::Endnote),
        vec![(Some("i".into()), "This is an endnote".into())]
    );
    assert!(md.contains("This should point to an endnote [^i]"));
    assert_eq!(
        notes(b, NoteKind::Comment),
        vec![(
            Some("Allison, Timothy B.".into()),
            "This is a comment".into()
        )]
    );
    // The chart's cached data, as a table.
    let chart = tables(b)
        .into_iter()
        .find(|t| t.caption.as_deref() == Some("Chart: This is the chart title"))
        .expect("chart table");
    assert_eq!(
        chart.rows[0],
        row(&["Category", "Series 1", "Series 2", "Series 3"])
    );
    assert_eq!(chart.rows[1], row(&["Category 1", "4.3", "2.4", "2"]));
    assert!(tables(b).iter().any(|t| {
        t.rows
            .iter()
            .flatten()
            .any(|c| c.contains("Embedded table r1c1"))
    }));
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.message.contains("embedded OLE object")),
        "{:?}",
        doc.warnings
    );
}

#[test]
fn chart_in_docx_as_table() {
    let doc = read("tika__testWORD_charts.docx");
    let t = tables(blocks(&doc));
    assert_eq!(t[0].caption.as_deref(), Some("Chart: wants a peach"));
    assert_eq!(t[0].rows[0], row(&["Category", "NUMBER"]));
    assert_eq!(t[0].rows[1], row(&["January", "5"]));
    assert_eq!(t[0].rows.len(), 9);
}

#[test]
fn bullets_and_numbers_of_various() {
    let doc = read("tika__testWORD_various.docx");
    let items = list_items(blocks(&doc));
    assert!(has_item(&items, "•", "Bullet 2"), "{items:?}");
    assert!(has_item(&items, "3)", "Number bullet 3"), "{items:?}");
    assert_eq!(
        doc.to_markdown()
            .matches("This is the header text.")
            .count(),
        1
    );
}

#[test]
fn equations_keep_their_text() {
    let doc = read("markitdown__equations.docx");
    let md = doc.to_markdown();
    // Structure kept as LaTeX-style text, symbols as Word shows them.
    assert!(md.contains("For $m=1$,"), "{md}");
    assert!(
        md.contains(
            "$$sin⁡θ=\\frac{mλ}{a}=\\frac{(1)\\left(550×10^{-6} mm\\right)}{2.5 mm}=2.2×10^{-4}$$"
        ),
        "{md}"
    );
    assert!(md.contains("$θ=sin^{-1}⁡\\left(2.2×10^{-4}\\right)"), "{md}");
}

/// A Strict OOXML package (purl.oclc.org namespaces, other prefixes, a main part that is not
/// word/document.xml).
#[test]
fn strict_ooxml_with_unusual_names() {
    const W: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
    const R: &str = "http://purl.oclc.org/ooxml/officeDocument/relationships";
    let root_rels = format!(
        r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{R}/officeDocument" Target="/content/main.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="props/core.xml"/></Relationships>"#
    );
    let main_rels = format!(
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="s" Type="{R}/styles" Target="st.xml"/><Relationship Id="n" Type="{R}/numbering" Target="num.xml"/><Relationship Id="h" Type="{R}/hyperlink" Target="https://example.org/a?b=1&amp;c=2" TargetMode="External"/></Relationships>"#
    );
    let styles = format!(
        r#"<x:styles xmlns:x="{W}"><x:style x:type="paragraph" x:styleId="H"><x:name x:val="heading 2"/></x:style><x:style x:type="paragraph" x:styleId="Sub"><x:name x:val="Sub"/><x:basedOn x:val="H"/></x:style></x:styles>"#
    );
    let numbering = format!(
        r#"<x:numbering xmlns:x="{W}"><x:abstractNum x:abstractNumId="3"><x:lvl x:ilvl="0"><x:start x:val="4"/><x:numFmt x:val="upperRoman"/><x:lvlText x:val="%1."/></x:lvl></x:abstractNum><x:num x:numId="9"><x:abstractNumId x:val="3"/></x:num></x:numbering>"#
    );
    let main = format!(
        r#"<x:document xmlns:x="{W}" xmlns:q="{R}"><x:body>
<x:p><x:pPr><x:pStyle x:val="Sub"/></x:pPr><x:r><x:t>Strict heading</x:t></x:r></x:p>
<x:p><x:pPr><x:numPr><x:ilvl x:val="0"/><x:numId x:val="9"/></x:numPr></x:pPr><x:r><x:t>fourth</x:t></x:r></x:p>
<x:p><x:pPr><x:numPr><x:ilvl x:val="0"/><x:numId x:val="9"/></x:numPr></x:pPr><x:r><x:t>fifth</x:t></x:r></x:p>
<x:p><x:hyperlink q:id="h"><x:r><x:t>a link</x:t></x:r></x:hyperlink></x:p>
</x:body></x:document>"#
    );
    let core = r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Strict doc</dc:title><dc:creator>Ann</dc:creator></cp:coreProperties>"#;
    let bytes = zip_of(&[
        ("_rels/.rels", root_rels.as_bytes()),
        ("content/_rels/main.xml.rels", main_rels.as_bytes()),
        ("content/main.xml", main.as_bytes()),
        ("content/st.xml", styles.as_bytes()),
        ("content/num.xml", numbering.as_bytes()),
        ("props/core.xml", core.as_bytes()),
    ]);
    let doc = read_docx(&bytes, &ReadOptions::default()).unwrap();
    assert_eq!(doc.title.as_deref(), Some("Strict doc"));
    assert_eq!(doc.metadata["author"], "Ann");
    let b = blocks(&doc);
    assert_eq!(b[0], Block::heading(2, "Strict heading"));
    assert_eq!(
        list_items(b),
        vec![
            ("IV.".to_string(), 0, "fourth".to_string()),
            ("V.".to_string(), 0, "fifth".to_string())
        ]
    );
    assert_eq!(
        b[3],
        Block::paragraph("[a link](https://example.org/a?b=1&c=2)")
    );
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}
