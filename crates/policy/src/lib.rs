//! cowork-policy: layered configuration, the constitution, and Cedar-based verdicts
//! (DESIGN.md §4).
//!
//! - [`load_layers`] finds and parses the config files of each [`Layer`]; [`parse_layer`]
//!   parses one (typos and bad values are errors with file, line and column).
//! - [`merge`] folds them into an [`EffectiveConfig`]: a weaker layer may only tighten, and
//!   every ignored loosening attempt is kept in `notes`.
//! - [`PolicyEngine`] compiles the config, the modes and the constitution to Cedar (plus the
//!   organization's own Cedar files) and gives each action a [`Verdict`](cowork_protocol::Verdict)
//!   naming the rules that decided it.
//! - [`check_file`] validates a config or Cedar file for `cowork policy check`.

mod check;
mod compile;
mod context;
mod engine;
mod error;
mod layer;
mod merge;
mod org;
mod parse;
mod show;
mod sources;
mod suggest;
mod wildcard;

pub use check::{CheckReport, CheckedKind, check_file};
pub use context::{CONTEXT_ATTRIBUTES, schema_text};
pub use engine::{PathFacts, PolicyEngine, PolicyRequest};
pub use error::{Location, PolicyError};
pub use layer::{
    Approval, Audit, CedarSection, Files, Layer, LayerConfig, Limits, Network, Privacy,
};
pub use merge::{
    BUILT_IN, DEFAULT_AUTO_APPROVE, DEFAULT_REQUIRE_APPROVAL, EffectiveConfig, Sourced, merge,
};
pub use parse::parse_layer;
pub use sources::{ConfigSources, DEFAULT_ORG_POLICY, FlagOverrides, load_layers};
pub use wildcard::destination_domain;
