//! Times reading every spreadsheet of a directory: `cargo run --release --example corpus_time DIR`.
use cowork_docmodel::{Format, ReadOptions};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/corpus/xlsx".into());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    let total = std::time::Instant::now();
    for path in entries {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let name = path.to_string_lossy();
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("xls") => Format::Xls,
            Some("ods") => Format::Ods,
            _ => Format::Xlsx,
        };
        let start = std::time::Instant::now();
        let result = cowork_sheets::read_spreadsheet(&bytes, format, &ReadOptions::default());
        let outcome = match result {
            Ok(doc) => format!("ok, {} chars", doc.to_markdown().len()),
            Err(e) => format!("error: {e}"),
        };
        println!("{:>9.2?} {name}: {outcome}", start.elapsed());
    }
    println!("total {:.2?}", total.elapsed());
}
