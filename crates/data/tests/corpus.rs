//! Every data file of the corpus loads to typed tables or to a clear error.

mod common;

#[test]
fn every_corpus_data_file_loads_or_fails_clearly() {
    let mut engine = common::engine();
    for dir in ["csv", "xlsx", "json"] {
        let mut entries: Vec<_> = std::fs::read_dir(common::corpus(dir))
            .unwrap()
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(e.path()).unwrap();
            match engine.load(&name, &bytes) {
                Ok(tables) => {
                    assert!(!tables.is_empty(), "{name}");
                    for t in &tables {
                        assert!(!t.columns.is_empty(), "{name}: {}", t.table);
                        let r = engine
                            .query(&format!("SELECT COUNT(*) FROM {}", t.table))
                            .unwrap();
                        assert_eq!(r.rows[0][0], serde_json::json!(t.rows), "{name}");
                    }
                }
                Err(err) => {
                    let msg = err.to_string();
                    assert!(
                        msg.contains(&name),
                        "{name}: error does not name the file: {msg}"
                    );
                }
            }
        }
    }
    if std::env::var_os("SHOW_SCHEMA").is_some() {
        println!("{}", engine.schema_text());
    }
}
