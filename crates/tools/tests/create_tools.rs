//! create_spreadsheet / create_document / create_presentation / create_chart: previewed before
//! they run, written through the journal, and read back with cowork's own readers.

mod common;

use common::{Env, err_text};
use cowork_docmodel::{Block, ReadOptions};
use cowork_protocol::{ActionKind, Effect, Preview};
use serde_json::json;

fn read_back(env: &Env, rel: &str) -> cowork_docmodel::Document {
    cowork_docs::read_path(&env.path(rel), &ReadOptions::default()).unwrap()
}

#[test]
fn spreadsheet_with_live_formulas_and_a_chart() {
    let env = Env::new();
    let input = json!({
        "path": "out/q1.xlsx",
        "sheets": [{
            "name": "Q1",
            "columns": [{"header": "Region"}, {"header": "Revenue", "format": "#,##0.00"}],
            "rows": [["North", 1200.5], ["South", 800], ["Total", "=SUM(B2:B3)"]],
            "charts": [{"kind": "bar", "title": "Revenue", "categories": "A2:A3", "series": [{"name": "Revenue", "values": "B2:B3"}]}]
        }]
    });
    let prepared = env.prepare("create_spreadsheet", input.clone()).unwrap();
    assert_eq!(prepared.kind, ActionKind::FileWrite);
    assert!(
        matches!(&prepared.effects[..], [Effect::Create { path, bytes }] if path == "out/q1.xlsx" && *bytes > 0)
    );
    let Preview::Ops { ops } = &prepared.preview else {
        panic!("{:?}", prepared.preview)
    };
    assert!(
        ops[0].contains("sheet Q1: 3 rows")
            && ops[0].contains("1 formulas")
            && ops[0].contains("1 charts"),
        "{ops:?}"
    );
    env.run("create_spreadsheet", input).unwrap();
    let doc = read_back(&env, "out/q1.xlsx");
    let Block::Table(table) = &doc.parts[0].blocks[0] else {
        panic!("{doc:?}")
    };
    assert_eq!(
        table.rows[3],
        vec!["Total".to_string(), "2,000.50".to_string()]
    );
    assert!(
        table
            .formulas
            .iter()
            .any(|f| f.cell == "B4" && f.formula == "=SUM(B2:B3)"),
        "{:?}",
        table.formulas
    );
    // An existing file is not replaced without overwrite.
    let again = err_text(env.prepare(
        "create_spreadsheet",
        json!({"path": "out/q1.xlsx", "sheets": [{"name": "A"}]}),
    ));
    assert!(again.contains("already exists"), "{again}");
}

#[test]
fn bad_spreadsheet_input_is_refused_before_anything_is_written() {
    let env = Env::new();
    let err = err_text(env.prepare(
        "create_spreadsheet",
        json!({"path": "x.xlsx", "sheets": [{"name": "A", "rows": [["=SUM(B2:B3"]]}]}),
    ));
    assert!(err.contains("invalid input"), "{err}");
    let err = err_text(env.prepare(
        "create_spreadsheet",
        json!({"path": "x.csv", "sheets": [{"name": "A"}]}),
    ));
    assert!(err.contains(".xlsx"), "{err}");
    assert!(!env.exists("x.xlsx"));
}

#[test]
fn document_from_markdown_with_a_workspace_image() {
    let env = Env::new();
    let chart = json!({"path": "charts/rev.png", "chart": {"kind": "bar", "title": "Revenue", "categories": ["North", "South"], "series": [{"name": "2025", "values": [3.0, 5.0]}]}});
    env.run("create_chart", chart).unwrap();
    assert!(
        std::fs::read(env.path("charts/rev.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    let input = json!({
        "path": "report.docx",
        "markdown": "# Q1 report\n\nRevenue grew.\n\n1. North\n2. South\n\n![Revenue](charts/rev.png)\n"
    });
    let prepared = env.prepare("create_document", input.clone()).unwrap();
    assert!(
        prepared.effects.contains(&Effect::Read {
            path: "charts/rev.png".into()
        }),
        "{:?}",
        prepared.effects
    );
    env.run("create_document", input).unwrap();
    let md = read_back(&env, "report.docx").to_markdown();
    assert!(
        md.contains("# Q1 report") && md.contains("1. North") && md.contains("2. South"),
        "{md}"
    );
    let missing = err_text(env.prepare(
        "create_document",
        json!({"path": "r2.docx", "markdown": "![x](nope.png)"}),
    ));
    assert!(missing.contains("nope.png"), "{missing}");
}

#[test]
fn presentation_slides_in_order_with_notes() {
    let env = Env::new();
    let input = json!({
        "path": "deck.pptx",
        "slides": [
            {"layout": "title", "title": "Q1 review", "subtitle": "Sales"},
            {"layout": "bullets", "title": "Highlights", "bullets": ["North up 12%", {"text": "South flat", "level": 1}], "notes": "Mention the weather"}
        ]
    });
    let prepared = env.prepare("create_presentation", input.clone()).unwrap();
    let Preview::Ops { ops } = &prepared.preview else {
        panic!()
    };
    assert_eq!(
        ops,
        &vec![
            "slide 1: Q1 review".to_string(),
            "slide 2: Highlights".to_string()
        ]
    );
    env.run("create_presentation", input).unwrap();
    let doc = read_back(&env, "deck.pptx");
    let names: Vec<_> = doc
        .parts
        .iter()
        .map(|p| p.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, vec!["Q1 review", "Highlights"]);
    assert!(doc.to_markdown().contains("Mention the weather"));
}

#[test]
fn extract_tables_from_a_docx_to_xlsx_and_csv() {
    let env = Env::new();
    let src = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/docx/tika__testWORD_2006ml.docx");
    env.put("in/tables.docx", std::fs::read(src).unwrap());
    let prepared = env
        .prepare(
            "extract_tables",
            json!({"path": "in/tables.docx", "output": "out/tables.xlsx"}),
        )
        .unwrap();
    assert_eq!(
        prepared.effects[0],
        Effect::Read {
            path: "in/tables.docx".into()
        }
    );
    let Preview::Ops { ops } = &prepared.preview else {
        panic!()
    };
    assert!(!ops.is_empty() && ops[0].starts_with("table 1"), "{ops:?}");
    env.run(
        "extract_tables",
        json!({"path": "in/tables.docx", "output": "out/tables.xlsx"}),
    )
    .unwrap();
    let book = read_back(&env, "out/tables.xlsx");
    assert_eq!(book.parts.len(), ops.len());
    let original = read_back(&env, "in/tables.docx");
    let first_original = original.parts[0]
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t.clone()),
            _ => None,
        })
        .unwrap();
    let Block::Table(first_sheet) = &book.parts[0].blocks[0] else {
        panic!()
    };
    assert_eq!(first_sheet.rows[0], first_original.rows[0]);
    assert_eq!(first_sheet.rows[0][0], "Category");
    assert_eq!(first_sheet.rows[1], vec!["Category 1", "4.3", "2.4", "2"]);
    if ops.len() > 1 {
        let err = err_text(env.prepare(
            "extract_tables",
            json!({"path": "in/tables.docx", "output": "t.csv"}),
        ));
        assert!(err.contains("set `table`"), "{err}");
    }
    env.run(
        "extract_tables",
        json!({"path": "in/tables.docx", "output": "t.csv", "table": 1}),
    )
    .unwrap();
    assert!(!env.get("t.csv").is_empty());
}
