//! The one orchestrator: every tool call goes resolve → preview → policy → decision → journal →
//! execute → audit here. Tools only get a journal transaction limited to the effects they declared
//! for this input, so nothing a tool does can skip a step.

use std::time::{Duration, Instant};

use cowork_audit::AuditKind;
use cowork_models::ToolCall;
use cowork_policy::{PathFacts, PolicyRequest};
use cowork_protocol::{
    ActionProposal, ActionRef, ApprovalMode, DecidedBy, Decision, DecisionOption, Effect, Event,
    GrantScope, Output, OutputChange, Provenance, TaskStop, Verdict, VerdictDecision,
};
use cowork_tools::{Prepared, Tool, ToolContext};

use crate::task::TaskRun;

/// Tool inputs larger than this are refused before parsing (a model gone wrong, not a file).
pub(crate) const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;
/// How often an approval is asked again when the action changed while it waited.
const REASK_LIMIT: u32 = 3;

pub(crate) enum CallOutcome {
    /// What goes back to the model as the tool result.
    Result { content: String, is_error: bool },
    /// The task must stop (a limit).
    Stop(TaskStop),
}

fn error(content: impl Into<String>) -> CallOutcome {
    CallOutcome::Result {
        content: content.into(),
        is_error: true,
    }
}

/// A prepared action: the tool's declaration plus the verdict and binding hash.
struct Staged {
    input: serde_json::Value,
    prepared: Prepared,
    verdict: Verdict,
    hash: String,
}

pub(crate) struct Orchestrator<'a> {
    run: &'a mut TaskRun,
    /// Time spent in the tool's own prepare/execute and waiting for the person: not cowork's overhead.
    excluded: Duration,
}

impl<'a> Orchestrator<'a> {
    pub fn new(run: &'a mut TaskRun) -> Self {
        Orchestrator {
            run,
            excluded: Duration::ZERO,
        }
    }

    /// Take one tool call through the whole pipeline, and record cowork's own overhead for it.
    pub async fn handle(&mut self, call: &ToolCall, reason: &str) -> CallOutcome {
        let started = Instant::now();
        let outcome = self.pipeline(call, reason).await;
        let overhead = started.elapsed().saturating_sub(self.excluded);
        if let Ok(mut all) = self.run.session.overheads.lock() {
            all.push(overhead);
        }
        outcome
    }

