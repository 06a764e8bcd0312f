//! Every corpus PDF reads to a document or to a clear error, quickly, without a panic.

mod common;

use std::time::{Duration, Instant};

use cowork_docmodel::{DocError, ReadOptions};

#[test]
fn every_corpus_pdf_reads_or_fails_clearly() {
    let mut paths: Vec<_> = std::fs::read_dir(common::corpus_dir())
        .expect("corpus directory beside the repo")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 30, "corpus has {} PDFs", paths.len());
    let opts = ReadOptions {
        max_parts: 1000,
        ..ReadOptions::default()
    };
    let mut read = 0;
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let start = Instant::now();
        let result = std::panic::catch_unwind(|| cowork_pdf::read_pdf(&bytes, &opts));
        let took = start.elapsed();
        let name = path.file_name().unwrap().to_string_lossy();
        match result {
            Err(_) => panic!("{name}: the reader panicked"),
            Ok(Ok(doc)) => {
                read += 1;
                assert_eq!(
                    doc.total_parts,
                    Some(doc.parts.len()),
                    "{name}: every page is a part"
                );
                // A page is either text or a warning saying why not.
                for part in &doc.parts {
                    assert!(
                        !part.blocks.is_empty()
                            || doc.warnings.iter().any(|w| w.part == Some(part.number)),
                        "{name}: page {} is silently empty",
                        part.number
                    );
                }
            }
            Ok(Err(e @ (DocError::Corrupt { .. } | DocError::Encrypted { .. }))) => {
                assert!(!e.to_string().is_empty());
            }
            Ok(Err(e)) => panic!("{name}: unexpected error kind: {e}"),
        }
        assert!(took < Duration::from_secs(60), "{name} took {took:?}");
    }
    assert_eq!(read, paths.len(), "every corpus PDF has text or warnings");
}
