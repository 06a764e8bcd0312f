use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{
    ActionId, ActionKind, ApprovalMode, DecidedBy, Decision, DecisionOption, Effect, GrantScope,
    TaskId, Verdict,
};

/// Where a piece of content came from (DESIGN.md §8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "provenance", rename_all = "snake_case")]
pub enum Provenance {
    /// The person's words or cowork's own metadata.
    Trusted,
    /// File contents, mail, web pages, MCP output: data, never instructions.
    Untrusted { source: String },
}

/// What the person sees before deciding: computed by the tool, never by the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "preview", rename_all = "snake_case")]
pub enum Preview {
    None,
    /// Literal text, e.g. the content of a new file (possibly cut).
    Text {
        text: String,
        truncated: bool,
    },
    /// A unified diff of an edit.
    Diff {
        unified: String,
    },
    /// A batch of operations shown as one numbered list.
    Ops {
        ops: Vec<String>,
    },
}

/// A proposed action as shown to the person and the interfaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActionProposal {
    pub id: ActionId,
    pub tool: String,
    pub kind: ActionKind,
    pub input: serde_json::Value,
    /// The model's stated reason: its text before the call.
    pub reason: String,
    /// One line naming what the action does, e.g. `edit report.md`.
    pub description: String,
    /// What will happen, computed by the tool ("overwrites report.md, 12 KB; reversible: backup kept").
    pub consequence: String,
    pub effects: Vec<Effect>,
    pub preview: Preview,
    pub verdict: Verdict,
    /// Non-empty exactly when the action waits for a decision.
    pub options: Vec<DecisionOption>,
    /// Hash of (tool, input, effects, preview) the decision is bound to.
    pub hash: String,
}

impl ActionProposal {
    pub fn needs_decision(&self) -> bool {
        !self.options.is_empty()
    }
}

/// A short reference to an action in later events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActionRef {
    pub id: ActionId,
    pub tool: String,
}

/// One step of the task's plan (the model keeps it with the `update_plan` tool).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanStep {
    pub title: String,
    pub status: PlanStepStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStepStatus {
    Pending,
    InProgress,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutputChange {
    Created,
    Modified,
    Moved,
    Deleted,
}

/// A file the task created or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Output {
    /// Workspace path (`@NAME/…` for a non-default root).
    pub path: String,
    /// Absolute path on disk.
    pub absolute: String,
    pub change: OutputChange,
    pub action: ActionId,
}

/// Token usage of a task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
}

impl Usage {
    pub fn add(&mut self, other: &Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_read_tokens += other.cache_read_tokens;
        self.cache_write_tokens += other.cache_write_tokens;
    }
}

/// Why a task stopped. Maps to the exit code of `cowork run`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "stop", rename_all = "snake_case")]
pub enum TaskStop {
    /// The model finished its work.
    Finished,
    /// A limit stopped the task (actions, time, bytes, repeated failures).
    Limit { limit: String, detail: String },
    /// The person cancelled.
    Cancelled,
    /// The model or the core failed.
    Failed { error: String },
}

impl TaskStop {
    /// Exit code of `cowork run` (DESIGN.md §10): 0 finished, 1 failed, 3 limit or cancel.
    pub fn exit_code(&self) -> i32 {
        match self {
            TaskStop::Finished => 0,
            TaskStop::Failed { .. } => 1,
            TaskStop::Limit { .. } | TaskStop::Cancelled => 3,
        }
    }
}

/// The end-of-task report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TaskSummary {
    pub stop: TaskStop,
    /// The model's final words.
    pub summary: String,
    pub outputs: Vec<Output>,
    pub actions: u32,
    /// Actions skipped in `unattended` mode (would have asked), or collected in `plan` mode.
    pub skipped: Vec<ActionRef>,
    pub usage: Usage,
    /// Estimated cost in US dollars from the model's configured price table (`[models.NAME.price]`);
    /// absent when no price is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
}

/// What the core tells every interface (DESIGN.md §10 event names). Serialized with `type` first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    TaskStarted {
        task: TaskId,
        session: String,
        text: String,
        mode: ApprovalMode,
        roots: Vec<String>,
    },
    Commentary {
        text: String,
    },
    PlanUpdated {
        steps: Vec<PlanStep>,
    },
    ActionProposed {
        action: Box<ActionProposal>,
    },
    ActionDecided {
        action: ActionId,
        decision: Decision,
        decided_by: DecidedBy,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grant: Option<String>,
    },
    ActionStarted {
        action: ActionId,
        tool: String,
    },
    ActionFinished {
        action: ActionId,
        ok: bool,
        /// A one-line summary of the result or error.
        summary: String,
    },
    ActionSkipped {
        action: ActionId,
        reason: String,
    },
    OutputCreated {
        output: Output,
    },
    TaskFinished {
        task: TaskId,
        summary: TaskSummary,
    },
    /// Older turns of the conversation were replaced to fit the model's context window.
    ContextCompacted {
        task: TaskId,
        /// How many messages were replaced.
        replaced: u32,
        /// True when the model summarized them; false when they were dropped with a note.
        summarized: bool,
        /// Estimated tokens of the conversation before and after.
        tokens_before: u64,
        tokens_after: u64,
    },
    Error {
        message: String,
    },
}

/// A decision arriving on stdin in `--json` mode:
/// `{"type":"decision","action":ID,"decision":"approve"|"approve_for"|"modify"|"reject",...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionMessage {
    #[serde(rename = "type")]
    pub message_type: String,
    pub action: ActionId,
    pub decision: String,
    #[serde(default)]
    pub scope: Option<GrantScope>,
    #[serde(default)]
    pub input: Option<serde_json::Value>,
    #[serde(default)]
    pub reason: Option<String>,
}

impl DecisionMessage {
    /// Turn the wire form into a typed decision, naming what is missing.
    pub fn into_decision(self) -> Result<(ActionId, Decision), String> {
        if self.message_type != "decision" {
            return Err(format!(
                "expected type \"decision\", got \"{}\"",
                self.message_type
            ));
        }
        let decision = match self.decision.as_str() {
            "approve" => Decision::Approve,
            "approve_for" => Decision::ApproveFor {
                scope: self
                    .scope
                    .ok_or("approve_for needs \"scope\": task|session|workspace")?,
            },
            "modify" => Decision::Modify {
                input: self
                    .input
                    .ok_or("modify needs \"input\": the new tool input")?,
            },
            "reject" => Decision::Reject {
                reason: self
                    .reason
                    .unwrap_or_else(|| "rejected by the person".to_string()),
            },
            other => {
                return Err(format!(
                    "unknown decision \"{other}\"; use approve, approve_for, modify or reject"
                ));
            }
        };
        Ok((self.action, decision))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_with_type_first() {
        let ev = Event::Commentary { text: "hi".into() };
        let json = serde_json::to_string(&ev).unwrap();
        assert!(json.starts_with("{\"type\":\"commentary\""), "{json}");
    }

    #[test]
    fn decision_messages_parse() {
        let msg: DecisionMessage = serde_json::from_str(
            r#"{"type":"decision","action":"a1","decision":"approve_for","scope":"task"}"#,
        )
        .unwrap();
        assert_eq!(
            msg.into_decision().unwrap(),
            (
                "a1".to_string(),
                Decision::ApproveFor {
                    scope: GrantScope::Task
                }
            )
        );
        let msg: DecisionMessage =
            serde_json::from_str(r#"{"type":"decision","action":"a1","decision":"modify"}"#)
                .unwrap();
        assert!(msg.into_decision().unwrap_err().contains("input"));
    }
}
