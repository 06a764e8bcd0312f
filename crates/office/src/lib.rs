//! OOXML document readers: docx and pptx into cowork Documents
mod xml;
