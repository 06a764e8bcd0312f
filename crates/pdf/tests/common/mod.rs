//! Helpers shared by the integration tests: corpus files read in place, and small PDFs built
//! with lopdf for cases the corpus does not have.
#![allow(dead_code)]

use cowork_docmodel::{Block, Document, ReadOptions};
use lopdf::{Document as LoDoc, Object, Stream, dictionary};

pub fn corpus_dir() -> String {
    format!("{}/../../../shared/corpus/pdf", env!("CARGO_MANIFEST_DIR"))
}

pub fn corpus(name: &str) -> Vec<u8> {
    let path = format!("{}/{name}", corpus_dir());
    std::fs::read(&path).unwrap_or_else(|e| panic!("corpus file {path}: {e}"))
}

pub fn read(name: &str) -> Document {
    cowork_pdf::read_pdf(&corpus(name), &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The text of one part (page), blocks joined by newlines.
pub fn page_text(doc: &Document, number: usize) -> String {
    let part = doc
        .parts
        .iter()
        .find(|p| p.number == number)
        .unwrap_or_else(|| panic!("page {number} missing"));
    let mut one = Document::new(doc.format);
    one.parts.push(part.clone());
    one.plain_text()
}

/// Whitespace collapsed to single spaces (lines joined), for phrase checks across lines.
pub fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn blocks(doc: &Document) -> impl Iterator<Item = &Block> {
    doc.parts.iter().flat_map(|p| &p.blocks)
}

/// A PDF with one page per content stream, Helvetica as /F1, built in memory.
pub fn pdf_with_pages(contents: &[&[u8]]) -> LoDoc {
    let mut doc = LoDoc::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids: Vec<Object> = Vec::new();
    for content in contents {
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Contents" => content_id,
            "Resources" => resources_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc
}

pub fn save(doc: &mut LoDoc) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("lopdf writes the test PDF");
    out
}
