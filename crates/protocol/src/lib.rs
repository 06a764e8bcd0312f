//! The one protocol every cowork interface speaks: the library API, the CLI, `--json` (JSONL)
//! and later the web UI all see the same [`Event`]s and answer with the same [`Decision`]s.
//!
//! Names and serialized forms here are the stable contract of DESIGN.md §3, §5, §7 and §10.

mod effect;
mod event;
mod kinds;
mod verdict;

pub use effect::{Effect, EgressChannel};
pub use event::{
    ActionProposal, ActionRef, DecisionMessage, Event, Output, OutputChange, PlanStep,
    PlanStepStatus, Preview, Provenance, TaskStop, TaskSummary, Usage,
};
pub use kinds::{ActionKind, ApprovalMode, Principle, UnknownName};
pub use verdict::{DecidedBy, Decision, DecisionOption, GrantScope, Verdict, VerdictDecision};

/// Identifier of an action within a task, e.g. `a3`. Unique within a session.
pub type ActionId = String;
/// Identifier of a task, e.g. `t-20261122-013500-7f3a`.
pub type TaskId = String;
/// Identifier of a session.
pub type SessionId = String;
