//! Parsing one config file into a [`LayerConfig`]: serde with `deny_unknown_fields` finds
//! typos; every value is then checked here so errors name the key, the file, line and column.

use std::ops::Range;
use std::path::{Path, PathBuf};

use cowork_protocol::{ActionKind, ApprovalMode};
use serde::Deserialize;
use toml::{Spanned, Value};

use crate::error::{Location, PolicyError};
use crate::layer::{
    Approval, Audit, CedarSection, Files, Layer, LayerConfig, Limits, Network, Privacy,
};
use crate::suggest;

type Field = Option<Spanned<Value>>;

// Each section's keys. Kept next to the raw structs so the two cannot drift apart unnoticed:
// `unknown_key_message` relies on them to name the section of a typo.
const TOP_KEYS: &[&str] = &[
    "limits", "files", "approval", "network", "privacy", "audit", "cedar", "models",
];
const SECTIONS: &[(&str, &[&str])] = &[
    (
        "limits",
        &[
            "max_actions_per_task",
            "timeout_minutes",
            "max_file_size_mb",
            "max_written_mb_per_task",
        ],
    ),
    ("files", &["allowed_file_types", "restricted_folders"]),
    ("approval", &["mode", "require_approval", "auto_approve"]),
    ("network", &["allowed_domains"]),
    ("privacy", &["local_processing_only", "data_residency"]),
    (
        "audit",
        &["enabled", "path", "include_content", "retention_days"],
    ),
    ("cedar", &["policies"]),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a cowork config file")]
struct RawFile {
    limits: Option<RawLimits>,
    files: Option<RawFiles>,
    approval: Option<RawApproval>,
    network: Option<RawNetwork>,
    privacy: Option<RawPrivacy>,
    audit: Option<RawAudit>,
    cedar: Option<RawCedar>,
    models: Option<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [limits] table")]
struct RawLimits {
    max_actions_per_task: Field,
    timeout_minutes: Field,
    max_file_size_mb: Field,
    max_written_mb_per_task: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [files] table")]
struct RawFiles {
    allowed_file_types: Field,
    restricted_folders: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an [approval] table")]
struct RawApproval {
    mode: Field,
    require_approval: Field,
    auto_approve: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [network] table")]
struct RawNetwork {
    allowed_domains: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [privacy] table")]
struct RawPrivacy {
    local_processing_only: Field,
    data_residency: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an [audit] table")]
struct RawAudit {
    enabled: Field,
    path: Field,
    include_content: Field,
    retention_days: Field,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [cedar] table")]
struct RawCedar {
    policies: Field,
}

/// A value error before it is given its file: the byte range it concerns and the message.
struct ValueError {
    span: Range<usize>,
    message: String,
}

type Checked<T> = Result<T, ValueError>;

/// Parse one config file. `origin` is its path (used in errors, and to resolve `[cedar]`
/// policy paths, which are relative to the file's directory).
pub fn parse_layer(text: &str, origin: &str, layer: Layer) -> Result<LayerConfig, PolicyError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| toml_error(&e, text, origin))?;
    let at = |e: ValueError| {
        PolicyError::invalid(
            origin,
            Some(Location::from_offset(text, e.span.start)),
            e.message,
        )
    };
    let mut cfg = LayerConfig::empty(layer, origin);
    if let Some(l) = raw.limits {
        cfg.limits = Limits {
            max_actions_per_task: opt(&l.max_actions_per_task, |v| {
                int(v, "limits.max_actions_per_task", 1, u32::MAX.into())
            })
            .map_err(at)?
            .map(|n| n as u32),
            timeout_minutes: opt(&l.timeout_minutes, |v| {
                int(v, "limits.timeout_minutes", 1, u32::MAX.into())
            })
            .map_err(at)?
            .map(|n| n as u32),
            max_file_size_mb: opt(&l.max_file_size_mb, |v| {
                int(v, "limits.max_file_size_mb", 1, i64::MAX)
            })
            .map_err(at)?
            .map(|n| n as u64),
            max_written_mb_per_task: opt(&l.max_written_mb_per_task, |v| {
                int(v, "limits.max_written_mb_per_task", 1, i64::MAX)
            })
            .map_err(at)?
            .map(|n| n as u64),
        };
    }
    if let Some(f) = raw.files {
        cfg.files = Files {
            allowed_file_types: opt(&f.allowed_file_types, |v| {
                strings(v, "files.allowed_file_types", text, file_type)
            })
            .map_err(at)?,
            restricted_folders: opt(&f.restricted_folders, |v| {
                strings(v, "files.restricted_folders", text, folder)
            })
            .map_err(at)?,
        };
    }
    if let Some(a) = raw.approval {
        cfg.approval = Approval {
            mode: opt(&a.mode, mode).map_err(at)?,
            require_approval: opt(&a.require_approval, |v| {
                kinds(v, "approval.require_approval", text)
            })
            .map_err(at)?,
            auto_approve: opt(&a.auto_approve, |v| kinds(v, "approval.auto_approve", text))
                .map_err(at)?,
        };
    }
    if let Some(n) = raw.network {
        cfg.network = Network {
            allowed_domains: opt(&n.allowed_domains, |v| {
                strings(v, "network.allowed_domains", text, domain_pattern)
            })
            .map_err(at)?,
        };
    }
    if let Some(p) = raw.privacy {
        cfg.privacy = Privacy {
            local_processing_only: opt(&p.local_processing_only, |v| {
                boolean(v, "privacy.local_processing_only")
            })
            .map_err(at)?,
            data_residency: opt(&p.data_residency, |v| {
                let s = string(v, "privacy.data_residency")?;
                nonempty(&s, "privacy.data_residency", v.span())?;
                Ok(s)
            })
            .map_err(at)?,
        };
    }
    if let Some(a) = raw.audit {
        cfg.audit = Audit {
            enabled: opt(&a.enabled, |v| boolean(v, "audit.enabled")).map_err(at)?,
            path: opt(&a.path, audit_path).map_err(at)?,
            include_content: opt(&a.include_content, |v| boolean(v, "audit.include_content"))
                .map_err(at)?,
            retention_days: opt(&a.retention_days, |v| {
                int(v, "audit.retention_days", 1, u32::MAX.into())
            })
            .map_err(at)?
            .map(|n| n as u32),
        };
    }
    if let Some(c) = raw.cedar
        && let Some(policies) = &c.policies
    {
        if layer != Layer::Organization {
            // Raw Cedar can express anything, including loosening; only the administrator's
            // file may carry it, so a user or workspace file cannot sneak rules in.
            return Err(at(ValueError {
                span: policies.span(),
                message: format!(
                    "[cedar] policies are only accepted in the organization policy file \
                     ($COWORK_ORG_POLICY or /etc/cowork/policy.toml), not in a {layer} config; \
                     remove the [cedar] section or ask your administrator to add the rules"
                ),
            }));
        }
        let base = Path::new(origin)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let files = strings(policies, "cedar.policies", text, |s| {
            if s.trim().is_empty() {
                Err("must not be empty: name a .cedar file".to_string())
            } else {
                Ok(s.to_string())
            }
        })
        .map_err(at)?;
        cfg.cedar = CedarSection {
            policies: Some(files.iter().map(|f| base.join(f)).collect()),
        };
    }
    cfg.models = raw.models;
    Ok(cfg)
}

fn opt<T>(field: &Field, check: impl FnOnce(&Spanned<Value>) -> Checked<T>) -> Checked<Option<T>> {
    field.as_ref().map(check).transpose()
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "a number",
        Value::Float(_) => "a decimal number",
        Value::Boolean(_) => "true/false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

fn int(v: &Spanned<Value>, key: &str, min: i64, max: i64) -> Checked<i64> {
    match v.get_ref() {
        Value::Integer(n) if (min..=max).contains(n) => Ok(*n),
        other => Err(ValueError {
            span: v.span(),
            message: match other {
                Value::Integer(n) => {
                    format!("{key} = {n} is out of range: use a whole number from {min} to {max}")
                }
                _ => format!(
                    "{key} must be a whole number from {min} to {max}, not {}",
                    type_name(other)
                ),
            },
        }),
    }
}

fn boolean(v: &Spanned<Value>, key: &str) -> Checked<bool> {
    match v.get_ref() {
        Value::Boolean(b) => Ok(*b),
        other => Err(ValueError {
            span: v.span(),
            message: format!("{key} must be true or false, not {}", type_name(other)),
        }),
    }
}

fn string(v: &Spanned<Value>, key: &str) -> Checked<String> {
    match v.get_ref() {
        Value::String(s) => Ok(s.clone()),
        other => Err(ValueError {
            span: v.span(),
            message: format!("{key} must be a string in quotes, not {}", type_name(other)),
        }),
    }
}

fn nonempty(s: &str, key: &str, span: Range<usize>) -> Checked<()> {
    if s.trim().is_empty() {
        return Err(ValueError {
            span,
            message: format!("{key} must not be empty; remove the key instead"),
        });
    }
    Ok(())
}

/// A list of strings, each checked by `item`. An item error points at the item itself when it
/// can be found in the list's text (toml keeps no spans inside arrays).
fn strings<T: PartialEq>(
    v: &Spanned<Value>,
    key: &str,
    text: &str,
    item: impl Fn(&str) -> Result<T, String>,
) -> Checked<Vec<T>> {
    let Value::Array(items) = v.get_ref() else {
        return Err(ValueError {
            span: v.span(),
            message: format!(
                "{key} must be a list of strings, e.g. [\"a\", \"b\"], not {}",
                type_name(v.get_ref())
            ),
        });
    };
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        let Value::String(s) = it else {
            return Err(ValueError {
                span: v.span(),
                message: format!(
                    "{key} must contain only strings in quotes, found {}",
                    type_name(it)
                ),
            });
        };
        let value = item(s).map_err(|why| ValueError {
            span: item_span(text, v.span(), s),
            message: format!("{key}: `{s}` {why}"),
        })?;
        if !out.contains(&value) {
            out.push(value);
        }
    }
    Ok(out)
}

fn item_span(text: &str, list: Range<usize>, item: &str) -> Range<usize> {
    let inside = text.get(list.clone()).unwrap_or("");
    // Look for the quoted item (basic or literal string) so a shorter item is not found
    // inside a longer one; fall back to the whole list.
    [format!("\"{item}\""), format!("'{item}'")]
        .iter()
        .find_map(|quoted| {
            inside
                .find(quoted.as_str())
                .map(|i| list.start + i..list.start + i + quoted.len())
        })
        .unwrap_or(list)
}

fn mode(v: &Spanned<Value>) -> Checked<ApprovalMode> {
    let s = string(v, "approval.mode")?;
    s.parse::<ApprovalMode>().map_err(|_| {
        let names: Vec<&str> = ApprovalMode::ALL.iter().map(|m| m.as_str()).collect();
        ValueError {
            span: v.span(),
            message: format!(
                "approval.mode `{s}` is not a mode{}",
                suggest::hint(&s, &names)
            ),
        }
    })
}

fn kinds(v: &Spanned<Value>, key: &str, text: &str) -> Checked<Vec<ActionKind>> {
    let names: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
    strings(v, key, text, |s| {
        s.parse::<ActionKind>()
            .map_err(|_| format!("is not an action kind{}", suggest::hint(s, &names)))
    })
}

fn file_type(s: &str) -> Result<String, String> {
    let lower = s.to_lowercase();
    let ok_chars = lower
        .chars()
        .skip(1)
        .all(|c| c.is_alphanumeric() || "._-+".contains(c));
    if !lower.starts_with('.') || lower.len() < 2 {
        return Err(format!(
            "must start with '.', e.g. \".{}\"",
            lower.trim_start_matches('.')
        ));
    }
    if !ok_chars {
        return Err(
            "must be a file extension such as \".pdf\" (letters, digits, . _ - +)".to_string(),
        );
    }
    Ok(lower)
}

fn folder(s: &str) -> Result<String, String> {
    let trimmed = s.trim_end_matches('/');
    if trimmed.trim().is_empty() {
        return Err("must name a folder, e.g. \"HR/Confidential\"".to_string());
    }
    if trimmed.split('/').any(|part| part == "..") {
        return Err(
            "must not contain `..`: write the folder relative to a root, or absolute".to_string(),
        );
    }
    Ok(trimmed.trim_start_matches("./").to_string())
}

/// Domain patterns become Cedar `like` patterns, so only host-name characters and `*` are
/// accepted: that also keeps them from breaking out of the generated policy text.
fn domain_pattern(s: &str) -> Result<String, String> {
    let lower = s.to_ascii_lowercase();
    let ok = !lower.is_empty()
        && lower
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_*".contains(c))
        && !lower.starts_with('.');
    if ok {
        Ok(lower)
    } else {
        Err(
            "is not a domain pattern; write host names such as \"reuters.com\" or \"*.gov\" \
             (no scheme, path or port)"
                .to_string(),
        )
    }
}

fn audit_path(v: &Spanned<Value>) -> Checked<PathBuf> {
    let s = string(v, "audit.path")?;
    nonempty(&s, "audit.path", v.span())?;
    let path = match s.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(rest),
            None => {
                return Err(ValueError {
                    span: v.span(),
                    message:
                        "audit.path starts with ~/ but $HOME is not set; write an absolute path"
                            .to_string(),
                });
            }
        },
        None => PathBuf::from(&s),
    };
    if !path.is_absolute() {
        return Err(ValueError {
            span: v.span(),
            message: format!(
                "audit.path `{s}` must be absolute (the audit log never lives inside a root), \
                 e.g. \"/var/log/cowork\""
            ),
        });
    }
    Ok(path)
}

/// Turn toml's error into ours, rewriting serde's unknown-field message into one that names
/// the section and suggests the intended key.
fn toml_error(e: &toml::de::Error, text: &str, origin: &str) -> PolicyError {
    let location = e.span().map(|s| Location::from_offset(text, s.start));
    let raw = e.message().trim().to_string();
    let message = unknown_key_message(&raw).unwrap_or(raw);
    PolicyError::invalid(origin, location, message)
}

fn unknown_key_message(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let first_expected = rest.split('`').nth(1).unwrap_or("");
    let (section, keys): (Option<&str>, &[&str]) = if TOP_KEYS.contains(&first_expected) {
        (None, TOP_KEYS)
    } else {
        let (name, keys) = SECTIONS
            .iter()
            .find(|(_, keys)| keys.contains(&first_expected))?;
        (Some(*name), *keys)
    };
    let place = match section {
        Some(name) => format!("in [{name}]"),
        None => "at the top level".to_string(),
    };
    // A right key in the wrong section is a common slip: say where it belongs.
    if let Some((home, _)) = SECTIONS.iter().find(|(_, ks)| ks.contains(&key)) {
        return Some(format!(
            "unknown key `{key}` {place}; `{key}` belongs in [{home}]"
        ));
    }
    Some(format!(
        "unknown key `{key}` {place}{}",
        suggest::hint(key, keys)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_structs_match_the_key_lists() {
        // Every key the lists name must parse, so the lists stay truthful.
        let text = "[limits]\nmax_actions_per_task = 1\ntimeout_minutes = 1\nmax_file_size_mb = 1\nmax_written_mb_per_task = 2\n\
            [files]\nallowed_file_types = [\".md\"]\nrestricted_folders = [\"a\"]\n\
            [approval]\nmode = \"auto\"\nrequire_approval = []\nauto_approve = []\n\
            [network]\nallowed_domains = []\n[privacy]\nlocal_processing_only = true\ndata_residency = \"eu\"\n\
            [audit]\nenabled = true\npath = \"/x\"\ninclude_content = false\nretention_days = 1\n\
            [cedar]\npolicies = []\n[models.local]\nx = 1\n";
        let cfg = parse_layer(text, "/etc/cowork/policy.toml", Layer::Organization).unwrap();
        assert_eq!(cfg.limits.max_file_size_mb, Some(1));
        assert_eq!(cfg.limits.max_written_mb_per_task, Some(2));
        assert!(cfg.models.is_some());
        let total: usize = SECTIONS.iter().map(|(_, k)| k.len()).sum();
        assert_eq!(total, 17);
    }

    #[test]
    fn item_errors_point_at_the_item() {
        let text = "[files]\nallowed_file_types = [\".md\", \"pdf\"]\n";
        let err = parse_layer(text, "c.toml", Layer::User)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("c.toml:2:30: files.allowed_file_types: `pdf` must start with '.'"),
            "{err}"
        );
    }
}
