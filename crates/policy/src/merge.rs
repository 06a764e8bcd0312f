//! Merging layers into the effective config: a weaker layer may only tighten.
//!
//! The constitution layer's values are *defaults*, not floors: the strongest layer that sets a
//! key replaces its default (otherwise `--approval auto` could never leave the default
//! `interactive`). From there on every weaker layer may only tighten, and each ignored
//! loosening attempt is written to `notes`. The real invariants (C1–C6) are Cedar rules that no
//! setting can remove (see `compile.rs`).

use std::collections::BTreeSet;
use std::fmt::Display;
use std::path::PathBuf;

use cowork_protocol::{ActionKind, ApprovalMode};

use crate::error::PolicyError;
use crate::layer::{Layer, LayerConfig};
use crate::wildcard::wildcard_match;

/// A value and the layer (and file) that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub layer: Layer,
    /// File path, flag, or "built-in default".
    pub origin: String,
}

/// The origin of every default value.
pub const BUILT_IN: &str = "built-in default";

impl<T> Sourced<T> {
    fn default_value(value: T) -> Sourced<T> {
        Sourced {
            value,
            layer: Layer::Constitution,
            origin: BUILT_IN.to_string(),
        }
    }

    fn from_layer(value: T, l: &LayerConfig) -> Sourced<T> {
        Sourced {
            value,
            layer: l.layer,
            origin: l.origin.clone(),
        }
    }

    /// "organization (/etc/cowork/policy.toml)".
    pub fn source(&self) -> String {
        format!("{} ({})", self.layer, self.origin)
    }
}

/// The merged configuration. Every value remembers which layer set it.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveConfig {
    pub max_actions_per_task: Sourced<u32>,
    pub timeout_minutes: Sourced<u32>,
    pub max_file_size_mb: Sourced<u64>,
    /// Total bytes one task may write, in MB (C6).
    pub max_written_mb_per_task: Sourced<u64>,
    /// `None` = any file type.
    pub allowed_file_types: Sourced<Option<BTreeSet<String>>>,
    pub restricted_folders: Sourced<Vec<String>>,
    pub mode: Sourced<ApprovalMode>,
    pub require_approval: Sourced<BTreeSet<ActionKind>>,
    /// Never contains a kind of `require_approval`.
    pub auto_approve: Sourced<BTreeSet<ActionKind>>,
    /// Kinds the organization requires approval for: no grants are offered for them.
    pub org_require_approval: BTreeSet<ActionKind>,
    /// The strongest layer's list; see `allowed_domain_lists` for all of them.
    pub allowed_domains: Sourced<Option<Vec<String>>>,
    /// Every layer's list, strongest first: an egress destination must match each of them.
    pub allowed_domain_lists: Vec<Sourced<Vec<String>>>,
    pub local_processing_only: Sourced<bool>,
    pub data_residency: Sourced<Option<String>>,
    pub audit_enabled: Sourced<bool>,
    pub audit_path: Sourced<Option<PathBuf>>,
    pub audit_include_content: Sourced<bool>,
    pub audit_retention_days: Sourced<u32>,
    /// Organization Cedar files: (path, text).
    pub cedar_files: Vec<(PathBuf, String)>,
    /// `[models.*]` tables of each layer that has some, strongest first.
    pub models: Vec<Sourced<toml::Table>>,
    /// Each ignored loosening attempt, in words.
    pub notes: Vec<String>,
}

/// The built-in defaults (constitution layer).
pub const DEFAULT_REQUIRE_APPROVAL: &[ActionKind] = &[
    ActionKind::FileDelete,
    ActionKind::EmailSend,
    ActionKind::ExternalShare,
];
pub const DEFAULT_AUTO_APPROVE: &[ActionKind] = &[
    ActionKind::FileRead,
    ActionKind::Summarize,
    ActionKind::Draft,
];

