//! The whole corpus through the one entry point: every file reads to a document with text, or
//! to a clear error — never a panic, never a hang — and attachments of mails are read too.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use cowork_docmodel::{DocError, ReadOptions};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

#[test]
fn every_corpus_file_reads_or_fails_clearly() {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(corpus()).expect("corpus beside the repo (../shared/corpus)") {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                files.push(f.unwrap().path());
            }
        }
    }
    files.sort();
    assert!(files.len() > 100);
    let mut problems = Vec::new();
    let mut read = 0;
    for path in files {
        let (tx, rx) = mpsc::channel();
        let p = path.clone();
        // A reader that hangs must fail this test, not the CI run.
        std::thread::spawn(move || {
            let _ = tx.send(cowork_docs::read_path(&p, &ReadOptions::default()));
        });
        let shown = path
            .strip_prefix(corpus())
            .unwrap_or(&path)
            .display()
            .to_string();
        match rx.recv_timeout(Duration::from_secs(60)) {
            Err(_) => problems.push(format!("{shown}: no result within 60 s")),
            Ok(Err(e @ DocError::ReaderPanicked { .. })) => problems.push(format!("{shown}: {e}")),
            Ok(Err(e)) => {
                // A clear error says what to do; only the damaged/protected test files may fail.
                let msg = e.to_string();
                if !(shown.contains("corrupt")
                    || msg.contains("password")
                    || msg.contains("damaged"))
                {
                    problems.push(format!("{shown}: unexpected error {msg}"));
                }
            }
            Ok(Ok(doc)) => {
                read += 1;
                let text = doc.to_markdown();
                let has_words = text.split_whitespace().count() > 0;
                let explained = !doc.warnings.is_empty();
                if !has_words && !explained {
                    problems.push(format!("{shown}: no text and no warning"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(read > 130, "only {read} files read");
}

#[test]
fn mail_attachments_are_read_as_documents() {
    let doc = cowork_docs::read_path(
        &corpus().join("eml/tika__testGroupWiseEml.eml"),
        &ReadOptions::default(),
    )
    .unwrap();
    let nested = doc
        .attachments
        .iter()
        .find(|a| a.name == "test.eml")
        .expect("the attached mail");
    let inner = nested.content.as_ref().expect("read as a document");
    assert_eq!(inner.title.as_deref(), Some("test2"));
    let text = doc
        .attachments
        .iter()
        .find(|a| a.name == "Neues Textdokument.txt")
        .expect("the text attachment");
    let content = text.content.as_ref().expect("read as a document");
    assert!(content.to_markdown().contains("ssssssssss"));
}