    async fn pipeline(&mut self, call: &ToolCall, reason: &str) -> CallOutcome {
        let session = self.run.session.clone();
        let max_actions = session.config.max_actions_per_task.value;
        if self.run.actions >= max_actions {
            return CallOutcome::Stop(TaskStop::Limit {
                limit: "max_actions_per_task".into(),
                detail: format!("the task reached its limit of {max_actions} actions"),
            });
        }
        if let Some(error) = session.audit_failure() {
            return CallOutcome::Stop(TaskStop::Failed { error });
        }
        self.run.actions += 1;
        let id = crate::session::new_id("a");

        // Resolve: the raw model output becomes a typed input for a known tool, or an error the
        // model can act on. Nothing runs and nothing is written on this path.
        let Some(tool) = session.registry.get(&call.name) else {
            let names: Vec<&str> = session.registry.specs().iter().map(|s| s.name).collect();
            return self.refuse(
                &id,
                call,
                format!(
                    "unknown tool `{}`; available tools: {}",
                    call.name,
                    names.join(", ")
                ),
            );
        };
        let input = match parse_input(call) {
            Ok(input) => input,
            Err(message) => return self.refuse(&id, call, message),
        };
        let mut staged = match self.stage(tool, &call.name, input) {
            Ok(s) => s,
            Err(message) => return self.fail_repeatable(&id, call, message),
        };

        let mut reasks = 0;
        let decided_by;
        loop {
            // A grant or a mode that never waits settles an ask without the person. Plan mode has
            // no side effects, so not even a grant makes it execute.
            let grant = match (staged.verdict.decision, session.config.mode.value) {
                (VerdictDecision::Ask, mode) if mode != ApprovalMode::Plan => {
                    self.find_grant(&staged)
                }
                _ => None,
            };
            let waits = staged.verdict.decision == VerdictDecision::Ask
                && grant.is_none()
                && mode_waits(session.config.mode.value);
            let options = if waits {
                // A decision queued before this proposal was shown cannot be about it.
                while self.run.decisions.try_recv().is_ok() {}
                self.options(&staged)
            } else {
                Vec::new()
            };
            let proposal = self.proposal(&id, call, reason, &staged, options);
            self.audit_proposed(&proposal);
            self.run.emit(Event::ActionProposed {
                action: Box::new(proposal.clone()),
            });

            match staged.verdict.decision {
                VerdictDecision::Deny => {
                    let why = staged.verdict.reasons.join("; ");
                    self.decided(
                        &id,
                        call,
                        Decision::Reject {
                            reason: why.clone(),
                        },
                        DecidedBy::Policy,
                        None,
                    );
                    return self.skip(
                        &id,
                        call,
                        format!("denied by policy: {why}. Do not retry this action."),
                    );
                }
                VerdictDecision::Allow => {
                    decided_by = if staged.verdict.rules.iter().all(|r| r.starts_with("mode.")) {
                        DecidedBy::Mode
                    } else {
                        DecidedBy::Policy
                    };
                    self.decided(&id, call, Decision::Approve, decided_by, None);
                    break;
                }
                VerdictDecision::Ask => {}
            }
            if let Some(grant) = grant {
                decided_by = DecidedBy::Grant;
                self.decided(&id, call, Decision::Approve, decided_by, Some(grant));
                break;
            }
            match session.config.mode.value {
                ApprovalMode::Plan => {
                    self.decided(
                        &id,
                        call,
                        Decision::Reject {
                            reason: "plan mode".into(),
                        },
                        DecidedBy::Mode,
                        None,
                    );
                    self.run.planned.push(format!(
                        "{} — {}",
                        staged.prepared.description, staged.prepared.consequence
                    ));
                    let step = self.run.planned.len();
                    return self.skip(&id, call, format!("plan mode: not executed; recorded as step {step} of the plan. Continue planning the remaining steps."));
                }
                ApprovalMode::Unattended => {
                    self.decided(
                        &id,
                        call,
                        Decision::Reject {
                            reason: "needs approval; unattended run".into(),
                        },
                        DecidedBy::Mode,
                        None,
                    );
                    return self.skip(&id, call, "skipped: this action needs the person's approval and this run is unattended; it is reported at the end. Continue with what you can do.".to_string());
                }
                ApprovalMode::Interactive | ApprovalMode::Auto | ApprovalMode::ReadOnly => {}
            }

            let waiting = Instant::now();
            self.run.waiting = Some(ActionRef {
                id: id.clone(),
                tool: call.name.clone(),
            });
            let decision = self.await_decision(&proposal).await;
            self.run.waiting = None;
            self.excluded += waiting.elapsed();
            match decision {
                Decision::Reject { reason: why } => {
                    self.decided(
                        &id,
                        call,
                        Decision::Reject {
                            reason: why.clone(),
                        },
                        DecidedBy::User,
                        None,
                    );
                    return self.skip(&id, call, format!("the person rejected this action: {why}. Do not retry it; adapt your plan."));
                }
                Decision::Modify { input } => {
                    self.decided(
                        &id,
                        call,
                        Decision::Modify {
                            input: input.clone(),
                        },
                        DecidedBy::User,
                        None,
                    );
                    // The person's modify approves exactly the modified action, after policy has seen it.
                    if let Err(message) = check_input(&call.name, &input) {
                        return self.fail(
                            &id,
                            call,
                            format!("the person's modified input is invalid: {message}"),
                        );
                    }
                    staged = match self.stage(tool, &call.name, input) {
                        Ok(s) => s,
                        Err(message) => {
                            return self.fail(
                                &id,
                                call,
                                format!("the person's modified input is invalid: {message}"),
                            );
                        }
                    };
                    let modified = self.proposal(&id, call, reason, &staged, Vec::new());
                    self.audit_proposed(&modified);
                    self.run.emit(Event::ActionProposed {
                        action: Box::new(modified),
                    });
                    if staged.verdict.decision == VerdictDecision::Deny {
                        let why = staged.verdict.reasons.join("; ");
                        return self.skip(
                            &id,
                            call,
                            format!("the person's modified action is denied by policy: {why}"),
                        );
                    }
                    decided_by = DecidedBy::User;
                    break;
                }
                approved @ (Decision::Approve | Decision::ApproveFor { .. }) => {
                    // The approval is bound to what was shown: if the target changed meanwhile, ask again.
                    let fresh = match self.stage(tool, &call.name, staged.input.clone()) {
                        Ok(s) => s,
                        Err(message) => return self.fail(&id, call, message),
                    };
                    if fresh.hash != proposal.hash {
                        if reasks >= REASK_LIMIT {
                            return self.fail(
                                &id,
                                call,
                                format!(
                                    "{} kept changing while waiting for approval; it was not run",
                                    staged.prepared.description
                                ),
                            );
                        }
                        reasks += 1;
                        staged = fresh;
                        continue;
                    }
                    let grant = match approved {
                        Decision::ApproveFor { scope } => self.add_grant(&staged, scope),
                        _ => None,
                    };
                    self.decided(&id, call, approved, DecidedBy::User, grant);
                    decided_by = DecidedBy::User;
                    break;
                }
            }
        }
        let _ = decided_by;
        self.execute(&id, call, tool, staged)
    }