impl Default for EffectiveConfig {
    /// The configuration with no files at all: every value from the constitution layer.
    fn default() -> Self {
        EffectiveConfig {
            max_actions_per_task: Sourced::default_value(50),
            timeout_minutes: Sourced::default_value(30),
            max_file_size_mb: Sourced::default_value(50),
            max_written_mb_per_task: Sourced::default_value(500),
            allowed_file_types: Sourced::default_value(None),
            restricted_folders: Sourced::default_value(Vec::new()),
            mode: Sourced::default_value(ApprovalMode::Interactive),
            require_approval: Sourced::default_value(
                DEFAULT_REQUIRE_APPROVAL.iter().copied().collect(),
            ),
            auto_approve: Sourced::default_value(DEFAULT_AUTO_APPROVE.iter().copied().collect()),
            org_require_approval: BTreeSet::new(),
            allowed_domains: Sourced::default_value(None),
            allowed_domain_lists: Vec::new(),
            local_processing_only: Sourced::default_value(false),
            data_residency: Sourced::default_value(None),
            audit_enabled: Sourced::default_value(true),
            audit_path: Sourced::default_value(None),
            audit_include_content: Sourced::default_value(false),
            audit_retention_days: Sourced::default_value(365),
            cedar_files: Vec::new(),
            models: Vec::new(),
            notes: Vec::new(),
        }
    }
}

fn who(l: &LayerConfig) -> String {
    format!("{} layer ({})", l.layer, l.origin)
}

fn list<T: Display>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    format!("[{}]", items.join(", "))
}

/// Merge layers (any order; they are sorted strongest first) into the effective config, and
/// read the organization's Cedar files.
pub fn merge(layers: &[LayerConfig]) -> Result<EffectiveConfig, PolicyError> {
    let mut sorted: Vec<&LayerConfig> = layers.iter().collect();
    sorted.sort_by_key(|l| l.layer);
    let mut cfg = EffectiveConfig::default();
    let notes = &mut cfg.notes;

    cfg.max_actions_per_task = tighten(
        &sorted,
        "limits.max_actions_per_task",
        cfg.max_actions_per_task,
        |l| l.limits.max_actions_per_task,
        |a, b| a < b,
        notes,
    );
    cfg.timeout_minutes = tighten(
        &sorted,
        "limits.timeout_minutes",
        cfg.timeout_minutes,
        |l| l.limits.timeout_minutes,
        |a, b| a < b,
        notes,
    );
    cfg.max_file_size_mb = tighten(
        &sorted,
        "limits.max_file_size_mb",
        cfg.max_file_size_mb,
        |l| l.limits.max_file_size_mb,
        |a, b| a < b,
        notes,
    );
    cfg.max_written_mb_per_task = tighten(
        &sorted,
        "limits.max_written_mb_per_task",
        cfg.max_written_mb_per_task,
        |l| l.limits.max_written_mb_per_task,
        |a, b| a < b,
        notes,
    );
    cfg.mode = tighten(
        &sorted,
        "approval.mode",
        cfg.mode,
        |l| l.approval.mode,
        |a: &ApprovalMode, b: &ApprovalMode| a.strictness() > b.strictness(),
        notes,
    );
    // Turning these on is the tight direction (OR); turning them off after a stronger layer
    // turned them on is ignored.
    cfg.local_processing_only = tighten(
        &sorted,
        "privacy.local_processing_only",
        cfg.local_processing_only,
        |l| l.privacy.local_processing_only,
        |a, b| *a && !*b,
        notes,
    );
    cfg.audit_enabled = tighten(
        &sorted,
        "audit.enabled",
        cfg.audit_enabled,
        |l| l.audit.enabled,
        |a, b| *a && !*b,
        notes,
    );

    cfg.data_residency = strongest(
        &sorted,
        "privacy.data_residency",
        cfg.data_residency,
        |l| l.privacy.data_residency.clone().map(Some),
        notes,
    );
    cfg.audit_path = strongest(
        &sorted,
        "audit.path",
        cfg.audit_path,
        |l| l.audit.path.clone().map(Some),
        notes,
    );
    cfg.audit_include_content = strongest(
        &sorted,
        "audit.include_content",
        cfg.audit_include_content,
        |l| l.audit.include_content,
        notes,
    );
    cfg.audit_retention_days = strongest(
        &sorted,
        "audit.retention_days",
        cfg.audit_retention_days,
        |l| l.audit.retention_days,
        notes,
    );

    merge_files(&sorted, &mut cfg);
    merge_approval_lists(&sorted, &mut cfg);
    merge_domains(&sorted, &mut cfg);

    for l in &sorted {
        if let Some(models) = &l.models {
            cfg.models.push(Sourced::from_layer(models.clone(), l));
        }
        if let Some(files) = &l.cedar.policies {
            if l.layer != Layer::Organization {
                return Err(PolicyError::invalid(
                    &l.origin,
                    None,
                    "[cedar] policies are only accepted in the organization policy file; remove them from this file",
                ));
            }
            for path in files {
                let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
                    path: path.clone(),
                    source,
                })?;
                cfg.cedar_files.push((path.clone(), text));
            }
        }
    }
    Ok(cfg)
}

