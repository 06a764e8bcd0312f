//! Print files read by this crate as Markdown (or time them): a developer's tool.
//! `cargo run -p cowork-textdocs --example textdump -- [--time] FILE...`

use std::time::Instant;

use cowork_docmodel::{DocError, Document, Format, ReadOptions};

fn read(path: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    let ext = path.rsplit('.').next().unwrap_or("");
    match Format::from_extension(ext) {
        Some(Format::Csv) => cowork_textdocs::read_csv(bytes, Format::Csv, opts),
        Some(Format::Tsv) => cowork_textdocs::read_csv(bytes, Format::Tsv, opts),
        Some(Format::Eml) => cowork_textdocs::read_eml(bytes, opts),
        Some(Format::Mbox) => cowork_textdocs::read_mbox(bytes, opts),
        Some(Format::Ics) => cowork_textdocs::read_ics(bytes, opts),
        Some(Format::Html) => cowork_textdocs::read_html(bytes, opts),
        Some(Format::Markdown) => cowork_textdocs::read_markdown(bytes, opts),
        Some(Format::Json) => cowork_textdocs::read_json(bytes, opts),
        _ => cowork_textdocs::read_text(bytes, opts),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let time = args.iter().any(|a| a == "--time");
    let opts = ReadOptions::default();
    let mut total = std::time::Duration::ZERO;
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let start = Instant::now();
        let result = read(path, &bytes, &opts).map(|d| d.to_markdown());
        let spent = start.elapsed();
        total += spent;
        match (time, result) {
            (true, Ok(md)) => println!(
                "{:>9.2} ms {:>8} chars  {path}",
                spent.as_secs_f64() * 1e3,
                md.len()
            ),
            (false, Ok(md)) => println!("{md}"),
            (_, Err(e)) => println!("{path}: error: {e}"),
        }
    }
    if time {
        println!("total {:.2} ms", total.as_secs_f64() * 1e3);
    }
}
