//! `cowork read`: documents from the shared corpus printed as Markdown and JSON.

use std::path::PathBuf;
use std::process::Command;

fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(rel)
}

fn cowork(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cowork"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn reads_a_docx_with_its_list_numbers() {
    let file = corpus("docx/tika__testWORD_numbered_list.docx");
    let (code, out, err) = cowork(&["read", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1) This\n  a) Is\n    i) A multi"), "{out}");
}

#[test]
fn reads_pdf_pages_as_json() {
    let file = corpus("pdf/pdfjs__freeculture.pdf");
    let (code, out, err) = cowork(&["read", file.to_str().unwrap(), "--pages", "2-3", "--json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["format"], "pdf");
    assert_eq!(doc["total_parts"], 352);
    let numbers: Vec<u64> = doc["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 3]);
    assert_eq!(doc["next"]["by"], "pages");
}

#[test]
fn bad_arguments_and_bad_files_say_what_to_do() {
    let file = corpus("xlsx/markitdown__test.xlsx");
    let (code, _, err) = cowork(&["read", file.to_str().unwrap(), "--pages", "x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("page range `x`"), "{err}");
    let (code, _, err) = cowork(&["read", file.to_str().unwrap(), "--sheet", "nope"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no sheet named `nope`") && err.contains("Sheet1"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("chart.pdf");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\0").unwrap();
    let (code, _, err) = cowork(&["read", png.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("PNG image"), "{err}");
}

#[test]
fn convert_writes_decks_workbooks_and_documents_that_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("deck.md");
    std::fs::write(&md, "# Q1 review\n\n## Highlights\n\n- North up 12%\n  - retail\n- South flat\n\nNotes: mention weather\n\n## Next\n\n1. Hire\n").unwrap();
    let pptx = dir.path().join("deck.pptx");
    let (code, _, err) = cowork(&["convert", md.to_str().unwrap(), pptx.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = cowork(&["read", pptx.to_str().unwrap()]);
    assert!(out.contains("<!-- slide 2 -->\n## Highlights"), "{out}");
    assert!(
        out.contains("  - retail") && out.contains("mention weather") && out.contains("- Hire"),
        "{out}"
    );
    // An existing output needs --force.
    let (code, _, err) = cowork(&["convert", md.to_str().unwrap(), pptx.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");

    let csv = corpus("csv/tika__testCSV.csv");
    let xlsx = dir.path().join("t.xlsx");
    let (code, _, err) = cowork(&["convert", csv.to_str().unwrap(), xlsx.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (_, orig, _) = cowork(&["read", csv.to_str().unwrap(), "--json"]);
    let (_, back, _) = cowork(&["read", xlsx.to_str().unwrap(), "--json"]);
    let orig: serde_json::Value = serde_json::from_str(&orig).unwrap();
    let back: serde_json::Value = serde_json::from_str(&back).unwrap();
    let rows = |v: &serde_json::Value| v["parts"][0]["blocks"][0]["rows"].as_array().unwrap().len();
    assert_eq!(rows(&orig), rows(&back));

    let docx = dir.path().join("report.docx");
    let (code, _, err) = cowork(&["convert", md.to_str().unwrap(), docx.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = cowork(&["read", docx.to_str().unwrap()]);
    assert!(
        out.contains("# Q1 review") && out.contains("## Highlights"),
        "{out}"
    );
    let (code, _, err) = cowork(&[
        "convert",
        md.to_str().unwrap(),
        dir.path().join("x.odt").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains(".docx"), "{err}");
}
