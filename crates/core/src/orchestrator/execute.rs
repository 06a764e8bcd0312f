//! Journal and execute an approved action, then report what it changed.

use std::time::Instant;

use cowork_audit::AuditKind;
use cowork_models::ToolCall;
use cowork_protocol::{Effect, Event, Output, OutputChange, Provenance, TaskStop};
use cowork_tools::{Tool, ToolContext};

use super::staging::max_bytes;
use super::{CallOutcome, Orchestrator, Staged};
use crate::store::{ActionStatus, ActionUpdate};

impl Orchestrator<'_> {
    /// Journal, execute and audit an approved action.
    pub(super) fn execute(
        &mut self,
        id: &str,
        call: &ToolCall,
        tool: &dyn Tool,
        staged: Staged,
    ) -> CallOutcome {
        let session = self.run.session.clone();
        self.run.emit(Event::ActionStarted {
            action: id.to_string(),
            tool: call.name.clone(),
        });
        let ctx = ToolContext {
            ws: session.workspace.view(),
            max_read_bytes: max_bytes(&session),
        };
        // Nothing runs unaudited (C5): a failed proposed/decided record stops the task here.
        if let Some(error) = session.audit_failure() {
            return CallOutcome::Stop(TaskStop::Failed { error });
        }
        let declared: u64 = staged
            .prepared
            .effects
            .iter()
            .map(|e| match e {
                Effect::Create { bytes, .. } => *bytes,
                _ => 0,
            })
            .sum();
        let budget = session
            .config
            .max_written_mb_per_task
            .value
            .saturating_mul(1024 * 1024);
        if self.run.written.saturating_add(declared) > budget {
            return CallOutcome::Stop(TaskStop::Limit {
                limit: "max_written_mb_per_task".into(),
                detail: format!(
                    "{} would take the task past its limit of {} MB written",
                    staged.prepared.description, session.config.max_written_mb_per_task.value
                ),
            });
        }
        // From here the action may change files: a crash now is resolved on resume from the
        // journal this state dir holds.
        let journal = session.workspace.state_dir().display().to_string();
        self.run.record_action(&ActionUpdate {
            journal: Some(&journal),
            ..self.update(id, call, ActionStatus::Executing)
        });
        let mut txn = session
            .workspace
            .begin(&self.run.id, id, &staged.prepared.effects);
        let executing = Instant::now();
        let result = tool.execute(&staged.input, &ctx, &mut txn);
        self.excluded += executing.elapsed();
        self.run.written = self.run.written.saturating_add(txn.bytes_written());
        drop(txn);
        let output = match result {
            Ok(output) => output,
            Err(e) => return self.fail_repeatable(id, call, e.to_string()),
        };
        let mut record = session.entry(AuditKind::ActionExecuted);
        record.task = Some(self.run.id.clone());
        record.action = Some(id.to_string());
        record.tool = Some(call.name.clone());
        record.effects = Some(staged.prepared.effects.clone());
        record.content = Some(output.content.clone());
        record.detail = Some(serde_json::json!({ "changes": output.changes.len() }));
        session.audit(record);
        // What the model gets, recorded before anyone is told the action finished: a resumed
        // session hands exactly this back instead of running the action again.
        let content = session
            .fence
            .wrap(&within_budget(&output.content), &output.provenance);
        self.run.record_action(&ActionUpdate {
            outcome: Some((&content, false)),
            provenance: Some(&output.provenance),
            ..self.update(id, call, ActionStatus::Executed)
        });

        for (path, change) in &output.changes {
            let absolute = session
                .workspace
                .resolve(path)
                .map(|p| session.workspace.absolute(&p).display().to_string())
                .unwrap_or_default();
            let out = Output {
                path: path.clone(),
                absolute,
                change: *change,
                action: id.to_string(),
            };
            if *change != OutputChange::Deleted {
                self.run.emit(Event::OutputCreated {
                    output: out.clone(),
                });
            }
            self.run.outputs.push(out);
        }
        if let Some(steps) = output.plan.clone() {
            self.run.emit(Event::PlanUpdated { steps });
        }
        let summary = finished_summary(&staged.prepared.description, &output.content);
        self.run.emit(Event::ActionFinished {
            action: id.to_string(),
            ok: true,
            summary,
        });
        if matches!(output.provenance, Provenance::Untrusted { .. }) {
            // The transcript carries the content into later tasks, so the taint is the session's.
            self.run.taint();
        }
        CallOutcome::Result {
            content,
            is_error: false,
            provenance: output.provenance,
        }
    }
}

/// The one line interfaces show when an action finished: a one-line result as is, else the
/// action with the size of what it returned (file content is not echoed to the terminal).
fn finished_summary(description: &str, content: &str) -> String {
    let mut lines = content.lines();
    match (lines.next(), lines.next()) {
        (Some(line), None) => line.chars().take(160).collect(),
        (None, _) => description.to_string(),
        (Some(_), Some(_)) => format!("{description} · {} lines", content.lines().count()),
    }
}

/// The most a single tool result may put into the conversation (about 25k tokens).
const MAX_RESULT_BYTES: usize = 100 * 1024;

/// Cut an oversized tool result at a line boundary, telling the model how to read the rest.
fn within_budget(content: &str) -> std::borrow::Cow<'_, str> {
    if content.len() <= MAX_RESULT_BYTES {
        return std::borrow::Cow::Borrowed(content);
    }
    let mut cut = MAX_RESULT_BYTES;
    while !content.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = content[..cut].rfind('\n').map_or(cut, |i| i + 1);
    let rest = content[cut..].lines().count();
    std::borrow::Cow::Owned(format!(
        "{}[cut: {rest} more lines ({} bytes) not shown; read further with offset/limit or a narrower query]",
        &content[..cut],
        content.len() - cut
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_results_are_cut_at_a_line_with_a_note() {
        let small = "a\nb\n";
        assert_eq!(within_budget(small), small);
        let big: String = (0..40_000).map(|i| format!("line {i}\n")).collect();
        let cut = within_budget(&big);
        assert!(cut.len() < MAX_RESULT_BYTES + 200);
        assert!(cut.contains("[cut: ") && cut.contains("offset/limit"));
        let kept = cut.split("[cut:").next().unwrap();
        assert!(kept.ends_with('\n'), "cut at a line boundary");
        let multibyte = "é".repeat(MAX_RESULT_BYTES);
        assert!(within_budget(&multibyte).contains("[cut: "));
    }
}
