//! The policy engine: compiled Cedar policy sets, and verdicts for actions.
//!
//! Each verdict category is its own `PolicySet` of `permit` rules, so a satisfied policy means
//! "this rule fires" and Cedar's diagnostics name every firing rule. Per effect: deny if any
//! deny rule fires, else ask if any ask rule fires, else allow if any allow rule fires, else
//! ask (`default.ask`). Effects combine as deny > ask > allow.

use std::collections::HashMap;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Entities, EntityId, EntityTypeName, EntityUid, Policy, PolicyId, PolicySet, Request,
};
use cowork_protocol::{ActionKind, ApprovalMode, Effect, Principle, Verdict, VerdictDecision};

use crate::compile::{Category, builtin_rules};
use crate::context::effect_context;
use crate::error::PolicyError;
use crate::merge::EffectiveConfig;
use crate::org::{load_org_file, schema};

/// What the file system knows about one path of an effect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathFacts {
    pub is_dir: bool,
    pub exists: bool,
    /// Lowercase with its dot, e.g. ".md"; `None` if the name has none.
    pub ext: Option<String>,
    /// Size in bytes (for a Modify: the size after the change, when known). A Create uses the
    /// effect's own `bytes` instead.
    pub size: u64,
}

/// One action, as policy sees it.
#[derive(Debug, Clone, Copy)]
pub struct PolicyRequest<'a> {
    pub user: &'a str,
    pub tool: &'a str,
    pub kind: ActionKind,
    pub effects: &'a [Effect],
    /// Facts for each path in effect order (`Effect::paths`): for a Move the facts of `from`
    /// (size, ext) and of `to` (ext) are both checked. Missing facts count as a file that does
    /// not exist, with the extension taken from the path.
    pub facts: &'a [PathFacts],
    pub mode: ApprovalMode,
    pub tainted: bool,
}

/// A rule as the verdict names it.
#[derive(Debug, Clone)]
struct Rule {
    id: String,
    principle: Option<Principle>,
    reason: String,
    /// An organization rule annotated `@verdict("allow")`.
    explicit_allow: bool,
    /// Compile order, to list firing rules stably (Cedar reports them as a set).
    rank: usize,
}

/// One firing rule for one effect (`None`: nothing decided, so `default.ask`); `note`
/// explains a rule that failed to evaluate.
struct Hit<'a> {
    rule: Option<&'a Rule>,
    note: Option<String>,
}

/// The policy set of each verdict category.
#[derive(Default)]
struct Sets {
    deny: PolicySet,
    ask: PolicySet,
    egress_ask: PolicySet,
    allow: PolicySet,
}

impl Sets {
    fn get(&mut self, category: Category) -> &mut PolicySet {
        match category {
            Category::Deny => &mut self.deny,
            Category::Ask => &mut self.ask,
            Category::EgressAsk => &mut self.egress_ask,
            Category::Allow => &mut self.allow,
        }
    }
}

/// Index of the policy sets for a mode and kind of effect. Sets are pre-built per slot, holding
/// only the built-in rules that can fire there (plus every organization rule): evaluation is
/// on the hot path and Cedar's cost grows with each policy it looks at.
fn slot(mode: ApprovalMode, egress: bool) -> usize {
    let m = match mode {
        ApprovalMode::Interactive => 0,
        ApprovalMode::Auto => 1,
        ApprovalMode::Unattended => 2,
        ApprovalMode::Plan => 3,
        ApprovalMode::ReadOnly => 4,
    };
    m * 2 + usize::from(egress)
}

const SLOTS: usize = 10;

/// The compiled policies. Cheap to share: `Send + Sync`, and `evaluate` takes `&self`.
pub struct PolicyEngine {
    authorizer: Authorizer,
    entities: Entities,
    sets: Vec<Sets>,
    rules: HashMap<PolicyId, Rule>,
    order: Vec<PolicyId>,
    source: String,
    user_type: EntityTypeName,
    action_type: EntityTypeName,
    target_type: EntityTypeName,
}

impl std::fmt::Debug for PolicyEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyEngine")
            .field("rules", &self.rule_ids())
            .finish_non_exhaustive()
    }
}

fn type_name(name: &str) -> Result<EntityTypeName, PolicyError> {
    EntityTypeName::from_str(name).map_err(|e| PolicyError::Internal {
        rule: name.to_string(),
        message: e.to_string(),
    })
}

