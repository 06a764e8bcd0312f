//! Organization Cedar files: parsing, validation against the cowork schema, and turning each
//! policy into a rule of the right category.

use std::path::Path;
use std::str::FromStr;

use cedar_policy::{
    Effect as CedarEffect, Policy, PolicyId, PolicySet, Schema, ValidationMode, Validator,
};
use cowork_protocol::Principle;
use miette::Diagnostic;

use crate::compile::Category;
use crate::context::{CONTEXT_ATTRIBUTES, schema_text};
use crate::error::{Location, PolicyError};

/// One organization policy, ready for a policy set: always a `permit` (a `forbid` is flipped
/// and put in the deny set, so that every set is "which rules fire").
pub(crate) struct OrgRule {
    pub policy: Policy,
    pub id: String,
    pub category: Category,
    pub principle: Option<Principle>,
    pub reason: String,
    /// Carries `@verdict("allow")` itself: the only thing that may lift the C2 egress ask.
    pub explicit_allow: bool,
}

/// The first error of a diagnostic as `PolicyError::Invalid`, with line:column when known.
fn diagnostic_error(
    origin: &str,
    text: &str,
    d: &dyn Diagnostic,
    what: &str,
    more: usize,
) -> PolicyError {
    let location = d
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|label| Location::from_offset(text, label.offset()));
    let mut message = format!("{what}: {d}");
    if let Some(help) = d.help() {
        message.push_str(&format!(" ({help})"));
    }
    if more > 0 {
        message.push_str(&format!(" (and {more} more)"));
    }
    PolicyError::invalid(origin, location, message)
}

/// The cowork schema, for validating organization policies.
pub(crate) fn schema() -> Result<Schema, PolicyError> {
    Schema::from_cedarschema_str(&schema_text())
        .map(|(schema, _warnings)| schema)
        .map_err(|e| PolicyError::Internal {
            rule: "schema".to_string(),
            message: e.to_string(),
        })
}

/// Parse and validate one organization Cedar file. `file_index` keeps policy ids unique
/// across files.
pub(crate) fn load_org_file(
    path: &Path,
    text: &str,
    file_index: usize,
    schema: &Schema,
) -> Result<Vec<OrgRule>, PolicyError> {
    let origin = path.display().to_string();
    let set = PolicySet::from_str(text).map_err(|e| {
        let more = e.iter().count().saturating_sub(1);
        diagnostic_error(&origin, text, &e, "Cedar syntax error", more)
    })?;
    if set.templates().next().is_some() {
        return Err(PolicyError::invalid(
            &origin,
            None,
            "policy templates (?principal / ?resource slots) are not supported; write static policies",
        ));
    }
    let result = Validator::new(schema.clone()).validate(&set, ValidationMode::Strict);
    if let Some(first) = result.validation_errors().next() {
        let more = result.validation_errors().count() - 1;
        let attrs: Vec<&str> = CONTEXT_ATTRIBUTES.iter().map(|(n, _, _)| *n).collect();
        let mut err = diagnostic_error(
            &origin,
            text,
            first,
            "policy does not fit cowork's requests",
            more,
        );
        if let PolicyError::Invalid { message, .. } = &mut err {
            message.push_str(&format!(
                "; requests are principal Cowork::User, action Cowork::Action::\"<kind>\", resource Cowork::Target, \
                 context attributes: {}",
                attrs.join(", ")
            ));
        }
        return Err(err);
    }

    let file_name = path
        .file_name()
        .map_or(origin.clone(), |n| n.to_string_lossy().into_owned());
    // `from_str` names policies policy0, policy1, … in file order; sort by that number.
    let mut policies: Vec<(usize, &Policy)> = set
        .policies()
        .map(|p| {
            (
                p.id()
                    .to_string()
                    .trim_start_matches("policy")
                    .parse()
                    .unwrap_or(usize::MAX),
                p,
            )
        })
        .collect();
    policies.sort_by_key(|(i, _)| *i);

    let mut rules = Vec::with_capacity(policies.len());
    for (index, policy) in policies {
        let label = policy
            .annotation("id")
            .map_or(index.to_string(), str::to_string);
        let id = format!("org:{file_name}:{label}");
        let bad = |message: String| {
            PolicyError::invalid(
                &origin,
                None,
                format!("policy {label} (number {index}): {message}"),
            )
        };
        let verdict = policy.annotation("verdict");
        let category = match (policy.effect(), verdict) {
            (CedarEffect::Forbid, None | Some("deny")) => Category::Deny,
            (CedarEffect::Forbid, Some(v)) => {
                return Err(bad(format!(
                    "a forbid policy always denies; remove @verdict(\"{v}\") or make it a permit"
                )));
            }
            (CedarEffect::Permit, Some("deny")) => Category::Deny,
            (CedarEffect::Permit, Some("ask")) => Category::Ask,
            (CedarEffect::Permit, None | Some("allow")) => Category::Allow,
            (CedarEffect::Permit, Some(v)) => {
                return Err(bad(format!(
                    "@verdict(\"{v}\") is not a verdict; use \"deny\", \"ask\" or \"allow\""
                )));
            }
        };
        let principle = match policy.annotation("principle") {
            None => None,
            Some(code) => Some(
                Principle::from_code(code)
                    .ok_or_else(|| bad(format!("@principle(\"{code}\") is not C1..C6")))?,
            ),
        };
        let reason = policy.annotation("reason").map_or_else(
            || {
                format!(
                    "organization rule {label} in {file_name} ({})",
                    category.verdict()
                )
            },
            str::to_string,
        );
        let new_id = PolicyId::new(format!("o{file_index}.{index}"));
        let policy = match policy.effect() {
            CedarEffect::Permit => policy.new_id(new_id),
            CedarEffect::Forbid => flip_to_permit(policy, new_id).map_err(bad)?,
        };
        rules.push(OrgRule {
            policy,
            id,
            category,
            principle,
            reason,
            explicit_allow: verdict == Some("allow"),
        });
    }
    Ok(rules)
}

/// The same policy as a `permit`, via Cedar's JSON form (which is lossless for policies).
fn flip_to_permit(policy: &Policy, id: PolicyId) -> Result<Policy, String> {
    let mut json = policy.to_json().map_err(|e| e.to_string())?;
    if let Some(obj) = json.as_object_mut() {
        obj.insert(
            "effect".to_string(),
            serde_json::Value::String("permit".to_string()),
        );
    }
    Policy::from_json(Some(id), json).map_err(|e| e.to_string())
}
