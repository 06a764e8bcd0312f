//! The config layers (DESIGN.md §4) and the typed, validated content of one config file.

use std::fmt;
use std::path::PathBuf;

use cowork_protocol::{ActionKind, ApprovalMode};

/// Where a setting comes from. Strongest first: the derived `Ord` sorts the strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Built into cowork: the defaults and the invariants C1–C6.
    Constitution,
    /// The administrator's file (`$COWORK_ORG_POLICY`, else `/etc/cowork/policy.toml`).
    Organization,
    /// `$XDG_CONFIG_HOME/cowork/config.toml`.
    User,
    /// `<default root>/.cowork/config.toml`, and `--config FILE`.
    Workspace,
    /// Command-line flags such as `--approval`.
    Flags,
}

impl Layer {
    pub const ALL: &'static [Layer] = &[
        Layer::Constitution,
        Layer::Organization,
        Layer::User,
        Layer::Workspace,
        Layer::Flags,
    ];

    /// The stable lowercase name, as shown by `cowork config show`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Constitution => "constitution",
            Layer::Organization => "organization",
            Layer::User => "user",
            Layer::Workspace => "workspace",
            Layer::Flags => "flags",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[limits]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    pub max_actions_per_task: Option<u32>,
    pub timeout_minutes: Option<u32>,
    pub max_file_size_mb: Option<u64>,
    /// Total bytes a task may write, in MB (C6).
    pub max_written_mb_per_task: Option<u64>,
}

/// `[files]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    /// Lowercase, each starting with `.`.
    pub allowed_file_types: Option<Vec<String>>,
    /// Relative to a root, or absolute.
    pub restricted_folders: Option<Vec<String>>,
}

/// `[approval]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approval {
    pub mode: Option<ApprovalMode>,
    pub require_approval: Option<Vec<ActionKind>>,
    pub auto_approve: Option<Vec<ActionKind>>,
}

/// `[network]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    /// Lowercase domain patterns; `*` matches any run of characters.
    pub allowed_domains: Option<Vec<String>>,
}

/// `[privacy]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Privacy {
    pub local_processing_only: Option<bool>,
    pub data_residency: Option<String>,
}

/// `[audit]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
    pub enabled: Option<bool>,
    /// Absolute (a leading `~/` is expanded when parsed).
    pub path: Option<PathBuf>,
    pub include_content: Option<bool>,
    pub retention_days: Option<u32>,
}

/// `[cedar]` (organization layer only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CedarSection {
    /// Already resolved against the directory of the file that listed them.
    pub policies: Option<Vec<PathBuf>>,
}

/// One parsed config file: every key of DESIGN.md §4, all optional.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerConfig {
    pub layer: Layer,
    /// The file path, or the flag (`--approval`) for the flags layer.
    pub origin: String,
    pub limits: Limits,
    pub files: Files,
    pub approval: Approval,
    pub network: Network,
    pub privacy: Privacy,
    pub audit: Audit,
    pub cedar: CedarSection,
    /// `[models.*]` tables, kept raw for the model providers.
    pub models: Option<toml::Table>,
}

impl LayerConfig {
    /// A layer that sets nothing.
    pub fn empty(layer: Layer, origin: impl Into<String>) -> LayerConfig {
        LayerConfig {
            layer,
            origin: origin.into(),
            limits: Limits::default(),
            files: Files::default(),
            approval: Approval::default(),
            network: Network::default(),
            privacy: Privacy::default(),
            audit: Audit::default(),
            cedar: CedarSection::default(),
            models: None,
        }
    }
}