impl PolicyEngine {
    /// Compile the simple keys, modes and constitution to Cedar and add the organization's
    /// Cedar files (validated against cowork's schema).
    pub fn new(cfg: &EffectiveConfig) -> Result<PolicyEngine, PolicyError> {
        let mut engine = PolicyEngine {
            authorizer: Authorizer::new(),
            entities: Entities::empty(),
            sets: (0..SLOTS).map(|_| Sets::default()).collect(),
            rules: HashMap::new(),
            order: Vec::new(),
            source: String::new(),
            user_type: type_name("Cowork::User")?,
            action_type: type_name("Cowork::Action")?,
            target_type: type_name("Cowork::Target")?,
        };
        engine
            .source
            .push_str("// cowork built-in rules (compiled from the effective config)\n\n");
        for (i, rule) in builtin_rules(cfg).into_iter().enumerate() {
            let text = rule.cedar();
            let internal = |message: String| PolicyError::Internal {
                rule: rule.id.clone(),
                message,
            };
            let policy = Policy::parse(Some(PolicyId::new(format!("b{i}"))), &text)
                .map_err(|e| internal(e.to_string()))?;
            engine.source.push_str(&text);
            engine.source.push('\n');
            let meta = Rule {
                id: rule.id.clone(),
                principle: rule.principle,
                reason: rule.reason.clone(),
                explicit_allow: false,
                rank: 0,
            };
            let mut slots = Vec::new();
            for mode in ApprovalMode::ALL {
                for egress in [false, true] {
                    if rule.applies(*mode, egress) {
                        slots.push(slot(*mode, egress));
                    }
                }
            }
            engine
                .add(policy, rule.category, meta, &slots)
                .map_err(internal)?;
        }
        if !cfg.cedar_files.is_empty() {
            let schema = schema()?;
            for (file_index, (path, text)) in cfg.cedar_files.iter().enumerate() {
                let rules = load_org_file(path, text, file_index, &schema)?;
                engine.source.push_str(&format!(
                    "// organization file {}\n{text}\n",
                    path.display()
                ));
                for r in rules {
                    let meta = Rule {
                        id: r.id,
                        principle: r.principle,
                        reason: r.reason,
                        explicit_allow: r.explicit_allow,
                        rank: 0,
                    };
                    let origin = path.display().to_string();
                    let all: Vec<usize> = (0..SLOTS).collect();
                    engine
                        .add(r.policy, r.category, meta, &all)
                        .map_err(|m| PolicyError::invalid(&origin, None, m))?;
                }
            }
        }
        Ok(engine)
    }

    fn add(
        &mut self,
        policy: Policy,
        category: Category,
        mut rule: Rule,
        slots: &[usize],
    ) -> Result<(), String> {
        rule.rank = self.order.len();
        let id = policy.id().clone();
        for &i in slots {
            if let Some(sets) = self.sets.get_mut(i) {
                sets.get(category)
                    .add(policy.clone())
                    .map_err(|e| e.to_string())?;
            }
        }
        self.order.push(id.clone());
        self.rules.insert(id, rule);
        Ok(())
    }

    /// The compiled policies, built-in and organization (for `cowork policy explain --cedar`).
    pub fn cedar_source(&self) -> String {
        self.source.clone()
    }

    /// The ids of every rule, in compile order (a rule id can repeat, e.g. one
    /// `network.allowed_domains` per layer).
    pub fn rule_ids(&self) -> Vec<String> {
        self.order
            .iter()
            .filter_map(|id| self.rules.get(id))
            .map(|r| r.id.clone())
            .collect()
    }

    /// The verdict for an action. Never panics: an internal failure denies, naming `engine.error`.
    pub fn evaluate(&self, req: &PolicyRequest<'_>) -> Verdict {
        if req.effects.is_empty() {
            return verdict(
                VerdictDecision::Allow,
                vec![(
                    "constitution.no_effects".to_string(),
                    None,
                    "the action has no effects".to_string(),
                )],
            );
        }
        let mut decision = VerdictDecision::Allow;
        // (rule id, principle, reason, effects it fired on), in first-seen order.
        let mut deciding: Vec<(String, Option<Principle>, String, Vec<String>)> = Vec::new();
        let mut facts = req.facts.iter();
        for effect in req.effects {
            let n = effect.paths().len();
            let from = if n > 0 { facts.next() } else { None };
            let to = if n > 1 { facts.next() } else { None };
            let (d, hits) = match self.evaluate_effect(req, effect, from, to) {
                Ok(r) => r,
                Err(message) => {
                    return verdict(
                        VerdictDecision::Deny,
                        vec![(
                            "engine.error".to_string(),
                            None,
                            format!(
                                "{effect}: the policy engine could not evaluate this ({message}); denied to be safe"
                            ),
                        )],
                    );
                }
            };
            if d > decision {
                decision = d;
                deciding.clear();
            }
            if d < decision {
                continue;
            }
            for hit in hits {
                let (id, principle, reason) = match hit.rule {
                    Some(rule) => (rule.id.clone(), rule.principle, rule.reason.clone()),
                    None => (
                        "default.ask".to_string(),
                        None,
                        format!(
                            "no rule allows {} in {} mode, so it asks",
                            req.kind, req.mode
                        ),
                    ),
                };
                let reason = match hit.note {
                    Some(note) => format!("{reason} [{note}]"),
                    None => reason,
                };
                match deciding
                    .iter_mut()
                    .find(|(i, _, r, _)| *i == id && *r == reason)
                {
                    Some(entry) => entry.3.push(effect.to_string()),
                    None => deciding.push((id, principle, reason, vec![effect.to_string()])),
                }
            }
        }
        let rules = deciding
            .into_iter()
            .map(|(id, principle, reason, effects)| {
                (id, principle, format!("{}: {reason}", effects.join("; ")))
            })
            .collect();
        verdict(decision, rules)
    }

