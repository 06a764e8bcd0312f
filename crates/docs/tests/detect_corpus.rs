//! Every corpus file is detected by content alone: without its name, and under a wrong name.

use std::path::PathBuf;

use cowork_docmodel::Format;
use cowork_docs::{Detected, detect};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn expected(dir: &str, name: &str) -> Vec<Format> {
    match dir {
        "pdf" => vec![Format::Pdf],
        "docx" => vec![Format::Docx],
        "pptx" => vec![Format::Pptx],
        "xlsx" if name.ends_with(".xls") => vec![Format::Xls],
        "xlsx" => vec![Format::Xlsx],
        "eml" => vec![Format::Eml, Format::Mbox],
        "html" => vec![Format::Html],
        "ics" => vec![Format::Ics],
        "json" => vec![Format::Json],
        "csv" => vec![Format::Csv, Format::Tsv],
        "md" => vec![Format::Markdown, Format::Text],
        "txt" => vec![Format::Text],
        other => panic!("unexpected corpus folder {other}"),
    }
}

#[test]
fn every_corpus_file_is_detected_by_content() {
    let mut wrong = Vec::new();
    let mut count = 0;
    for dir in std::fs::read_dir(corpus()).expect("corpus beside the repo (../shared/corpus)") {
        let dir = dir.unwrap();
        if !dir.file_type().unwrap().is_dir() {
            continue;
        }
        let dir_name = dir.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(dir.path()).unwrap() {
            let file = file.unwrap();
            let name = file.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(file.path()).unwrap();
            let want = expected(&dir_name, &name);
            count += 1;
            for hint in [None, Some("renamed.bin")] {
                match detect(&bytes, hint) {
                    Detected::Readable(f) if want.contains(&f) => {}
                    other => wrong.push(format!(
                        "{dir_name}/{name} (hint {hint:?}): {other:?}, want {want:?}"
                    )),
                }
            }
        }
    }
    assert!(count > 100, "only {count} corpus files found");
    assert!(wrong.is_empty(), "misdetected:\n{}", wrong.join("\n"));
}
