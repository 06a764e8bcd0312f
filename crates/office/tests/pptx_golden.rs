//! Structure of real pptx files from the shared corpus (read in place) and of decks built
//! here: slide order, titles, text, lists, tables, charts, notes, comments, paging.

mod common;

use common::{list_items, notes, row, tables, zip_of};
use cowork_docmodel::{
    Block, Chunk, DocError, Document, Format, NoteKind, PageRange, PartKind, ReadOptions,
};
use cowork_office::read_pptx;

fn read(name: &str) -> Document {
    read_with(name, &ReadOptions::default())
}

fn read_with(name: &str, opts: &ReadOptions) -> Document {
    read_pptx(&common::corpus(&format!("pptx/{name}")), opts)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn names(doc: &Document) -> Vec<Option<&str>> {
    doc.parts.iter().map(|p| p.name.as_deref()).collect()
}

#[test]
fn markitdown_deck_slides_titles_table_chart_image() {
    let doc = read("markitdown__test.pptx");
    assert_eq!(doc.format, Format::Pptx);
    assert_eq!(doc.total_parts, Some(6));
    assert!(doc.next.is_none());
    assert!(doc.parts.iter().all(|p| p.kind == PartKind::Slide));
    assert_eq!(
        doc.parts.iter().map(|p| p.number).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        names(&doc),
        vec![
            Some("AutoGen: Enabling Next-Gen LLM Applications via Multi-Agent Conversation"),
            Some("2cdda5c8-e50e-4db4-b5f0-9722a649f455"),
            Some("A table to test parsing:"),
            Some("A chart to test parsing:"),
            Some("A Nested Shape parsing"),
            Some("These Test Strings are in the Image!"),
        ]
    );
    let table = tables(&doc.parts[2].blocks)[0];
    assert_eq!(table.header_rows, 1);
    assert_eq!(
        table.rows[0],
        row(&["ColA", "ColB", "ColC", "ColD", "ColE", "ColF"])
    );
    assert_eq!(table.rows[2][3], "1b92870d-e3b5-4e65-8153-919f4ff45592");
    let chart = tables(&doc.parts[3].blocks)[0];
    assert_eq!(
        chart.caption.as_deref(),
        Some("Chart: a3f6004b-6f4f-4ea8-bee3-3741f4dc385f")
    );
    assert_eq!(chart.rows[1], row(&["2000", "2000"]));
    // Group shapes: text of both shapes, bullets with their levels.
    let slide5 = &doc.parts[4].blocks;
    let md = doc.to_markdown();
    assert!(md.contains("This is a nested shape with content in 2 shapes"));
    let items = list_items(slide5);
    assert!(
        items.contains(&("•".into(), 1, "Sub comment 2".into())),
        "{items:?}"
    );
    assert!(doc.parts[5].blocks.iter().any(|b| matches!(b,
        Block::Image { alt, target: Some(t) } if alt == "This phrase of the caption is Human-written." && t.starts_with("ppt/media/"))));
    // The title (not repeated as a block) appears once per slide in Markdown.
    assert_eq!(md.matches("## A table to test parsing:").count(), 1);
    assert!(md.contains("<!-- slide 3 -->"));
}

#[test]
fn speaker_notes() {
    let doc = read("pypptx__prs-notes.pptx");
    assert_eq!(
        notes(&doc.parts[0].blocks, NoteKind::SpeakerNotes),
        vec![(None, "Notes".to_string())]
    );
    let doc = read("poi__2411-Performance_Up.pptx");
    let with_notes = doc
        .parts
        .iter()
        .filter(|p| !notes(&p.blocks, NoteKind::SpeakerNotes).is_empty())
        .count();
    // 41 notes pages, 8 of them with text (as python-pptx finds too).
    assert_eq!(with_notes, 8);
}

#[test]
fn chart_data_as_tables() {
    let doc = read("pypptx__cht-charts.pptx");
    let t = tables(&doc.parts[0].blocks);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].header_rows, 1);
    assert_eq!(
        t[0].rows,
        vec![
            row(&["Category", "Series 1", "Series 2", "Series 3"]),
            row(&["Category 1", "4.3", "2.4", "2"]),
            row(&["Category 2", "2.5", "4.4", "2"]),
            row(&["Category 3", "3.5", "1.8", "3"]),
            row(&["Category 4", "4.5", "2.8", "5"]),
        ]
    );
}

