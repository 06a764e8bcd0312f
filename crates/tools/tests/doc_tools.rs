//! read_document, read_file on documents, and query_data over real corpus files.

mod common;

use std::path::PathBuf;

use common::{Env, err_text};
use cowork_protocol::{ActionKind, Effect, Provenance};
use serde_json::json;

fn corpus(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn read_document_reads_a_pdf_by_pages_and_says_how_to_go_on() {
    let mut env = Env::new();
    env.max_read_bytes = 64 * 1024 * 1024;
    env.put(
        "papers/tracemonkey.pdf",
        corpus("pdf/pdfjs__tracemonkey.pdf"),
    );
    let prepared = env
        .prepare(
            "read_document",
            json!({"path": "papers/tracemonkey.pdf", "pages": "1-2"}),
        )
        .unwrap();
    assert_eq!(prepared.kind, ActionKind::FileRead);
    assert_eq!(
        prepared.effects,
        vec![Effect::Read {
            path: "papers/tracemonkey.pdf".into()
        }]
    );
    assert!(
        prepared.description.contains("pages 1-2"),
        "{}",
        prepared.description
    );
    let (_, out) = env
        .run(
            "read_document",
            json!({"path": "papers/tracemonkey.pdf", "pages": "1-2"}),
        )
        .unwrap();
    assert!(matches!(out.provenance, Provenance::Untrusted { .. }));
    assert!(out.content.contains("<!-- page 1 -->") && out.content.contains("<!-- page 2 -->"));
    assert!(!out.content.contains("<!-- page 3 -->"));
    assert!(
        out.content.contains("Trace-based Just-in-Time"),
        "{}",
        &out.content[..500]
    );
    assert!(
        out.content.contains("read on with pages 3-"),
        "{}",
        out.content
    );
}

#[test]
fn read_document_reads_a_sheet_range_and_a_wrong_extension() {
    let mut env = Env::new();
    env.max_read_bytes = 64 * 1024 * 1024;
    // A workbook saved under a .txt name still reads as a workbook.
    env.put("data/book.txt", corpus("xlsx/markitdown__test.xlsx"));
    let (_, out) = env
        .run("read_document", json!({"path": "data/book.txt"}))
        .unwrap();
    assert!(out.content.contains("xlsx"), "{}", out.content);
    assert!(out.content.contains("## Sheet:"), "{}", out.content);
    let bad = err_text(env.run(
        "read_document",
        json!({"path": "data/book.txt", "sheet": "NoSuchSheet"}),
    ));
    assert!(bad.contains("NoSuchSheet"), "{bad}");
}

#[test]
fn read_file_uses_the_document_engine_for_office_files() {
    let mut env = Env::new();
    env.max_read_bytes = 64 * 1024 * 1024;
    env.put("deck.pptx", corpus("pptx/markitdown__test.pptx"));
    let (_, out) = env.run("read_file", json!({"path": "deck.pptx"})).unwrap();
    assert!(out.content.contains("<!-- slide 1 -->"), "{}", out.content);
}

#[test]
fn query_data_answers_a_group_by_and_refuses_writes() {
    let env = Env::new();
    env.put("data/weather.csv", corpus("csv/vega__seattle-weather.csv"));
    // The reference answer, computed independently of SQLite.
    let text = String::from_utf8(corpus("csv/vega__seattle-weather.csv")).unwrap();
    let mut header = None;
    let mut count = std::collections::BTreeMap::<String, usize>::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split(',').collect();
        if header.is_none() {
            header = Some(cells.iter().position(|c| *c == "weather").unwrap());
            continue;
        }
        *count.entry(cells[header.unwrap()].to_string()).or_default() += 1;
    }
    let sql = "SELECT weather, COUNT(*) AS days FROM weather GROUP BY weather ORDER BY weather";
    let files = json!(["data"]);
    let prepared = env
        .prepare("query_data", json!({"files": files, "sql": sql}))
        .unwrap();
    assert_eq!(prepared.kind, ActionKind::DataExtract);
    let (_, out) = env
        .run("query_data", json!({"files": files, "sql": sql}))
        .unwrap();
    for (weather, days) in &count {
        assert!(
            out.content.contains(&format!("| {weather} | {days} |")),
            "{weather} {days}\n{}",
            out.content
        );
    }
    // Without sql: the tables.
    let (_, schema) = env
        .run("query_data", json!({"files": ["data/weather.csv"]}))
        .unwrap();
    assert!(
        schema.content.contains("weather") && schema.content.contains("temp_max"),
        "{}",
        schema.content
    );
    // Writes are refused by the engine.
    let err = err_text(env.run(
        "query_data",
        json!({"files": files, "sql": "DELETE FROM weather"}),
    ));
    assert!(err.contains("read-only"), "{err}");
}

#[test]
fn query_data_saves_a_result_as_csv_through_the_journal() {
    let env = Env::new();
    env.put("sales.csv", "region,revenue\nNorth,10\nSouth,5\nNorth,7\n");
    let input = json!({
        "files": ["sales.csv"],
        "sql": "SELECT region, SUM(revenue) AS total FROM sales GROUP BY region ORDER BY region",
        "save_as": "out/totals.csv"
    });
    let prepared = env.prepare("query_data", input.clone()).unwrap();
    assert_eq!(prepared.kind, ActionKind::FileWrite);
    assert!(
        prepared
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Create { path, .. } if path == "out/totals.csv"))
    );
    env.run("query_data", input).unwrap();
    assert_eq!(
        env.get("out/totals.csv").replace("\r\n", "\n"),
        "region,total\nNorth,17\nSouth,5\n"
    );
}