/// A key where a weaker layer may only move the value in the tight direction
/// (`tighter(new, current)`); anything else is ignored with a note.
fn tighten<T: Clone + PartialEq + Display>(
    layers: &[&LayerConfig],
    key: &str,
    default: Sourced<T>,
    get: impl Fn(&LayerConfig) -> Option<T>,
    tighter: impl Fn(&T, &T) -> bool,
    notes: &mut Vec<String>,
) -> Sourced<T> {
    let mut current: Option<Sourced<T>> = None;
    for l in layers {
        let Some(v) = get(l) else { continue };
        match &current {
            None => current = Some(Sourced::from_layer(v, l)),
            Some(cur) if tighter(&v, &cur.value) => current = Some(Sourced::from_layer(v, l)),
            Some(cur) if v != cur.value => notes.push(format!(
                "{} sets {key} = {v}, looser than {}'s {}: kept {}",
                who(l),
                cur.layer,
                cur.value,
                cur.value
            )),
            Some(_) => {}
        }
    }
    current.unwrap_or(default)
}

/// A key where the strongest layer that sets it wins; a weaker layer's different value is
/// ignored with a note.
fn strongest<T: Clone + PartialEq + std::fmt::Debug>(
    layers: &[&LayerConfig],
    key: &str,
    default: Sourced<T>,
    get: impl Fn(&LayerConfig) -> Option<T>,
    notes: &mut Vec<String>,
) -> Sourced<T> {
    let mut current: Option<Sourced<T>> = None;
    for l in layers {
        let Some(v) = get(l) else { continue };
        match &current {
            None => current = Some(Sourced::from_layer(v, l)),
            Some(cur) if v != cur.value => notes.push(format!(
                "{} sets {key} = {}, but {} set {}: kept {}",
                who(l),
                show_debug(&v),
                cur.layer,
                show_debug(&cur.value),
                show_debug(&cur.value)
            )),
            Some(_) => {}
        }
    }
    current.unwrap_or(default)
}

/// Debug output without the `Some(..)` wrapper, for notes.
fn show_debug<T: std::fmt::Debug>(v: &T) -> String {
    let s = format!("{v:?}");
    s.strip_prefix("Some(")
        .and_then(|s| s.strip_suffix(')'))
        .map_or(s.clone(), str::to_string)
}

fn merge_files(layers: &[&LayerConfig], cfg: &mut EffectiveConfig) {
    // allowed_file_types: the intersection of every list that is set.
    for l in layers {
        let Some(types) = &l.files.allowed_file_types else {
            continue;
        };
        let types: BTreeSet<String> = types.iter().cloned().collect();
        match &cfg.allowed_file_types.value {
            None => cfg.allowed_file_types = Sourced::from_layer(Some(types), l),
            Some(cur) => {
                let added: Vec<&String> = types.difference(cur).collect();
                if !added.is_empty() {
                    cfg.notes.push(format!(
                        "{} allows {} in files.allowed_file_types, which {} does not allow: ignored",
                        who(l),
                        list(&added),
                        cfg.allowed_file_types.layer
                    ));
                }
                let narrowed: BTreeSet<String> = cur.intersection(&types).cloned().collect();
                if &narrowed != cur {
                    cfg.allowed_file_types = Sourced::from_layer(Some(narrowed), l);
                }
            }
        }
    }
    // restricted_folders: the union, in order of appearance.
    for l in layers {
        let Some(folders) = &l.files.restricted_folders else {
            continue;
        };
        let mut value = cfg.restricted_folders.value.clone();
        for f in folders {
            if !value.contains(f) {
                value.push(f.clone());
            }
        }
        if value != cfg.restricted_folders.value
            || cfg.restricted_folders.layer == Layer::Constitution
        {
            cfg.restricted_folders = Sourced::from_layer(value, l);
        }
    }
}

