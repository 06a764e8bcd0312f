//! Every corpus file of this crate's formats reads to a document or a clear error, under
//! every reader (a wrong reader must fail cleanly too), without a panic.

mod common;

use cowork_docmodel::{Format, ReadOptions};
use cowork_textdocs::{
    read_csv, read_eml, read_html, read_ics, read_json, read_markdown, read_mbox, read_text,
};

#[test]
fn every_reader_on_every_text_corpus_file() {
    let opts = ReadOptions::default();
    let mut read = 0;
    for dir in ["csv", "eml", "html", "ics", "json", "md", "txt"] {
        for path in common::corpus_dir(dir) {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.display().to_string();
            let results = [
                ("csv", read_csv(&bytes, Format::Csv, &opts)),
                ("tsv", read_csv(&bytes, Format::Tsv, &opts)),
                ("eml", read_eml(&bytes, &opts)),
                ("mbox", read_mbox(&bytes, &opts)),
                ("ics", read_ics(&bytes, &opts)),
                ("html", read_html(&bytes, &opts)),
                ("md", read_markdown(&bytes, &opts)),
                ("text", read_text(&bytes, &opts)),
                ("json", read_json(&bytes, &opts)),
            ];
            for (reader, result) in results {
                match result {
                    Ok(doc) => {
                        let _ = doc.to_markdown();
                    }
                    Err(err) => assert!(!err.to_string().is_empty(), "{reader} on {name}"),
                }
            }
            // The reader of the file's own format succeeds.
            let own = match dir {
                "csv" => read_csv(&bytes, Format::Csv, &opts).map(|_| ()),
                "eml" => read_eml(&bytes, &opts).map(|_| ()),
                "html" => read_html(&bytes, &opts).map(|_| ()),
                "ics" => read_ics(&bytes, &opts).map(|_| ()),
                "json" => read_json(&bytes, &opts).map(|_| ()),
                "md" => read_markdown(&bytes, &opts).map(|_| ()),
                _ => read_text(&bytes, &opts).map(|_| ()),
            };
            own.unwrap_or_else(|e| panic!("{name}: {e}"));
            read += 1;
        }
    }
    assert!(read >= 40, "corpus found ({read} files)");
}
