//! Time `read_pdf` on every PDF of a folder (default: the shared corpus), one line per file,
//! to compare with `pdftotext`. Build with `--release`:
//!
//! `cargo run --release -p cowork-pdf --example pdfbench -- [DIR] [OUT_DIR]`
//!
//! With OUT_DIR, each document's plain text is written there as `<stem>.txt` (for recall).

use std::time::Instant;

use cowork_docmodel::ReadOptions;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| format!("{}/../../../shared/corpus/pdf", env!("CARGO_MANIFEST_DIR")));
    let out_dir = args.next();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
        .collect();
    files.sort();
    let opts = ReadOptions {
        max_parts: usize::MAX,
        ..ReadOptions::default()
    };
    let mut total = 0.0;
    for path in files {
        let bytes = std::fs::read(&path).expect("readable file");
        let start = Instant::now();
        let result = cowork_pdf::read_pdf(&bytes, &opts);
        let secs = start.elapsed().as_secs_f64();
        total += secs;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        match result {
            Ok(doc) => {
                let text = doc.plain_text();
                println!(
                    "{secs:8.4}s  {:4} pages {:7} words  {} warnings  {name}",
                    doc.parts.len(),
                    text.split_whitespace().count(),
                    doc.warnings.len()
                );
                if let Some(out) = &out_dir {
                    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                    std::fs::write(format!("{out}/{stem}.txt"), text).expect("writable out dir");
                }
            }
            Err(e) => println!("{secs:8.4}s  error: {e}  {name}"),
        }
    }
    println!("{total:8.4}s  total");
}
