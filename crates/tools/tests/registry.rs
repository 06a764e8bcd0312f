//! The registry: built-in tools, specs and schemas, later tools and readers.

mod common;

use common::Env;
use cowork_protocol::ActionKind;
use cowork_tools::{Reader, Registry, ToolError};
use serde_json::json;

#[test]
fn builtin_has_the_stable_tools_with_sorted_specs_and_schemas() {
    let registry = Registry::builtin();
    let specs = registry.specs();
    let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        vec![
            "create_chart",
            "create_document",
            "create_presentation",
            "create_spreadsheet",
            "delete_path",
            "edit_file",
            "extract_tables",
            "list_dir",
            "make_dir",
            "move_path",
            "organize",
            "query_data",
            "read_document",
            "read_file",
            "search_files",
            "update_plan",
            "write_file",
        ]
    );
    let kind = |n: &str| specs.iter().find(|s| s.name == n).unwrap().kind;
    assert_eq!(kind("read_file"), ActionKind::FileRead);
    assert_eq!(kind("write_file"), ActionKind::FileWrite);
    assert_eq!(kind("make_dir"), ActionKind::FileWrite);
    assert_eq!(kind("organize"), ActionKind::FileMove);
    assert_eq!(kind("delete_path"), ActionKind::FileDelete);
    assert_eq!(kind("update_plan"), ActionKind::Summarize);
    for spec in &specs {
        let schema = &spec.input_schema;
        assert_eq!(schema["type"], "object", "{}: {schema}", spec.name);
        assert_eq!(
            schema["additionalProperties"], false,
            "{}: {schema}",
            spec.name
        );
        assert!(!spec.description.is_empty());
    }
    let write = &specs
        .iter()
        .find(|s| s.name == "write_file")
        .unwrap()
        .input_schema;
    let required: Vec<&str> = write["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, vec!["path", "content"]);
    assert!(write["properties"]["overwrite"].is_object());
    assert!(registry.get("nope").is_none());
}

#[test]
fn readers_registered_later_are_used_by_read_file() {
    struct Fake;
    impl Reader for Fake {
        fn name(&self) -> &str {
            "fake-pdf"
        }
        fn accepts(&self, ext: Option<&str>, head: &[u8]) -> bool {
            ext == Some(".pdf") && head.starts_with(b"%PDF")
        }
        fn read(&self, bytes: &[u8]) -> Result<String, ToolError> {
            Ok(format!("a document of {} bytes\n", bytes.len()))
        }
    }
    let mut env = Env::new();
    env.put("r.pdf", b"%PDF-1.7\n\x00\x01");
    assert!(env.run("read_file", json!({"path": "r.pdf"})).is_err());
    env.registry.readers_mut().register(Box::new(Fake));
    let (_, out) = env.run("read_file", json!({"path": "r.pdf"})).unwrap();
    assert_eq!(out.content, "a document of 11 bytes\n");
}

#[test]
fn register_adds_and_replaces_tools() {
    let mut registry = Registry::builtin();
    let before = registry.specs().len();
    registry.register(Box::new(cowork_tools::ListDir));
    assert_eq!(registry.specs().len(), before);
    let mut empty = Registry::empty();
    empty.register(Box::new(cowork_tools::UpdatePlan));
    assert_eq!(empty.names(), vec!["update_plan"]);
}
