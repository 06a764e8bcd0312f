//! Print files as cowork reads them: `cargo run -p cowork-office --example dump -- FILE… [--json]`.
use cowork_office::{ReadOptions, read_docx};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let opts = ReadOptions::default();
        let result = if path.ends_with(".pptx") {
            cowork_office::read_pptx(&bytes, &opts)
        } else {
            read_docx(&bytes, &opts)
        };
        match result {
            Ok(doc) if json => {
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default())
            }
            Ok(doc) => println!("==== {path}\n{}", doc.to_markdown()),
            Err(e) => println!("==== {path}\nERROR: {e}"),
        }
    }
}
