//! Shared helpers: corpus files are read in place from `../shared/corpus` beside the repo.

#![allow(dead_code)]

use cowork_docmodel::{Block, Document, Table};

pub fn corpus(rel: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../shared/corpus/{rel}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read corpus file {path}: {e}"))
}

pub fn corpus_dir(dir: &str) -> Vec<std::path::PathBuf> {
    let path = format!(
        "{}/../../../shared/corpus/{dir}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut files: Vec<_> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("cannot list {path}: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

pub fn first_table(doc: &Document) -> &Table {
    doc.parts
        .iter()
        .flat_map(|p| &p.blocks)
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .expect("document has a table")
}