    /// Resolve effects and preview, then ask policy. Errors are messages for the model.
    fn stage(
        &mut self,
        tool_impl: &dyn Tool,
        tool: &str,
        input: serde_json::Value,
    ) -> Result<Staged, String> {
        let session = self.run.session.clone();
        let ctx = ToolContext {
            ws: session.workspace.view(),
            max_read_bytes: max_bytes(&session),
        };
        let preparing = Instant::now();
        let prepared = tool_impl.prepare(&input, &ctx).map_err(|e| e.to_string());
        self.excluded += preparing.elapsed();
        let prepared = prepared?;
        let facts = path_facts(&session.workspace, &prepared);
        let verdict = session.policy.evaluate(&PolicyRequest {
            user: &session.user,
            tool,
            kind: prepared.kind,
            effects: &prepared.effects,
            facts: &facts,
            mode: session.config.mode.value,
            tainted: self.run.tainted,
        });
        let hash = action_hash(tool, &input, &prepared);
        Ok(Staged {
            input,
            prepared,
            verdict,
            hash,
        })
    }

    /// The decisions the person may take; empty when the verdict does not ask.
    fn options(&self, staged: &Staged) -> Vec<DecisionOption> {
        if staged.verdict.decision != VerdictDecision::Ask {
            return Vec::new();
        }
        let mut options = vec![DecisionOption::Approve];
        let grantable = crate::grants::grantable(&staged.prepared.effects);
        // An organization's require_approval kind must be approved every time, and egress always
        // asks (C2, C4): no grants for either.
        if grantable
            && !self
                .run
                .session
                .config
                .org_require_approval
                .contains(&staged.prepared.kind)
        {
            options.extend([
                DecisionOption::ApproveFor(GrantScope::Task),
                DecisionOption::ApproveFor(GrantScope::Session),
                DecisionOption::ApproveFor(GrantScope::Workspace),
            ]);
        }
        options.extend([DecisionOption::Modify, DecisionOption::Reject]);
        options
    }

