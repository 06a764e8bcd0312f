//! Compiling the simple config keys, the modes and the constitution into Cedar policies.
//!
//! Every rule is a `permit … when { … }` whose satisfaction means "this rule fires"; its
//! category (deny, ask, allow) decides which policy set it joins. Rules read only the request
//! context built in `context.rs`, described by `schema.rs`.

use std::fmt::Write as _;

use cowork_protocol::{ApprovalMode, Principle};

use crate::layer::Layer;
use crate::merge::{EffectiveConfig, Sourced};

/// Which policy set a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Deny,
    Ask,
    /// The C2 egress ask: skipped when an organization rule explicitly allows the egress.
    EgressAsk,
    Allow,
}

impl Category {
    pub(crate) fn verdict(self) -> &'static str {
        match self {
            Category::Deny => "deny",
            Category::Ask | Category::EgressAsk => "ask",
            Category::Allow => "allow",
        }
    }
}

/// Which effects a rule can fire on. Only an optimization: the engine leaves a rule out of
/// the policy sets where its own condition could never hold, so fewer policies are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum On {
    Files,
    Egress,
    All,
}

/// One built-in rule before it is parsed by Cedar.
#[derive(Debug, Clone)]
pub(crate) struct BuiltinRule {
    pub id: String,
    pub category: Category,
    pub principle: Option<Principle>,
    pub reason: String,
    pub condition: String,
    /// The modes its condition can hold in (empty: all).
    pub modes: Vec<ApprovalMode>,
    pub on: On,
}

impl BuiltinRule {
    fn new(
        id: &str,
        category: Category,
        principle: Option<Principle>,
        reason: String,
        condition: String,
    ) -> Self {
        BuiltinRule {
            id: id.to_string(),
            category,
            principle,
            reason,
            condition,
            modes: Vec::new(),
            on: On::All,
        }
    }

    fn only(mut self, modes: &[ApprovalMode], on: On) -> Self {
        self.modes = modes.to_vec();
        self.on = on;
        self
    }

    /// Whether the rule can fire for this mode and kind of effect.
    pub(crate) fn applies(&self, mode: ApprovalMode, egress: bool) -> bool {
        let mode_ok = self.modes.is_empty() || self.modes.contains(&mode);
        let on_ok = match self.on {
            On::Files => !egress,
            On::Egress => egress,
            On::All => true,
        };
        mode_ok && on_ok
    }

    /// The rule as Cedar source text, annotated with its id, verdict, principle and reason.
    pub(crate) fn cedar(&self) -> String {
        let mut s = format!(
            "@id({})\n@verdict(\"{}\")\n",
            cedar_str(&self.id),
            self.category.verdict()
        );
        if let Some(p) = self.principle {
            let _ = writeln!(s, "@principle(\"{}\")", p.code());
        }
        let _ = write!(
            s,
            "@reason({})\npermit (principal, action, resource)\nwhen {{ {} }};\n",
            cedar_str(&self.reason),
            self.condition
        );
        s
    }
}

/// A Cedar string literal for any text (annotations, paths): quotes, backslashes and control
/// characters are escaped so config values can never break out of the literal.
pub(crate) fn cedar_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Cedar `like` pattern: `prefix` and `suffix` are raw pattern text (`*` is a wildcard),
/// `literal` matches itself exactly (its `*` are escaped).
fn like_pattern(prefix: &str, literal: &str, suffix: &str) -> String {
    let quoted = cedar_str(literal);
    let body = quoted[1..quoted.len() - 1].replace('*', "\\*");
    format!("\"{prefix}{body}{suffix}\"")
}

fn string_set<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items
        .into_iter()
        .map(|i| cedar_str(&i.to_string()))
        .collect();
    format!("[{}]", items.join(", "))
}

/// Items for a human sentence: `.md, .txt`.
fn plain_list<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    format!("[{}]", items.join(", "))
}

/// "by default" or "by organization (/etc/cowork/policy.toml)", for reasons.
fn set_by<T>(s: &Sourced<T>) -> String {
    match s.layer {
        Layer::Constitution => "by default".to_string(),
        _ => format!("by {}", s.source()),
    }
}

fn mode_is(mode: ApprovalMode) -> String {
    format!("context.mode == \"{}\"", mode.as_str())
}

