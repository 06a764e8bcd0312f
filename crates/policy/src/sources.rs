//! Finding and loading the config files of every layer.

use std::ffi::OsString;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use cowork_protocol::ApprovalMode;

use crate::error::PolicyError;
use crate::layer::{Layer, LayerConfig};
use crate::parse::parse_layer;

/// What the command line adds on top of the files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagOverrides {
    /// `--approval MODE` (flags layer: may only tighten).
    pub mode: Option<ApprovalMode>,
    /// `--config FILE`: an extra layer of workspace strength. It must exist.
    pub extra_config: Option<PathBuf>,
}

/// The config files of one run. `None` means "no such file for this layer".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigSources {
    /// When set, the file must exist (see [`ConfigSources::discover`]).
    pub org: Option<PathBuf>,
    pub user: Option<PathBuf>,
    pub workspace: Option<PathBuf>,
}

/// The default organization policy, used when `$COWORK_ORG_POLICY` is not set.
pub const DEFAULT_ORG_POLICY: &str = "/etc/cowork/policy.toml";

impl ConfigSources {
    /// org: `$COWORK_ORG_POLICY`, else `/etc/cowork/policy.toml` if it exists; user:
    /// `$XDG_CONFIG_HOME/cowork/config.toml`, else `~/.config/cowork/config.toml`; workspace:
    /// `<default root>/.cowork/config.toml`.
    pub fn discover(default_root: &Path) -> ConfigSources {
        ConfigSources::discover_with(default_root, |name| std::env::var_os(name))
    }

    /// [`ConfigSources::discover`] with the environment given as a lookup function (for tests
    /// and embedders that do not want the process environment).
    pub fn discover_with(
        default_root: &Path,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> ConfigSources {
        let set = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        // An org file named by the environment is kept even if missing, so that loading fails
        // loudly instead of silently running without the administrator's rules.
        let org = set("COWORK_ORG_POLICY").or_else(|| {
            let default = PathBuf::from(DEFAULT_ORG_POLICY);
            default.exists().then_some(default)
        });
        // XDG says relative values are invalid and must be ignored.
        let config_home = set("XDG_CONFIG_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| set("HOME").map(|home| home.join(".config")));
        ConfigSources {
            org,
            user: config_home.map(|dir| dir.join("cowork").join("config.toml")),
            workspace: Some(default_root.join(".cowork").join("config.toml")),
        }
    }
}

/// Load every existing file and the flags into layers, strongest first. Missing user and
/// workspace files are fine; a named org file or `--config` file that is missing, and any
/// unreadable or broken file, is an error.
pub fn load_layers(
    sources: &ConfigSources,
    flags: &FlagOverrides,
) -> Result<Vec<LayerConfig>, PolicyError> {
    let mut layers = Vec::new();
    if let Some(path) = &sources.org {
        match read(path)? {
            Some(text) => layers.push(parse_layer(
                &text,
                &path.display().to_string(),
                Layer::Organization,
            )?),
            None => return Err(PolicyError::MissingOrgPolicy { path: path.clone() }),
        }
    }
    for (path, layer) in [
        (&sources.user, Layer::User),
        (&sources.workspace, Layer::Workspace),
    ] {
        if let Some(path) = path
            && let Some(text) = read(path)?
        {
            layers.push(parse_layer(&text, &path.display().to_string(), layer)?);
        }
    }
    if let Some(path) = &flags.extra_config {
        match read(path)? {
            Some(text) => layers.push(parse_layer(
                &text,
                &path.display().to_string(),
                Layer::Workspace,
            )?),
            None => return Err(PolicyError::MissingConfig { path: path.clone() }),
        }
    }
    if let Some(mode) = flags.mode {
        let mut cfg = LayerConfig::empty(Layer::Flags, "--approval");
        cfg.approval.mode = Some(mode);
        layers.push(cfg);
    }
    Ok(layers)
}

/// The file's text, `None` if it does not exist.
fn read(path: &Path) -> Result<Option<String>, PolicyError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(PolicyError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}
