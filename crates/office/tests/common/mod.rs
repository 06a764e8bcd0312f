//! Helpers shared by the integration tests: corpus files read in place, packages built in
//! memory.
#![allow(dead_code)]

use std::io::{Cursor, Write};
use std::path::PathBuf;

use cowork_docmodel::{Block, Document, ListMarker, NoteKind};

/// `/work/shared/corpus` as seen from this crate (the repository sits beside `shared/`).
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
}

pub fn corpus(rel: &str) -> Vec<u8> {
    let path = corpus_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("corpus file {}: {e}", path.display()))
}

/// A zip of (name, content) entries, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }
    buf.into_inner()
}

/// Blocks of the first part.
pub fn blocks(doc: &Document) -> &[Block] {
    &doc.parts.first().expect("a part").blocks
}

/// (marker, depth, text) of every list item.
pub fn list_items(blocks: &[Block]) -> Vec<(String, u8, String)> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::ListItem {
                depth,
                marker,
                text,
            } => Some((
                match marker {
                    ListMarker::Bullet => "•".to_string(),
                    ListMarker::Number(n) => n.clone(),
                },
                *depth,
                text.clone(),
            )),
            _ => None,
        })
        .collect()
}

/// (label, text) of every note of `kind`.
pub fn notes(blocks: &[Block], kind: NoteKind) -> Vec<(Option<String>, String)> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Note {
                kind: k,
                label,
                text,
            } if *k == kind => Some((label.clone(), text.clone())),
            _ => None,
        })
        .collect()
}

pub fn tables(blocks: &[Block]) -> Vec<&cowork_docmodel::Table> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

pub fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}
