use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Principle;

/// The policy's answer for one action.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VerdictDecision {
    Allow,
    Ask,
    Deny,
}

/// A verdict with the rules that decided it and the constitution principles involved (C5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Verdict {
    pub decision: VerdictDecision,
    /// Ids of the deciding rules, e.g. `mode.interactive.ask_writes` or `org:cedar:no-share`.
    pub rules: Vec<String>,
    pub principles: Vec<Principle>,
    /// Human-readable reasons, one per deciding rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// How long a standing approval lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantScope {
    Task,
    Session,
    Workspace,
}

impl GrantScope {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantScope::Task => "task",
            GrantScope::Session => "session",
            GrantScope::Workspace => "workspace",
        }
    }
}

/// The answer to an `ask` (DESIGN.md §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Approve,
    ApproveFor { scope: GrantScope },
    Modify { input: serde_json::Value },
    Reject { reason: String },
}

impl Decision {
    pub fn label(&self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::ApproveFor { .. } => "approve_for",
            Decision::Modify { .. } => "modify",
            Decision::Reject { .. } => "reject",
        }
    }
}

/// One decision the core offers for an action; an organization `require_approval` kind offers
/// no grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "decision", content = "scope")]
pub enum DecisionOption {
    Approve,
    ApproveFor(GrantScope),
    Modify,
    Reject,
}

/// Who settled an action (audit `decided_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    Policy,
    User,
    Grant,
    Mode,
}