    fn proposal(
        &self,
        id: &str,
        call: &ToolCall,
        reason: &str,
        staged: &Staged,
        options: Vec<DecisionOption>,
    ) -> ActionProposal {
        ActionProposal {
            id: id.to_string(),
            tool: call.name.clone(),
            kind: staged.prepared.kind,
            input: staged.input.clone(),
            reason: reason.trim().to_string(),
            description: staged.prepared.description.clone(),
            consequence: staged.prepared.consequence.clone(),
            effects: staged.prepared.effects.clone(),
            preview: staged.prepared.preview.clone(),
            verdict: staged.verdict.clone(),
            options,
            hash: staged.hash.clone(),
        }
    }

    fn find_grant(&self, staged: &Staged) -> Option<String> {
        let session = &self.run.session;
        if session
            .config
            .org_require_approval
            .contains(&staged.prepared.kind)
        {
            return None;
        }
        let grants = session.grants.lock().ok()?;
        grants
            .find(
                staged.prepared.kind,
                &staged.prepared.effects,
                &self.run.id,
                &session.id,
            )
            .map(|g| g.id.clone())
    }

    fn add_grant(&self, staged: &Staged, scope: GrantScope) -> Option<String> {
        let session = &self.run.session;
        let mut grants = session.grants.lock().ok()?;
        match grants.add(
            staged.prepared.kind,
            &staged.prepared.effects,
            scope,
            &self.run.id,
            &session.id,
        ) {
            Ok(grant) => Some(grant.id),
            Err(e) => {
                self.run.emit(Event::Error {
                    message: format!("could not store the grant: {e}"),
                });
                None
            }
        }
    }

    /// Wait for the person's decision on this proposal; decisions that are not on offer are refused.
    async fn await_decision(&mut self, proposal: &ActionProposal) -> Decision {
        loop {
            let Some((id, decision)) = self.run.decisions.recv().await else {
                return Decision::Reject {
                    reason: "nobody is left to answer".into(),
                };
            };
            if id != proposal.id {
                self.run.emit(Event::Error {
                    message: format!(
                        "no action {id} is waiting for a decision (waiting: {})",
                        proposal.id
                    ),
                });
                continue;
            }
            let offered = match &decision {
                Decision::Approve => proposal.options.contains(&DecisionOption::Approve),
                Decision::ApproveFor { scope } => proposal
                    .options
                    .contains(&DecisionOption::ApproveFor(*scope)),
                Decision::Modify { .. } => proposal.options.contains(&DecisionOption::Modify),
                Decision::Reject { .. } => true,
            };
            if offered {
                return decision;
            }
            self.run.emit(Event::Error {
                message: format!("{} is not offered for action {id}", decision.label()),
            });
        }
    }

    /// Journal, execute and audit an approved action.
    fn execute(
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
            self.run.tainted = true;
            session
                .tainted
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        CallOutcome::Result {
            content: session.fence.wrap(&output.content, &output.provenance),
            is_error: false,
        }
    }

    fn decided(
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
        self.run.emit(Event::ActionDecided {
            action: id.to_string(),
            decision,
            decided_by: by,
            grant,
        });
    }

    fn audit_proposed(&self, proposal: &ActionProposal) {
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
    }