#[test]
fn groups_comments_and_links() {
    // Shapes without text give an empty slide, not an error.
    let doc = read("pypptx__shp-groupshape.pptx");
    assert_eq!(doc.parts.len(), 1);
    assert!(doc.parts[0].blocks.is_empty());

    let doc = read("tika__testPPT_groups.pptx");
    assert_eq!(doc.parts[1].name.as_deref(), Some("MyTitle"));
    let md = doc.to_markdown();
    for needle in [
        "Text box1",
        "Text box2",
        "Text box3",
        "Text box4",
        "Ungrouped text box",
        "smart1",
        "WordArt1",
    ] {
        assert_eq!(md.matches(needle).count(), 1, "{needle} in {md}");
    }
    assert!(md.contains("[tika link](http://tika.apache.org/)"));

    let doc = read("tika__testPPT_comment.pptx");
    assert_eq!(doc.parts[0].name.as_deref(), Some("title"));
    assert_eq!(
        notes(&doc.parts[0].blocks, NoteKind::Comment),
        vec![(
            Some("Allison, Timothy B.".to_string()),
            "I'm afraid I'm going to have to ask you to add some content to this tps deck"
                .to_string()
        )]
    );
}

#[test]
fn text_on_the_master_once() {
    let doc = read("tika__testPPT_masterText.pptx");
    assert_eq!(
        notes(&doc.parts[0].blocks, NoteKind::Annotation),
        vec![(
            Some("on every slide (slide layout)".to_string()),
            "Text that I added to the master slide".to_string()
        )]
    );
    // Placeholder prompts of the master are not slide text.
    assert!(!doc.to_markdown().contains("Click to edit"));
    let doc = read("tika__testPPT_various2.pptx");
    assert_eq!(doc.to_markdown().matches("MASTERTEXTBOX").count(), 1);
}

