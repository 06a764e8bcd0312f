//! Shared helpers: corpus paths (read in place) and an engine with default limits.

#![allow(dead_code)]

use cowork_data::{DataEngine, EngineLimits};

pub fn corpus(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(rel)
}

pub fn corpus_bytes(rel: &str) -> Vec<u8> {
    std::fs::read(corpus(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn engine() -> DataEngine {
    DataEngine::new(EngineLimits::default()).unwrap()
}

/// Loads a corpus file under its own file name.
pub fn load(engine: &mut DataEngine, rel: &str) -> Vec<cowork_data::TableInfo> {
    let name = rel.rsplit('/').next().unwrap();
    engine
        .load(name, &corpus_bytes(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}