/// The built-in rules for this configuration, in a stable order.
pub(crate) fn builtin_rules(cfg: &EffectiveConfig) -> Vec<BuiltinRule> {
    use Category::{Allow, Ask, Deny, EgressAsk};
    let mut rules = Vec::new();

    // --- deny ---
    rules.push(
        BuiltinRule::new(
            "mode.read-only.deny_writes",
            Deny,
            None,
            "read-only mode denies every action that is not a read".to_string(),
            format!("{} && !context.is_read", mode_is(ApprovalMode::ReadOnly)),
        )
        .only(&[ApprovalMode::ReadOnly], On::All),
    );
    if let Some(types) = &cfg.allowed_file_types.value {
        let condition = if types.is_empty() {
            "context.effect != \"egress\" && !context.is_dir".to_string()
        } else {
            let set = string_set(types);
            format!(
                "context.effect != \"egress\" && !context.is_dir && \
                 (!{set}.contains(context.ext) || (context.effect == \"move\" && !{set}.contains(context.to_ext)))"
            )
        };
        rules.push(
            BuiltinRule::new(
                "files.allowed_file_types",
                Deny,
                None,
                format!(
                    "the file type is not in files.allowed_file_types {} set {}",
                    plain_list(types),
                    set_by(&cfg.allowed_file_types)
                ),
                condition,
            )
            .only(&[], On::Files),
        );
    }
    let mb = cfg.max_file_size_mb.value;
    let limit = i64::try_from(mb.saturating_mul(1024 * 1024)).unwrap_or(i64::MAX);
    rules.push(BuiltinRule::new(
        "limits.max_file_size_mb",
        Deny,
        Some(Principle::Safety),
        format!("the file is larger than limits.max_file_size_mb = {mb} MB set {}", set_by(&cfg.max_file_size_mb)),
        format!(
            "(context.effect == \"create\" || context.effect == \"modify\" || \
             ((context.effect == \"read\" || context.effect == \"move\") && !context.is_dir)) && context.size_bytes > {limit}"
        ),
    ).only(&[], On::Files));
    let mut allowlisted = Vec::new();
    for list in &cfg.allowed_domain_lists {
        let matches: Vec<String> = list
            .value
            .iter()
            .map(|p| format!("context.domain like {}", cedar_str(p)))
            .collect();
        let any = if matches.is_empty() {
            "false".to_string()
        } else {
            matches.join(" || ")
        };
        rules.push(
            BuiltinRule::new(
                "network.allowed_domains",
                Deny,
                None,
                format!(
                    "the destination is not in network.allowed_domains {} set {}",
                    plain_list(&list.value),
                    set_by(list)
                ),
                format!("context.effect == \"egress\" && !({any})"),
            )
            .only(&[], On::Egress),
        );
        allowlisted.push(format!("({any})"));
    }
    let allowlisted = if allowlisted.is_empty() {
        "false".to_string()
    } else {
        allowlisted.join(" && ")
    };
    rules.push(BuiltinRule::new(
        "constitution.C4.tainted_egress_allowlist",
        Deny,
        Some(Principle::Privacy),
        if cfg.allowed_domain_lists.is_empty() {
            "the task has read untrusted content, so data may only go to allowlisted destinations (C4), \
             and no network.allowed_domains allowlist is configured"
                .to_string()
        } else {
            "the task has read untrusted content, so data may only go to allowlisted destinations (C4), \
             and this destination is not allowlisted"
                .to_string()
        },
        format!("context.tainted && context.effect == \"egress\" && !({allowlisted})"),
    ).only(&[], On::Egress));
    // Absolute restricted folders are enforced by the file system layer, which sees real
    // paths; relative ones are also checked here against workspace paths (defense in depth).
    let relative: Vec<&String> = cfg
        .restricted_folders
        .value
        .iter()
        .filter(|f| !f.starts_with('/'))
        .collect();
    if !relative.is_empty() {
        let mut tests = Vec::new();
        for f in &relative {
            for attr in ["context.path", "context.to_path"] {
                tests.push(format!("{attr} == {}", cedar_str(f)));
                tests.push(format!("{attr} like {}", like_pattern("", f, "/*")));
                tests.push(format!("{attr} like {}", like_pattern("@*/", f, "")));
                tests.push(format!("{attr} like {}", like_pattern("@*/", f, "/*")));
            }
        }
        rules.push(BuiltinRule::new(
            "constitution.C1.restricted_folders",
            Deny,
            Some(Principle::MinimalFootprint),
            format!(
                "the path is inside a restricted folder {} set {}; restricted folders are invisible (C1)",
                plain_list(&relative),
                set_by(&cfg.restricted_folders)
            ),
            tests.join(" || "),
        ).only(&[], On::Files));
    }

    // --- ask ---
    rules.push(
        BuiltinRule::new(
            "mode.interactive.ask_others",
            Ask,
            None,
            "interactive mode asks before anything but a read".to_string(),
            format!("{} && !context.is_read", mode_is(ApprovalMode::Interactive)),
        )
        .only(&[ApprovalMode::Interactive], On::All),
    );
    rules.push(
        BuiltinRule::new(
            "mode.plan.ask_others",
            Ask,
            None,
            "plan mode collects everything but reads into the plan for approval".to_string(),
            format!("{} && !context.is_read", mode_is(ApprovalMode::Plan)),
        )
        .only(&[ApprovalMode::Plan], On::All),
    );
    let require = &cfg.require_approval;
    if !require.value.is_empty() {
        rules.push(BuiltinRule::new(
            "approval.require_approval",
            Ask,
            None,
            format!(
                "approval.require_approval {} set {} requires approval",
                plain_list(&require.value),
                set_by(require)
            ),
            format!("{}.contains(context.kind)", string_set(&require.value)),
        ));
    }
    rules.push(BuiltinRule::new(
        "constitution.C4.tainted_egress_asks",
        Ask,
        Some(Principle::Privacy),
        "the task has read untrusted content, so every egress asks (C4), whatever auto_approve says".to_string(),
        "context.tainted && context.effect == \"egress\"".to_string(),
    ).only(&[], On::Egress));
    rules.push(BuiltinRule::new(
        "constitution.C2.egress_asks",
        EgressAsk,
        Some(Principle::Reversibility),
        "sending something out of the workspace cannot be undone, so it asks (C2) unless an organization rule \
         explicitly allows it"
            .to_string(),
        "context.effect == \"egress\"".to_string(),
    ).only(&[], On::Egress));

    // --- allow ---
    for (mode, id) in [
        (ApprovalMode::Interactive, "mode.interactive.reads_run"),
        (ApprovalMode::Plan, "mode.plan.reads_run"),
        (ApprovalMode::ReadOnly, "mode.read-only.reads_run"),
    ] {
        rules.push(
            BuiltinRule::new(
                id,
                Allow,
                None,
                format!("{mode} mode lets reads run"),
                format!("{} && context.is_read", mode_is(mode)),
            )
            .only(&[mode], On::Files),
        );
    }
    let auto = &cfg.auto_approve;
    if !auto.value.is_empty() {
        rules.push(BuiltinRule::new(
            "approval.auto_approve",
            Allow,
            None,
            format!(
                "approval.auto_approve {} set {} lets this kind run in auto and unattended modes",
                plain_list(&auto.value),
                set_by(auto)
            ),
            format!(
                "({} || {}) && {}.contains(context.kind)",
                mode_is(ApprovalMode::Auto),
                mode_is(ApprovalMode::Unattended),
                string_set(&auto.value)
            ),
        ).only(&[ApprovalMode::Auto, ApprovalMode::Unattended], On::All));
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_break_out() {
        assert_eq!(cedar_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\u{a}\"");
        assert_eq!(like_pattern("@*/", "a*b", "/*"), "\"@*/a\\*b/*\"");
    }

    #[test]
    fn every_builtin_rule_parses() {
        let mut cfg = EffectiveConfig::default();
        cfg.allowed_file_types.value = Some([".md".to_string()].into());
        cfg.restricted_folders.value = vec!["HR/Con\"f*".to_string(), "/abs".to_string()];
        for rule in builtin_rules(&cfg) {
            cedar_policy::Policy::parse(None, rule.cedar())
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", rule.id, rule.cedar()));
        }
    }
}
