//! Print a PDF as the Markdown the model sees, then its warnings:
//! `cargo run -p cowork-pdf --example pdf2md -- FILE [PAGES]`.

use cowork_docmodel::{PageRange, ReadOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: pdf2md FILE [PAGES]");
        std::process::exit(2);
    };
    let mut opts = ReadOptions::default();
    if let Some(pages) = args.next() {
        opts.pages = Some(PageRange::parse(&pages).expect("page range like 3-7"));
    }
    let bytes = std::fs::read(&path).expect("readable file");
    match cowork_pdf::read_pdf(&bytes, &opts) {
        Ok(doc) => {
            println!("{}", doc.to_markdown());
            for w in &doc.warnings {
                println!("WARNING page {:?}: {}", w.part, w.message);
            }
            println!("METADATA {:?}", doc.metadata);
        }
        Err(e) => println!("ERROR {e}"),
    }
}
