//! `cowork policy check FILE`: validate a config file or a Cedar file without running anything.

use std::path::{Path, PathBuf};

use crate::engine::PolicyEngine;
use crate::error::PolicyError;
use crate::layer::Layer;
use crate::merge::merge;
use crate::org::{load_org_file, schema};
use crate::parse::parse_layer;

/// What kind of file was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckedKind {
    /// A `.toml` config, checked as an organization layer (so `[cedar]` is allowed).
    Config,
    /// A `.cedar` policy file, checked as an organization Cedar file.
    Cedar,
}

/// The result of a successful check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub file: PathBuf,
    pub kind: CheckedKind,
    /// Organization Cedar policies parsed (from the file, or from the files a config lists).
    pub cedar_policies: usize,
    /// The ids of every rule the file produces, in order.
    pub rules: Vec<String>,
    /// Loosening attempts the merge would ignore (for a config file on its own: none) and
    /// other remarks.
    pub notes: Vec<String>,
}

/// Check a `.toml` config (as an organization layer; its Cedar files are parsed too) or a
/// `.cedar` file. Errors carry file, line and column.
pub fn check_file(path: &Path) -> Result<CheckReport, PolicyError> {
    let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let origin = path.display().to_string();
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => {
            let layer = parse_layer(&text, &origin, Layer::Organization)?;
            let cfg = merge(&[layer])?;
            let engine = PolicyEngine::new(&cfg)?;
            let rules = engine.rule_ids();
            let cedar_policies = rules.iter().filter(|r| r.starts_with("org:")).count();
            Ok(CheckReport {
                file: path.to_path_buf(),
                kind: CheckedKind::Config,
                cedar_policies,
                rules,
                notes: cfg.notes,
            })
        }
        Some("cedar") => {
            let rules = load_org_file(path, &text, 0, &schema()?)?;
            Ok(CheckReport {
                file: path.to_path_buf(),
                kind: CheckedKind::Cedar,
                cedar_policies: rules.len(),
                rules: rules.into_iter().map(|r| r.id).collect(),
                notes: Vec::new(),
            })
        }
        _ => Err(PolicyError::invalid(
            &origin,
            None,
            "cannot tell what to check: name a .toml config file or a .cedar policy file",
        )),
    }
}
