//! Reads every file under a folder (one level of subfolders, as in ../shared/corpus) and prints
//! one JSON line per file: its name, the seconds the read took (wall clock on this one thread,
//! so an upper bound of its CPU time), the plain text, or the error. Used by bench/docs/run.sh.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use cowork_docmodel::ReadOptions;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::args().nth(1).ok_or("usage: read_corpus DIR")?);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&root)? {
        let path = entry?.path();
        if path.is_dir() {
            for inner in std::fs::read_dir(&path)? {
                files.push(inner?.path());
            }
        }
    }
    files.sort();
    // The benchmark reads whole documents, as markitdown and pdftotext do.
    let opts = ReadOptions {
        max_parts: usize::MAX,
        max_sheet_rows: usize::MAX,
        ..ReadOptions::default()
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in files {
        let bytes = std::fs::read(&path)?;
        let name = path.display().to_string();
        let start = Instant::now();
        let result = cowork_docs::read_bytes(&bytes, Some(&name), &opts);
        let (text, error) = match &result {
            Ok(doc) => (doc.to_markdown(), None),
            Err(e) => (String::new(), Some(e.to_string())),
        };
        let seconds = start.elapsed().as_secs_f64();
        let line =
            serde_json::json!({"file": name, "seconds": seconds, "text": text, "error": error});
        writeln!(out, "{line}")?;
    }
    Ok(())
}