    /// The action did not run (policy, mode or the person said no). The model learns why.
    fn skip(&mut self, id: &str, call: &ToolCall, message: String) -> CallOutcome {
        let session = &self.run.session;
        let mut record = session.entry(AuditKind::ActionSkipped);
        record.task = Some(self.run.id.clone());
        record.action = Some(id.to_string());
        record.tool = Some(call.name.clone());
        record.detail = Some(serde_json::json!({ "reason": message }));
        session.audit(record);
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

    /// Malformed model output: the call never became an action.
    fn refuse(&mut self, id: &str, call: &ToolCall, message: String) -> CallOutcome {
        self.fail_repeatable(id, call, message)
    }

    fn fail(&mut self, id: &str, call: &ToolCall, message: String) -> CallOutcome {
        let session = &self.run.session;
        let mut record = session.entry(AuditKind::ActionFailed);
        record.task = Some(self.run.id.clone());
        record.action = Some(id.to_string());
        record.tool = Some(call.name.clone());
        record.detail = Some(serde_json::json!({ "error": message }));
        session.audit(record);
        self.run.emit(Event::ActionFinished {
            action: id.to_string(),
            ok: false,
            summary: message.clone(),
        });
        error(message)
    }

    /// A failure that counts toward the repeated-failure limit (C6).
    fn fail_repeatable(&mut self, id: &str, call: &ToolCall, message: String) -> CallOutcome {
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

/// The raw model output as a tool input: within the size limit, valid JSON, an object.
fn parse_input(call: &ToolCall) -> Result<serde_json::Value, String> {
    if call.input_json.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "the input of {} is {} bytes, over the {MAX_INPUT_BYTES} byte limit for one tool call; split the work into smaller calls",
            call.name,
            call.input_json.len()
        ));
    }
    let value: serde_json::Value = serde_json::from_str(&call.input_json).map_err(|e| {
        format!(
            "the input of {} is not valid JSON ({e}); send one JSON object matching the tool's schema",
            call.name
        )
    })?;
    check_input(&call.name, &value)?;
    Ok(value)
}

/// Limits every input obeys, the model's or the person's modified one.
fn check_input(tool: &str, input: &serde_json::Value) -> Result<(), String> {
    if !input.is_object() {
        return Err(format!("the input of {tool} must be a JSON object"));
    }
    let size = input.to_string().len();
    if size > MAX_INPUT_BYTES {
        return Err(format!(
            "the input of {tool} is {size} bytes, over the {MAX_INPUT_BYTES} byte limit"
        ));
    }
    Ok(())
}

/// Whether an ask in this mode waits for the person (plan and unattended never do).
fn mode_waits(mode: ApprovalMode) -> bool {
    match mode {
        ApprovalMode::Interactive | ApprovalMode::Auto | ApprovalMode::ReadOnly => true,
        ApprovalMode::Plan | ApprovalMode::Unattended => false,
    }
}

fn max_bytes(session: &crate::session::SessionInner) -> u64 {
    session
        .config
        .max_file_size_mb
        .value
        .saturating_mul(1024 * 1024)
}

/// Facts about each path an action touches, in effect order, for policy (types, sizes).
fn path_facts(ws: &cowork_fs::Workspace, prepared: &Prepared) -> Vec<PathFacts> {
    let effects = &prepared.effects;
    let mut facts = Vec::new();
    for effect in effects {
        for path in effect.paths() {
            let resolved = ws.resolve(path).ok();
            let meta = resolved
                .as_ref()
                .and_then(|p| ws.metadata(p).ok().flatten());
            let size = match effect {
                Effect::Create { bytes, .. } => *bytes,
                _ => meta.as_ref().map_or(0, |m| m.size),
            };
            let is_dir = meta
                .as_ref()
                .is_some_and(|m| m.kind == cowork_fs::EntryKind::Dir)
                || prepared.folders.iter().any(|f| f == path);
            facts.push(PathFacts {
                is_dir,
                exists: meta.is_some(),
                ext: resolved.as_ref().and_then(|p| p.extension()),
                size,
            });
        }
    }
    facts
}

/// What an approval is bound to: tool, input, resolved effects and preview.
fn action_hash(tool: &str, input: &serde_json::Value, prepared: &Prepared) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(tool.as_bytes());
    hasher.update(&[0]);
    hasher.update(input.to_string().as_bytes());
    hasher.update(&[0]);
    hasher.update(
        serde_json::to_string(&prepared.effects)
            .unwrap_or_default()
            .as_bytes(),
    );
    hasher.update(&[0]);
    hasher.update(
        serde_json::to_string(&prepared.preview)
            .unwrap_or_default()
            .as_bytes(),
    );
    hasher.finalize().to_hex()[..16].to_string()
}