fn merge_approval_lists(layers: &[&LayerConfig], cfg: &mut EffectiveConfig) {
    // require_approval: the union of every list that is set.
    let mut require: Option<Sourced<BTreeSet<ActionKind>>> = None;
    for l in layers {
        let Some(kinds) = &l.approval.require_approval else {
            continue;
        };
        if l.layer == Layer::Organization {
            cfg.org_require_approval.extend(kinds.iter().copied());
        }
        let mut value = require
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_default();
        let before = value.len();
        value.extend(kinds.iter().copied());
        if require.is_none() || value.len() != before {
            require = Some(Sourced::from_layer(value, l));
        }
    }
    if let Some(r) = require {
        cfg.require_approval = r;
    }

    // auto_approve: the strongest list that is set; weaker lists may only remove kinds.
    let mut auto: Option<Sourced<BTreeSet<ActionKind>>> = None;
    for l in layers {
        let Some(kinds) = &l.approval.auto_approve else {
            continue;
        };
        let kinds: BTreeSet<ActionKind> = kinds.iter().copied().collect();
        match &auto {
            None => auto = Some(Sourced::from_layer(kinds, l)),
            Some(cur) => {
                let added: Vec<&ActionKind> = kinds.difference(&cur.value).collect();
                if !added.is_empty() {
                    cfg.notes.push(format!(
                        "{} adds {} to approval.auto_approve, which {} did not auto-approve: ignored",
                        who(l),
                        list(&added),
                        cur.layer
                    ));
                }
                let narrowed: BTreeSet<ActionKind> =
                    cur.value.intersection(&kinds).copied().collect();
                if narrowed != cur.value {
                    auto = Some(Sourced::from_layer(narrowed, l));
                }
            }
        }
    }
    if let Some(a) = auto {
        cfg.auto_approve = a;
    }
    // A kind that must be approved is never automatic.
    let clash: Vec<ActionKind> = cfg
        .auto_approve
        .value
        .intersection(&cfg.require_approval.value)
        .copied()
        .collect();
    if !clash.is_empty() {
        cfg.notes.push(format!(
            "approval.auto_approve ({}) lists {}, which approval.require_approval ({}) requires: they ask",
            cfg.auto_approve.source(),
            list(&clash),
            cfg.require_approval.source()
        ));
        for k in clash {
            cfg.auto_approve.value.remove(&k);
        }
    }
}

fn merge_domains(layers: &[&LayerConfig], cfg: &mut EffectiveConfig) {
    for l in layers {
        let Some(domains) = &l.network.allowed_domains else {
            continue;
        };
        for d in domains {
            // An entry a stronger list does not cover cannot widen anything: every list must match.
            if let Some(stronger) = cfg
                .allowed_domain_lists
                .iter()
                .find(|s| !s.value.iter().any(|p| wildcard_match(p, d)))
            {
                cfg.notes.push(format!(
                    "{} allows network destination \"{d}\", which {}'s network.allowed_domains does not: \
                     destinations must match every layer's list, so it has no effect",
                    who(l),
                    stronger.layer
                ));
            }
        }
        cfg.allowed_domain_lists
            .push(Sourced::from_layer(domains.clone(), l));
    }
    if let Some(first) = cfg.allowed_domain_lists.first() {
        cfg.allowed_domains = Sourced {
            value: Some(first.value.clone()),
            layer: first.layer,
            origin: first.origin.clone(),
        };
    }
}
