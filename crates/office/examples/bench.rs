//! Time the readers over directories of docx/pptx files:
//! `cargo run --release -p cowork-office --example bench -- DIR… [--rounds N]`.
use std::time::Instant;

use cowork_office::{ReadOptions, read_docx, read_pptx};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds: u32 = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    let opts = ReadOptions::default();
    for dir in args
        .iter()
        .filter(|a| !a.starts_with("--") && a.parse::<u32>().is_err())
    {
        let mut files: Vec<_> = match std::fs::read_dir(dir) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                eprintln!("{dir}: {e}");
                continue;
            }
        };
        files.sort();
        let (mut total, mut bytes_total, mut count) = (0.0f64, 0u64, 0usize);
        for path in files {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let pptx = path.extension().is_some_and(|e| e == "pptx");
            let started = Instant::now();
            let mut ok = true;
            for _ in 0..rounds {
                let result = if pptx {
                    read_pptx(&bytes, &opts)
                } else {
                    read_docx(&bytes, &opts)
                };
                ok &= result.map(|d| !d.to_markdown().is_empty()).unwrap_or(false);
            }
            let ms = started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
            total += ms;
            bytes_total += bytes.len() as u64;
            count += 1;
            println!(
                "{ms:8.2} ms {:>9} B {} {}",
                bytes.len(),
                if ok { "ok " } else { "ERR" },
                path.display()
            );
        }
        println!("== {dir}: {count} files, {bytes_total} bytes, {total:.1} ms per pass");
    }
}