    fn evaluate_effect(
        &self,
        req: &PolicyRequest<'_>,
        effect: &Effect,
        from: Option<&PathFacts>,
        to: Option<&PathFacts>,
    ) -> Result<(VerdictDecision, Vec<Hit<'_>>), String> {
        let (context, resource) = effect_context(req, effect, from, to)?;
        let uid = |ty: &EntityTypeName, id: &str| {
            EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id))
        };
        let request = Request::new(
            uid(&self.user_type, req.user),
            uid(&self.action_type, req.kind.as_str()),
            uid(&self.target_type, &resource),
            context,
            None,
        )
        .map_err(|e| e.to_string())?;
        let is_egress = matches!(effect, Effect::Egress { .. });
        let sets = self
            .sets
            .get(slot(req.mode, is_egress))
            .ok_or("no policy sets for this mode")?;

        let (denies, deny_errors) = self.fired(&sets.deny, &request);
        if !denies.is_empty() {
            return Ok((VerdictDecision::Deny, denies));
        }
        // A deny or ask rule that cannot be evaluated (an organization rule reading something
        // absent) fails closed to ask, with the error in the reason, rather than vanishing.
        let (mut asks, ask_errors) = self.fired(&sets.ask, &request);
        asks.extend(deny_errors.into_iter().chain(ask_errors));
        if !asks.is_empty() && !is_egress {
            return Ok((VerdictDecision::Ask, asks));
        }
        let (allows, _allow_errors) = self.fired(&sets.allow, &request);
        if is_egress
            && !allows
                .iter()
                .any(|h| h.rule.is_some_and(|r| r.explicit_allow))
        {
            let (c2, c2_errors) = self.fired(&sets.egress_ask, &request);
            asks.extend(c2.into_iter().chain(c2_errors));
        }
        if !asks.is_empty() {
            return Ok((VerdictDecision::Ask, asks));
        }
        if !allows.is_empty() {
            return Ok((VerdictDecision::Allow, allows));
        }
        Ok((
            VerdictDecision::Ask,
            vec![Hit {
                rule: None,
                note: None,
            }],
        ))
    }

    /// The rules of `set` that fire for `request`, and those that failed to evaluate.
    fn fired(&self, set: &PolicySet, request: &Request) -> (Vec<Hit<'_>>, Vec<Hit<'_>>) {
        if set.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let response = self.authorizer.is_authorized(request, set, &self.entities);
        let diagnostics = response.diagnostics();
        let mut fired: Vec<Hit<'_>> = diagnostics
            .reason()
            .filter_map(|id| self.rules.get(id))
            .map(|rule| Hit {
                rule: Some(rule),
                note: None,
            })
            .collect();
        // Cedar reports reasons as a set: keep compile order so verdicts are stable.
        fired.sort_by_key(|h| h.rule.map_or(usize::MAX, |r| r.rank));
        let errors = diagnostics
            .errors()
            .filter_map(|e| {
                let cedar_policy::AuthorizationError::PolicyEvaluationError(e) = e;
                self.rules.get(e.policy_id()).map(|rule| Hit {
                    rule: Some(rule),
                    note: Some(format!(
                        "could not be evaluated: {}; counted as ask",
                        e.inner()
                    )),
                })
            })
            .collect();
        (fired, errors)
    }
}

fn verdict(decision: VerdictDecision, rules: Vec<(String, Option<Principle>, String)>) -> Verdict {
    let mut principles = Vec::new();
    for p in rules.iter().filter_map(|(_, p, _)| *p) {
        if !principles.contains(&p) {
            principles.push(p);
        }
    }
    let (rules, reasons) = rules
        .into_iter()
        .map(|(id, _, reason)| (id, reason))
        .unzip();
    Verdict {
        decision,
        rules,
        principles,
        reasons,
    }
}
