//! Structural self-checks of written files: unzip, parse every XML part, check content and
//! that every relationship resolves. Also: bad specs are errors, never panics.

mod common;

use common::*;
use cowork_writers::chart::ChartKind;
use cowork_writers::docx::{DocxOptions, image_refs, markdown_to_docx};
use cowork_writers::pptx::{PptxOptions, write_pptx};
use cowork_writers::xlsx::{SpreadsheetSpec, write_xlsx};

fn corpus(rel: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../shared/corpus/{rel}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn xlsx_has_formulas_cached_results_dates_tables_and_charts() {
    let parts = unzip(&write_xlsx(&sales_workbook()).unwrap());
    assert_well_formed(&parts);
    assert_rels_resolve(&parts);
    let sheet1 = part(&parts, "xl/worksheets/sheet1.xml");
    // Live formulas with cached results for what we can compute.
    assert!(sheet1.contains("<f>B3/2</f><v>100.25</v>"), "{sheet1}");
    assert!(sheet1.contains("<f>SUM(B2:B4)</f><v>600.5</v>"), "{sheet1}");
    assert!(
        sheet1.contains("<f>SUM(C2:C4)</f><v>140.25</v>"),
        "{sheet1}"
    );
    // 2025-01-31 is serial 45688, "300" in a numeric column is a number.
    assert!(sheet1.contains("<v>45688</v>"), "{sheet1}");
    assert!(sheet1.contains("<v>300</v>"), "{sheet1}");
    assert!(
        sheet1.contains("<pane ") && sheet1.contains("ySplit=\"1\""),
        "frozen header"
    );
    // Uncomputable formulas carry no stale cached 0.
    let sheet2 = part(&parts, "xl/worksheets/sheet2.xml");
    assert!(
        sheet2.contains("<f>SUMPRODUCT(Sales!B2:B4,Sales!B2:B4)</f></c>"),
        "{sheet2}"
    );
    assert!(!sheet2.contains("cowork-uncached"), "{sheet2}");
    assert!(parts.contains_key("xl/tables/table1.xml"));
    let chart1 = part(&parts, "xl/charts/chart1.xml");
    assert!(
        chart1.contains("<c:barChart>") && chart1.contains("Sales!$B$2:$B$4"),
        "{chart1}"
    );
    assert!(
        parts.keys().any(|k| k.starts_with("xl/charts/chart3")),
        "pie on sheet 2"
    );
    let styles = part(&parts, "xl/styles.xml");
    assert!(styles.contains("yyyy-mm-dd") && styles.contains("#,##0.00"));
}

#[test]
fn xlsx_spec_errors_say_what_to_fix() {
    let bad = |json: &str| -> String {
        let spec: SpreadsheetSpec = serde_json::from_str(json).unwrap();
        write_xlsx(&spec).unwrap_err().to_string()
    };
    let e = bad(r#"{"sheets":[{"name":"S","rows":[["=SUM(A1:A2"]]}]}"#);
    assert!(e.contains("cell A1") && e.contains("unbalanced"), "{e}");
    let e = bad(r#"{"sheets":[{"name":"S","rows":[["=SUM(A1;A2)"]]}]}"#);
    assert!(e.contains("','"), "{e}");
    let e = bad(
        r#"{"sheets":[{"name":"S","columns":[{"header":"x"}],"rows":[[1]],"charts":[{"kind":"bar","series":[{"values":"Other!A1:A3"}]}]}]}"#,
    );
    assert!(
        e.contains("Other") && e.contains("not in the workbook"),
        "{e}"
    );
    let e = bad(r#"{"sheets":[{"name":"S","rows":[[1]],"charts":[{"kind":"bar","series":[]}]}]}"#);
    assert!(e.contains("no series"), "{e}");
    let e = bad(r#"{"sheets":[{"name":"a/b"}]}"#);
    assert!(e.contains("may not contain"), "{e}");
    let e = bad(r#"{"sheets":[{"name":"S"},{"name":"s"}]}"#);
    assert!(e.contains("unique"), "{e}");
    let e = bad(r#"{"sheets":[]}"#);
    assert!(e.contains("no sheets"), "{e}");
    let e = bad(
        r#"{"sheets":[{"name":"S","columns":[{"header":"a"},{"header":"a"}],"rows":[[1,2]],"table":true}]}"#,
    );
    assert!(e.contains("unique"), "{e}");
}

#[test]
fn docx_structure_lists_links_tables_images_breaks() {
    assert_eq!(image_refs(REPORT_MD), vec!["charts/rev.png"]);
    let opts = DocxOptions {
        template: None,
        images: report_images(),
    };
    let parts = unzip(&markdown_to_docx(REPORT_MD, &opts).unwrap());
    assert_well_formed(&parts);
    assert_rels_resolve(&parts);
    let doc = part(&parts, "word/document.xml");
    assert!(
        doc.contains("<w:pStyle w:val=\"Heading1\"/>")
            && doc.contains("<w:pStyle w:val=\"Heading2\"/>")
    );
    assert_eq!(
        doc.matches("<w:numPr>").count(),
        7,
        "one number per list item"
    );
    assert!(doc.contains("<w:ilvl w:val=\"1\"/>"), "nested level");
    assert!(doc.contains("<w:hyperlink r:id=\"rIdCwLink1\""));
    assert!(doc.contains("<w:tblHeader/>") && doc.contains("<w:jc w:val=\"right\"/>"));
    assert!(doc.contains("<w:br w:type=\"page\"/>"));
    assert!(
        doc.contains("<w:pStyle w:val=\"Quote\"/>")
            && doc.contains("<w:pStyle w:val=\"SourceCode\"/>")
    );
    assert!(doc.contains("<w:strike/>") && doc.contains("VerbatimChar"));
    // 640 px at 96 dpi = 6.67 in, shrunk to the 6.3 in text width of A4 with 2.5 cm margins.
    assert!(
        doc.contains("<wp:extent cx=\"5760720\" cy=\"3600450\"/>"),
        "image size"
    );
    let rels = part(&parts, "word/_rels/document.xml.rels");
    assert!(
        rels.contains("https://example.com/report?q=1") && rels.contains("TargetMode=\"External\"")
    );
    let numbering = part(&parts, "word/numbering.xml");
    assert!(
        numbering.contains("<w:startOverride w:val=\"3\"/>"),
        "ordered list starts at 3"
    );
    assert!(part(&parts, "docProps/core.xml").contains("<dc:title>Quarterly Report</dc:title>"));
    assert!(
        parts
            .keys()
            .any(|k| k.starts_with("word/media/") && k.ends_with(".png"))
    );
}

#[test]
fn docx_template_keeps_styles_headers_and_page_setup() {
    let template = corpus("docx/tika__testWORD.docx");
    let opts = DocxOptions {
        template: Some(template),
        images: report_images(),
    };
    let parts = unzip(&markdown_to_docx(REPORT_MD, &opts).unwrap());
    assert_well_formed(&parts);
    assert_rels_resolve(&parts);
    let doc = part(&parts, "word/document.xml");
    assert!(doc.contains("<w:headerReference"), "template section kept");
    assert!(
        !doc.contains("Sample Word Document"),
        "template body replaced"
    );
    let styles = part(&parts, "word/styles.xml");
    assert_eq!(
        styles.matches("w:styleId=\"Heading1\"").count(),
        1,
        "template's Heading1 kept, not duplicated"
    );
    assert!(
        styles.contains("w:styleId=\"SourceCode\""),
        "missing styles added"
    );
    let header = parts
        .keys()
        .filter(|k| k.starts_with("word/header"))
        .count();
    assert!(header > 0);
}

#[test]
fn docx_errors_for_missing_or_bad_images() {
    let e = markdown_to_docx("![x](a.png)", &DocxOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("'a.png' was not provided"), "{e}");
    let mut opts = DocxOptions::default();
    opts.images.insert("a.png".into(), b"GIF89a".to_vec());
    let e = markdown_to_docx("![x](a.png)", &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("GIF"), "{e}");
    let e = markdown_to_docx(
        "x",
        &DocxOptions {
            template: Some(b"nope".to_vec()),
            images: Default::default(),
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("template"), "{e}");
    // Hostile Markdown: deep nesting and odd HTML still produce a well-formed document.
    let deep =
        format!("{}x\n", "> ".repeat(500)) + &"- a\n  ".repeat(200) + "<b>unclosed [link](http://x";
    let parts = unzip(&markdown_to_docx(&deep, &DocxOptions::default()).unwrap());
    assert_well_formed(&parts);
}

#[test]
fn pptx_structure_notes_charts_images() {
    let opts = PptxOptions {
        template: None,
        images: deck_images(),
    };
    let parts = unzip(&write_pptx(&deck(), &opts).unwrap());
    assert_well_formed(&parts);
    assert_rels_resolve(&parts);
    let pres = part(&parts, "ppt/presentation.xml");
    assert_eq!(pres.matches("<p:sldId ").count(), 6);
    for n in 1..=6 {
        assert!(parts.contains_key(&format!("ppt/slides/slide{n}.xml")));
    }
    let s2 = part(&parts, "ppt/slides/slide2.xml");
    assert!(s2.contains("<a:pPr lvl=\"1\"/>") && s2.contains("b=\"1\"") && s2.contains(">12%<"));
    assert!(part(&parts, "ppt/notesSlides/notesSlide1.xml").contains("Welcome everyone"));
    assert!(part(&parts, "ppt/notesSlides/notesSlide5.xml").contains("Native chart notes"));
    let chart = part(&parts, "ppt/charts/cowork_chart5.xml");
    assert!(chart.contains("<c:barDir val=\"col\"/>") && chart.contains("<c:v>North</c:v>"));
    assert!(part(&parts, "ppt/charts/cowork_chart6.xml").contains("<c:pieChart>"));
    assert!(parts.contains_key("ppt/embeddings/cowork_chart5.xlsx"));
    assert!(parts.contains_key("ppt/media/cowork_image1.png"));
    let ct = part(&parts, "[Content_Types].xml");
    assert!(ct.contains("/ppt/slides/slide6.xml") && ct.contains("drawingml.chart+xml"));
    assert!(part(&parts, "docProps/core.xml").contains("Q1 Review"));
}

#[test]
fn pptx_template_reuses_layouts_and_drops_its_slides() {
    let template = corpus("pptx/poi__2411-Performance_Up.pptx");
    let opts = PptxOptions {
        template: Some(template),
        images: deck_images(),
    };
    let parts = unzip(&write_pptx(&deck(), &opts).unwrap());
    assert_well_formed(&parts);
    assert_rels_resolve(&parts);
    let slides = parts
        .keys()
        .filter(|k| k.starts_with("ppt/slides/slide") && k.ends_with(".xml"))
        .count();
    assert_eq!(slides, 6, "the template's 49 slides are gone");
    let ct = part(&parts, "[Content_Types].xml");
    assert!(
        !ct.contains("/ppt/slides/slide7.xml"),
        "no override for a dropped slide"
    );
    let rels = part(&parts, "ppt/slides/_rels/slide3.xml.rels");
    let layout = rels
        .split("slideLayouts/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let layout_xml = part(&parts, &format!("ppt/slideLayouts/{layout}"));
    assert!(
        layout_xml.contains("type=\"twoObj\""),
        "two-column slide on the template's twoObj layout"
    );
}

#[test]
fn pptx_errors_are_clear() {
    let mut spec = deck();
    let e = write_pptx(&spec, &PptxOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("slide 4") && e.contains("'pic.png' was not provided"),
        "{e}"
    );
    spec.slides.truncate(3);
    spec.slides.push(
        serde_json::from_str(
            r#"{"layout":"chart","title":"x","chart":{"kind":"bar","series":[]}}"#,
        )
        .unwrap(),
    );
    let e = write_pptx(&spec, &PptxOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("slide 4") && e.contains("no data"), "{e}");
    spec.slides.clear();
    assert!(write_pptx(&spec, &PptxOptions::default()).is_err());
    let mut images = deck_images();
    images.insert("pic.png".into(), vec![0xFF, 0xD8, 0xFF]);
    let e = write_pptx(
        &deck(),
        &PptxOptions {
            template: None,
            images,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("JPEG"), "{e}");
}

#[test]
fn chart_images_for_every_kind() {
    for kind in [
        ChartKind::Bar,
        ChartKind::HorizontalBar,
        ChartKind::Line,
        ChartKind::Pie,
    ] {
        let png = cowork_writers::chart::render_png(&chart(kind)).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        let svg = cowork_writers::chart::render_svg(&chart(kind)).unwrap();
        assert!(svg.contains("North") || kind == ChartKind::HorizontalBar && svg.contains("West"));
    }
}

#[test]
fn spec_schemas_describe_fields() {
    let schema = serde_json::to_string(&schemars::schema_for!(
        cowork_writers::xlsx::SpreadsheetSpec
    ))
    .unwrap();
    assert!(
        schema.contains("live formula"),
        "field docs become descriptions"
    );
    let schema = serde_json::to_string(&schemars::schema_for!(
        cowork_writers::pptx::PresentationSpec
    ))
    .unwrap();
    assert!(schema.contains("two_column") && schema.contains("Speaker notes"));
    let schema =
        serde_json::to_string(&schemars::schema_for!(cowork_writers::chart::ChartSpec)).unwrap();
    assert!(schema.contains("horizontal_bar"));
}
