//! The Cedar request for one effect of an action, and the schema that describes it.
//!
//! Organization rules see exactly these attributes, so the list is documented in
//! [`CONTEXT_ATTRIBUTES`] and enforced on their files by validating against [`schema_text`].

use std::path::Path;

use cedar_policy::{Context, RestrictedExpression};
use cowork_protocol::{ActionKind, Effect};

use crate::engine::{PathFacts, PolicyRequest};
use crate::wildcard::destination_domain;

/// Every context attribute a rule can use, with its Cedar type and meaning.
pub const CONTEXT_ATTRIBUTES: &[(&str, &str, &str)] = &[
    (
        "effect",
        "String",
        "read | create | modify | delete | move | egress",
    ),
    ("kind", "String", "the action kind, e.g. file_write"),
    ("tool", "String", "the tool name, e.g. write_file"),
    (
        "mode",
        "String",
        "interactive | auto | unattended | plan | read-only",
    ),
    (
        "tainted",
        "Bool",
        "untrusted content has entered the task (C4)",
    ),
    ("is_read", "Bool", "a read-only kind and a read effect"),
    (
        "path",
        "String",
        "workspace path (for a move: `from`); empty for egress",
    ),
    ("to_path", "String", "for a move: `to`; else empty"),
    ("is_dir", "Bool", "the path is a directory"),
    ("exists", "Bool", "the path exists"),
    (
        "ext",
        "String",
        "lowercase extension with its dot, e.g. \".md\"; empty if none",
    ),
    (
        "to_ext",
        "String",
        "for a move: the extension of `to`; else empty",
    ),
    (
        "size_bytes",
        "Long",
        "bytes written (create), else the file's size",
    ),
    (
        "channel",
        "String",
        "egress: web | email | share | mcp(NAME); else empty",
    ),
    (
        "destination",
        "String",
        "egress: where it goes, as given; else empty",
    ),
    (
        "domain",
        "String",
        "egress: the destination's host, lowercase; else empty",
    ),
    (
        "carries_data",
        "Bool",
        "egress: workspace data leaves with it",
    ),
];

/// The Cedar schema of cowork requests (namespace `Cowork`): principal `User`, resource
/// `Target`, one action per action kind, and the context above.
pub fn schema_text() -> String {
    let actions: Vec<String> = ActionKind::ALL
        .iter()
        .map(|k| format!("\"{}\"", k.as_str()))
        .collect();
    let attrs: Vec<String> = CONTEXT_ATTRIBUTES
        .iter()
        .map(|(name, ty, _)| format!("    {name}: {ty},"))
        .collect();
    format!(
        "namespace Cowork {{\n  entity User;\n  entity Target;\n  action {} appliesTo {{\n    principal: [User],\n    \
         resource: [Target],\n    context: {{\n{}\n    }}\n  }};\n}}\n",
        actions.join(", "),
        attrs.join("\n")
    )
}

fn effect_name(effect: &Effect) -> &'static str {
    match effect {
        Effect::Read { .. } => "read",
        Effect::Create { .. } => "create",
        Effect::Modify { .. } => "modify",
        Effect::Delete { .. } => "delete",
        Effect::Move { .. } => "move",
        Effect::Egress { .. } => "egress",
    }
}

fn normalize_path(p: &str) -> &str {
    p.trim_start_matches("./")
}

/// The lowercase extension with its dot, from the facts if given, else from the path text.
fn extension(facts: Option<&PathFacts>, path: &str) -> String {
    let given = facts
        .and_then(|f| f.ext.as_deref())
        .filter(|e| !e.is_empty());
    match given {
        Some(e) if e.starts_with('.') => e.to_lowercase(),
        Some(e) => format!(".{}", e.to_lowercase()),
        None => Path::new(path)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy().to_lowercase()))
            .unwrap_or_default(),
    }
}

fn long(n: u64) -> RestrictedExpression {
    RestrictedExpression::new_long(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The request context for one effect and its Cedar resource id (a path or a destination).
pub(crate) fn effect_context(
    req: &PolicyRequest<'_>,
    effect: &Effect,
    from: Option<&PathFacts>,
    to: Option<&PathFacts>,
) -> Result<(Context, String), String> {
    let name = effect_name(effect);
    let s = |v: &str| RestrictedExpression::new_string(v.to_string());
    let b = RestrictedExpression::new_bool;
    let mut path = "";
    let mut to_path = "";
    let mut to_ext = String::new();
    let mut size = from.map_or(0, |f| f.size);
    let (mut channel, mut destination, mut domain, mut carries_data) =
        (String::new(), "", String::new(), false);
    match effect {
        Effect::Read { path: p } | Effect::Modify { path: p } | Effect::Delete { path: p } => {
            path = p
        }
        Effect::Create { path: p, bytes } => {
            path = p;
            size = *bytes;
        }
        Effect::Move { from: f, to: t } => {
            path = f;
            to_path = t;
            to_ext = extension(to, t);
        }
        Effect::Egress {
            channel: c,
            destination: d,
            carries_data: data,
        } => {
            channel = c.to_string();
            destination = d;
            domain = destination_domain(d);
            carries_data = *data;
        }
    }
    let path = normalize_path(path);
    let pairs = vec![
        ("effect".to_string(), s(name)),
        ("kind".to_string(), s(req.kind.as_str())),
        ("tool".to_string(), s(req.tool)),
        ("mode".to_string(), s(req.mode.as_str())),
        ("tainted".to_string(), b(req.tainted)),
        (
            "is_read".to_string(),
            b(req.kind.is_read_only() && name == "read"),
        ),
        ("path".to_string(), s(path)),
        ("to_path".to_string(), s(normalize_path(to_path))),
        ("is_dir".to_string(), b(from.is_some_and(|f| f.is_dir))),
        ("exists".to_string(), b(from.is_some_and(|f| f.exists))),
        (
            "ext".to_string(),
            RestrictedExpression::new_string(if path.is_empty() {
                String::new()
            } else {
                extension(from, path)
            }),
        ),
        (
            "to_ext".to_string(),
            RestrictedExpression::new_string(to_ext),
        ),
        ("size_bytes".to_string(), long(size)),
        (
            "channel".to_string(),
            RestrictedExpression::new_string(channel),
        ),
        ("destination".to_string(), s(destination)),
        (
            "domain".to_string(),
            RestrictedExpression::new_string(domain),
        ),
        ("carries_data".to_string(), b(carries_data)),
    ];
    let resource = if path.is_empty() { destination } else { path };
    let context = Context::from_pairs(pairs).map_err(|e| e.to_string())?;
    Ok((context, resource.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_come_from_facts_or_the_path() {
        let facts = PathFacts {
            ext: Some("MD".into()),
            ..PathFacts::default()
        };
        assert_eq!(extension(Some(&facts), "x.txt"), ".md");
        assert_eq!(extension(None, "dir/Report.PDF"), ".pdf");
        assert_eq!(extension(None, "Makefile"), "");
    }

    #[test]
    fn the_schema_parses() {
        let (_schema, warnings) =
            cedar_policy::Schema::from_cedarschema_str(&schema_text()).unwrap();
        assert_eq!(warnings.count(), 0);
    }
}
