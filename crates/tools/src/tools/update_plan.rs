//! update_plan: the model keeps a short plan of its task; the core shows it (plan_updated).

use cowork_fs::ActionTxn;
use cowork_protocol::{ActionKind, PlanStep, PlanStepStatus, Preview, Provenance};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::format::plural;
use crate::input::{parse, schema};
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec};

const NAME: &str = "update_plan";
const MAX_STEPS: usize = 50;

/// Replace the task's plan.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// The whole plan, in order.
    steps: Vec<StepInput>,
}

/// One step of the plan.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct StepInput {
    /// What the step does, in a few words.
    title: String,
    /// `pending`, `in_progress` or `done`.
    status: PlanStepStatus,
}

/// The plan an `update_plan` input carries, validated; the core turns it into a
/// `plan_updated` event.
pub fn parse_plan(input: &serde_json::Value) -> Result<Vec<PlanStep>, ToolError> {
    let input: Input = parse(NAME, input)?;
    if input.steps.len() > MAX_STEPS {
        return Err(ToolError::invalid(format!(
            "a plan of {} steps is too long (at most {MAX_STEPS}); group steps together",
            input.steps.len()
        )));
    }
    input
        .steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let title = s.title.trim().to_string();
            if title.is_empty() {
                return Err(ToolError::invalid(format!(
                    "step {} has an empty `title`",
                    i + 1
                )));
            }
            Ok(PlanStep {
                title,
                status: s.status,
            })
        })
        .collect()
}

/// The `update_plan` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdatePlan;

impl Tool for UpdatePlan {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description: "Keep a short plan of the task for the person: send the whole list of \
                          steps, each pending, in_progress or done, whenever it changes."
                .to_string(),
            kind: ActionKind::Summarize,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(
        &self,
        input: &serde_json::Value,
        _ctx: &ToolContext,
    ) -> Result<Prepared, ToolError> {
        let steps = parse_plan(input)?;
        let done = steps
            .iter()
            .filter(|s| s.status == PlanStepStatus::Done)
            .count();
        Ok(Prepared {
            kind: ActionKind::Summarize,
            folders: Vec::new(),
            effects: Vec::new(),
            description: "update the plan".to_string(),
            consequence: format!(
                "shows a plan of {}, {done} done; no file changes",
                plural(steps.len(), "step", "steps")
            ),
            preview: Preview::None,
        })
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        _ctx: &ToolContext,
        _txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let steps = parse_plan(input)?;
        Ok(ToolOutput {
            content: "plan updated".to_string(),
            provenance: Provenance::Trusted,
            changes: Vec::new(),
            plan: Some(steps),
        })
    }
}