#[test]
fn paging_by_range_and_limit() {
    let name = "poi__2411-Performance_Up.pptx";
    let full = read(name);
    assert_eq!(full.total_parts, Some(48));
    assert_eq!(full.parts.len(), 48);

    let opts = ReadOptions {
        pages: Some(PageRange::parse("3-5").unwrap()),
        ..ReadOptions::default()
    };
    let doc = read_with(name, &opts);
    assert_eq!(
        doc.parts.iter().map(|p| p.number).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    assert_eq!(doc.parts[0], full.parts[2]);
    assert_eq!(doc.total_parts, Some(48));
    assert_eq!(doc.next, Some(Chunk::Pages { first: 6, last: 8 }));

    let opts = ReadOptions {
        max_parts: 10,
        ..ReadOptions::default()
    };
    let doc = read_with(name, &opts);
    assert_eq!(doc.parts.len(), 10);
    assert_eq!(
        doc.next,
        Some(Chunk::Pages {
            first: 11,
            last: 20
        })
    );

    let opts = ReadOptions {
        pages: Some(PageRange::parse("47-").unwrap()),
        ..ReadOptions::default()
    };
    let doc = read_with(name, &opts);
    assert_eq!(
        doc.parts.iter().map(|p| p.number).collect::<Vec<_>>(),
        vec![47, 48]
    );
    assert!(doc.next.is_none());

    let opts = ReadOptions {
        pages: Some(PageRange::parse("60-70").unwrap()),
        ..ReadOptions::default()
    };
    let err = read_pptx(&common::corpus(&format!("pptx/{name}")), &opts).unwrap_err();
    assert!(
        matches!(&err, DocError::InvalidOption { detail } if detail.contains("48 slide")),
        "{err}"
    );
}

const P: &str = "http://schemas.openxmlformats.org/presentationml/2006/main";
const A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn slide_xml(shapes: &str) -> String {
    format!(
        r#"<p:sld xmlns:p="{P}" xmlns:a="{A}" xmlns:r="{REL}"><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/></p:nvGrpSpPr>{shapes}</p:spTree></p:cSld></p:sld>"#
    )
}

fn text_shape(ph: &str, y: i64, paras: &str) -> String {
    let pos = if y < 0 {
        String::new()
    } else {
        format!(r#"<a:xfrm><a:off x="100" y="{y}"/><a:ext cx="10" cy="10"/></a:xfrm>"#)
    };
    format!(
        r#"<p:sp><p:nvSpPr><p:cNvPr id="2" name="s"/><p:cNvSpPr/><p:nvPr>{ph}</p:nvPr></p:nvSpPr><p:spPr>{pos}</p:spPr><p:txBody><a:bodyPr/>{paras}</p:txBody></p:sp>"#
    )
}

/// A deck whose presentation order differs from its file names, with a title that inherits
/// its place from the layout, text boxes out of file order, numbered and bulleted paragraphs.
#[test]
fn presentation_order_reading_order_and_numbering() {
    let rels = |entries: &[(&str, &str, &str)]| {
        let mut s = String::from(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
        );
        for (id, kind, target) in entries {
            s.push_str(&format!(
                r#"<Relationship Id="{id}" Type="{REL}/{kind}" Target="{target}"/>"#
            ));
        }
        s.push_str("</Relationships>");
        s
    };
    let root = rels(&[("r1", "officeDocument", "ppt/presentation.xml")]);
    let pres_rels = rels(&[
        ("a", "slide", "slides/slide1.xml"),
        ("b", "slide", "slides/slide2.xml"),
    ]);
    let pres = format!(
        r#"<p:presentation xmlns:p="{P}" xmlns:r="{REL}"><p:sldIdLst><p:sldId id="256" r:id="b"/><p:sldId id="257" r:id="a"/></p:sldIdLst></p:presentation>"#
    );
    let first = slide_xml(&format!(
        "{}{}{}",
        text_shape("", 5000, "<a:p><a:r><a:t>lower box</a:t></a:r></a:p>"),
        text_shape("", 1000, "<a:p><a:r><a:t>upper box</a:t></a:r></a:p>"),
        text_shape(
            r#"<p:ph type="title"/>"#,
            -1,
            "<a:p><a:r><a:t>Second file, first slide</a:t></a:r></a:p>"
        ),
    ));
    let second = slide_xml(&text_shape(
        r#"<p:ph idx="1"/>"#,
        2000,
        r#"<a:p><a:pPr><a:buFont typeface="+mj-lt"/><a:buAutoNum type="arabicParenR"/></a:pPr><a:r><a:t>one</a:t></a:r></a:p>
<a:p><a:pPr><a:buAutoNum type="arabicParenR"/></a:pPr><a:r><a:t>two</a:t></a:r></a:p>
<a:p><a:pPr lvl="1"><a:buAutoNum type="alphaLcPeriod"/></a:pPr><a:r><a:t>two a</a:t></a:r></a:p>
<a:p><a:pPr lvl="1"/><a:r><a:t>inherited bullet</a:t></a:r></a:p>
<a:p><a:pPr><a:buNone/></a:pPr><a:r><a:t>plain</a:t></a:r></a:p>"#,
    ));
    let bytes = zip_of(&[
        ("_rels/.rels", root.as_bytes()),
        ("ppt/presentation.xml", pres.as_bytes()),
        ("ppt/_rels/presentation.xml.rels", pres_rels.as_bytes()),
        ("ppt/slides/slide1.xml", second.as_bytes()),
        ("ppt/slides/slide2.xml", first.as_bytes()),
    ]);
    let doc = read_pptx(&bytes, &ReadOptions::default()).unwrap();
    assert_eq!(doc.parts.len(), 2);
    assert_eq!(
        doc.parts[0].name.as_deref(),
        Some("Second file, first slide")
    );
    assert_eq!(doc.title.as_deref(), Some("Second file, first slide"));
    assert_eq!(
        doc.parts[0].blocks,
        vec![Block::paragraph("upper box"), Block::paragraph("lower box")]
    );
    assert_eq!(
        list_items(&doc.parts[1].blocks),
        vec![
            ("1)".to_string(), 0, "one".to_string()),
            ("2)".to_string(), 0, "two".to_string()),
            ("a.".to_string(), 1, "two a".to_string()),
            ("•".to_string(), 1, "inherited bullet".to_string()),
        ]
    );
    assert_eq!(doc.parts[1].blocks.last(), Some(&Block::paragraph("plain")));
}
