//! The one orchestrator: every tool call goes resolve → preview → policy → decision → journal →
//! execute → audit here. Tools only get a journal transaction limited to the effects they declared
//! for this input, so nothing a tool does can skip a step.

use std::time::{Duration, Instant};

use cowork_models::ToolCall;
use cowork_policy::PolicyRequest;
use cowork_protocol::{
    ActionProposal, ActionRef, ApprovalMode, DecidedBy, Decision, DecisionOption, Event,
    GrantScope, Provenance, TaskStop, Verdict, VerdictDecision,
};
use cowork_tools::{Prepared, Tool, ToolContext};

use crate::task::TaskRun;

mod execute;
mod record;
mod staging;

use staging::{action_hash, check_input, max_bytes, mode_waits, parse_input, path_facts};

/// Tool inputs larger than this are refused before parsing (a model gone wrong, not a file).
pub(crate) const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;
/// How often an approval is asked again when the action changed while it waited.
const REASK_LIMIT: u32 = 3;

pub(crate) enum CallOutcome {
    /// What goes back to the model as the tool result, and where its content came from.
    Result {
        content: String,
        is_error: bool,
        provenance: Provenance,
    },
    /// The task must stop (a limit).
    Stop(TaskStop),
}

fn error(content: impl Into<String>) -> CallOutcome {
    // Errors and refusals are cowork's own words (they may quote a path the model gave).
    CallOutcome::Result {
        content: content.into(),
        is_error: true,
        provenance: Provenance::Trusted,
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
            return self.fail_repeatable(
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
            Err(message) => return self.fail_repeatable(&id, call, message),
        };
        let mut staged = match self.stage(tool, &call.name, input) {
            Ok(s) => s,
            Err(message) => return self.fail_repeatable(&id, call, message),
        };

        let mut reasks = 0;
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
            self.audit_proposed(call, &proposal);
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
                    let decided_by = if staged.verdict.rules.iter().all(|r| r.starts_with("mode."))
                    {
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
                self.decided(&id, call, Decision::Approve, DecidedBy::Grant, Some(grant));
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
                    self.audit_proposed(call, &modified);
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
                    break;
                }
            }
        }
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
}
