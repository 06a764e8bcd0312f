//! Audit records and events for decisions, skips and failures; every outcome the model learns of.

use cowork_audit::AuditKind;
use cowork_models::ToolCall;
use cowork_protocol::{ActionProposal, ActionRef, DecidedBy, Decision, Event, TaskStop};

use super::{CallOutcome, Orchestrator, error};
use crate::store::{ActionStatus, ActionUpdate};

impl Orchestrator<'_> {
    /// The store's record of this action at `status`; callers add what the step learned.
    pub(super) fn update<'b>(
        &'b self,
        id: &'b str,
        call: &'b ToolCall,
        status: ActionStatus,
    ) -> ActionUpdate<'b> {
        ActionUpdate {
            id,
            session: &self.run.session.id,
            task: &self.run.id,
            tool_use_id: &call.id,
            tool: &call.name,
            input: &call.input_json,
            status,
            kind: None,
            effects: None,
            description: None,
            decision: None,
            outcome: None,
            provenance: None,
            journal: None,
        }
    }

    pub(super) fn decided(
        &self,
        id: &str,
        call: &ToolCall,
        decision: Decision,
        by: DecidedBy,
        grant: Option<String>,
    ) {
        let session = &self.run.session;
        let mut record = session.entry(AuditKind::ActionDecided);
        record.task = Some(self.run.id.clone());
        record.action = Some(id.to_string());
        record.tool = Some(call.name.clone());
        record.decided_by = Some(by);
        record.detail = Some(serde_json::json!({
            "decision": decision.label(),
            "scope": match &decision { Decision::ApproveFor { scope } => Some(scope.as_str()), _ => None },
            "reason": match &decision { Decision::Reject { reason } => Some(reason.clone()), _ => None },
            "grant": grant,
        }));
        session.audit(record);
        self.run.record_action(&ActionUpdate {
            decision: Some((&decision, by, grant.as_deref())),
            ..self.update(id, call, ActionStatus::Decided)
        });
        self.run.emit(Event::ActionDecided {
            action: id.to_string(),
            decision,
            decided_by: by,
            grant,
        });
    }

    pub(super) fn audit_proposed(&self, call: &ToolCall, proposal: &ActionProposal) {
        let session = &self.run.session;
        let mut record = session.entry(AuditKind::ActionProposed);
        record.task = Some(self.run.id.clone());
        record.action = Some(proposal.id.clone());
        record.tool = Some(proposal.tool.clone());
        record.effects = Some(proposal.effects.clone());
        record.verdict = Some(proposal.verdict.clone());
        record.content = Some(proposal.input.to_string());
        record.detail = Some(serde_json::json!({
            "kind": proposal.kind,
            "reason": proposal.reason,
            "description": proposal.description,
            "consequence": proposal.consequence,
            "hash": proposal.hash,
        }));
        session.audit(record);
        self.run.record_action(&ActionUpdate {
            kind: Some(proposal.kind),
            effects: Some(&proposal.effects),
            description: Some(&proposal.description),
            ..self.update(&proposal.id, call, ActionStatus::Proposed)
        });
    }

    /// The action did not run (policy, mode or the person said no). The model learns why.
    pub(super) fn skip(&mut self, id: &str, call: &ToolCall, message: String) -> CallOutcome {
        let session = &self.run.session;
        let mut record = session.entry(AuditKind::ActionSkipped);
        record.task = Some(self.run.id.clone());
        record.action = Some(id.to_string());
        record.tool = Some(call.name.clone());
        record.detail = Some(serde_json::json!({ "reason": message }));
        session.audit(record);
        self.run.record_action(&ActionUpdate {
            outcome: Some((&message, true)),
            ..self.update(id, call, ActionStatus::Skipped)
        });
        self.run.emit(Event::ActionSkipped {
            action: id.to_string(),
            reason: message.clone(),
        });
        self.run.skipped.push(ActionRef {
            id: id.to_string(),
            tool: call.name.clone(),
        });
        error(message)
    }

    pub(super) fn fail(&mut self, id: &str, call: &ToolCall, message: String) -> CallOutcome {
        let session = &self.run.session;
        let mut record = session.entry(AuditKind::ActionFailed);
        record.task = Some(self.run.id.clone());
        record.action = Some(id.to_string());
        record.tool = Some(call.name.clone());
        record.detail = Some(serde_json::json!({ "error": message }));
        session.audit(record);
        self.run.record_action(&ActionUpdate {
            outcome: Some((&message, true)),
            ..self.update(id, call, ActionStatus::Failed)
        });
        self.run.emit(Event::ActionFinished {
            action: id.to_string(),
            ok: false,
            summary: message.clone(),
        });
        error(message)
    }

    /// A failure that counts toward the repeated-failure limit (C6).
    pub(super) fn fail_repeatable(
        &mut self,
        id: &str,
        call: &ToolCall,
        message: String,
    ) -> CallOutcome {
        let outcome = self.fail(id, call, message);
        let key = format!("{}\u{0}{}", call.name, call.input_json);
        if self.run.note_failure(key) {
            return CallOutcome::Stop(TaskStop::Limit {
                limit: "repeated_failures".into(),
                detail: format!("the same {} call failed 3 times", call.name),
            });
        }
        outcome
    }
}
