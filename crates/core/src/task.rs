//! One task: the model loop, limits, cancellation, and the handle interfaces hold.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use cowork_audit::AuditKind;
use cowork_models::{
    ContentBlock, Message, ModelError, ModelEvent, ModelRequest, Role, StopReason,
};
use cowork_protocol::{
    ActionId, ActionRef, Decision, Event, Output, TaskId, TaskStop, TaskSummary, Usage,
};
use futures::{Stream, StreamExt};
use tokio::sync::{mpsc, watch};

use crate::CoreError;
use crate::context;
use crate::orchestrator::{CallOutcome, Orchestrator};
use crate::session::{SessionInner, new_id};
use crate::store::MessageLabels;
use crate::transcript::Transcript;

/// How often a retryable model error is retried before the task fails.
const MODEL_RETRIES: u32 = 3;
/// Consecutive `pause_turn` stops the task accepts before it gives up.
const MAX_PAUSES: u32 = 5;
/// Identical failing actions allowed before the task stops (C6).
const REPEATED_FAILURE_LIMIT: u32 = 3;

/// A running task: a stream of [`Event`]s ending with `task_finished`, and the place to answer asks.
pub struct TaskHandle {
    id: TaskId,
    events: mpsc::UnboundedReceiver<Event>,
    decisions: mpsc::UnboundedSender<(ActionId, Decision)>,
    cancel: watch::Sender<bool>,
}

impl TaskHandle {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The next event; `None` after `task_finished`.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// Answer an `action_proposed` whose `options` are not empty.
    pub fn decide(&self, action: impl Into<ActionId>, decision: Decision) -> Result<(), CoreError> {
        self.decisions
            .send((action.into(), decision))
            .map_err(|_| CoreError::TaskGone)
    }

    /// A sender for decisions, for interfaces that read them on another task (e.g. stdin JSONL).
    pub fn decision_sender(&self) -> mpsc::UnboundedSender<(ActionId, Decision)> {
        self.decisions.clone()
    }

    /// Stop the task at its next safe point (never in the middle of an action); it ends with exit 3.
    pub fn cancel(&self) {
        let _ = self.cancel.send(true);
    }

    /// A handle that can cancel the task from elsewhere (a Ctrl-C handler).
    pub fn canceller(&self) -> watch::Sender<bool> {
        self.cancel.clone()
    }

    /// Drain the events, approving nothing, and return the summary (for tasks that never ask).
    pub async fn summary(mut self) -> Option<TaskSummary> {
        while let Some(event) = self.events.recv().await {
            if let Event::TaskFinished { summary, .. } = event {
                return Some(summary);
            }
        }
        None
    }
}

impl Stream for TaskHandle {
    type Item = Event;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.events.poll_recv(cx)
    }
}

pub(crate) fn spawn(session: Arc<SessionInner>, text: String) -> TaskHandle {
    let id = new_id("t");
    let (event_tx, events) = mpsc::unbounded_channel();
    let (decisions, decision_rx) = mpsc::unbounded_channel();
    let (cancel, cancel_rx) = watch::channel(false);
    let task_id = id.clone();
    tokio::spawn(async move {
        let mut run = TaskRun {
            session: session.clone(),
            id: task_id.clone(),
            events: event_tx.clone(),
            decisions: decision_rx,
            cancel: cancel_rx,
            usage: Usage::default(),
            tainted: session.tainted.load(std::sync::atomic::Ordering::SeqCst),
            actions: 0,
            failures: HashMap::new(),
            outputs: Vec::new(),
            skipped: Vec::new(),
            planned: Vec::new(),
            pending_results: Vec::new(),
            pending_labels: MessageLabels::default(),
            waiting: None,
            written: 0,
        };
        let summary = run.run(text).await;
        // Recorded before `task_finished` goes out: whoever sees the event can rely on the store.
        run.record_finish(&summary);
        let mut record = session.entry(AuditKind::TaskFinished);
        record.task = Some(task_id.clone());
        record.detail = serde_json::to_value(&summary).ok();
        session.audit(record);
        let _ = event_tx.send(Event::TaskFinished {
            task: task_id,
            summary,
        });
    });
    TaskHandle {
        id,
        events,
        decisions,
        cancel,
    }
}

/// The state of one running task.
pub(crate) struct TaskRun {
    pub session: Arc<SessionInner>,
    pub id: TaskId,
    pub events: mpsc::UnboundedSender<Event>,
    pub decisions: mpsc::UnboundedReceiver<(ActionId, Decision)>,
    pub cancel: watch::Receiver<bool>,
    pub usage: Usage,
    /// Untrusted content has entered the task (C4).
    pub tainted: bool,
    pub actions: u32,
    /// Failing (tool, input) pairs and how often they failed (C6).
    pub failures: HashMap<String, u32>,
    pub outputs: Vec<Output>,
    pub skipped: Vec<ActionRef>,
    /// In plan mode: the proposed changes, numbered in the saved plan.
    pub planned: Vec<String>,
    /// Results of the current turn's calls so far.
    pub pending_results: Vec<ContentBlock>,
    /// Their provenance, by tool_use id (kept with the transcript in the store).
    pub pending_labels: MessageLabels,
    /// The action waiting for the person's decision, if any (reported when a cancel or timeout ends the wait).
    pub waiting: Option<ActionRef>,
    /// Bytes the task's actions wrote so far (C6 `max_written_mb_per_task`).
    pub written: u64,
}

impl TaskRun {
    pub fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    async fn run(&mut self, text: String) -> TaskSummary {
        let session = self.session.clone();
        let mut transcript = session.transcript.lock().await;
        self.emit(Event::TaskStarted {
            task: self.id.clone(),
            session: session.id.clone(),
            text: text.clone(),
            mode: session.config.mode.value,
            roots: session
                .workspace
                .roots()
                .iter()
                .map(|r| r.path.display().to_string())
                .collect(),
        });
        self.record_start(&mut transcript, &text);
        let configured = Duration::from_secs(u64::from(session.config.timeout_minutes.value) * 60);
        let timeout = session.timeout.map_or(configured, |t| t.min(configured));
        let mut cancel = self.cancel.clone();
        let (stop, summary) = tokio::select! {
            outcome = self.turns(&mut transcript) => outcome,
            _ = tokio::time::sleep(timeout) => (
                TaskStop::Limit {
                    limit: "timeout_minutes".into(),
                    detail: format!("the task ran longer than its time limit ({:.0?})", timeout),
                },
                String::new(),
            ),
            _ = cancel.wait_for(|c| *c) => (TaskStop::Cancelled, String::new()),
        };
        if let Some(action) = self.waiting.take() {
            self.skip_waiting(action, &stop);
        }
        self.repair(&mut transcript);
        let summary = self.save_plan(summary);
        if let Ok(mut all) = session.outputs.lock() {
            all.extend(self.outputs.iter().cloned());
        }
        TaskSummary {
            stop,
            summary,
            outputs: self.outputs.clone(),
            actions: self.actions,
            skipped: self.skipped.clone(),
            usage: self.usage,
            cost_usd: session.model.price().map(|p| p.cost_usd(&self.usage)),
        }
    }

    /// The model loop: ask, run the calls, feed back the results, until the model ends.
    async fn turns(&mut self, transcript: &mut Transcript) -> (TaskStop, String) {
        let session = self.session.clone();
        let tools = context::tool_defs(&session.registry);
        let roots: Vec<(String, String, bool)> = session
            .workspace
            .roots()
            .iter()
            .map(|r| (r.name.clone(), r.path.display().to_string(), r.default))
            .collect();
        let mut system = context::system_prompt(&roots, session.config.mode.value, &session.fence);
        if let Some(instructions) =
            context::project_instructions(&session.workspace, &session.fence)
        {
            system.push_str(&instructions);
            // The instructions are the folder's words, not the person's: the session is tainted (C4).
            self.taint();
        }
        let max_output = session.max_output;
        let mut pauses = 0;
        loop {
            self.compact_if_needed(transcript, &system, &tools).await;
            let request = ModelRequest {
                system: system.clone(),
                messages: transcript.messages.clone(),
                tools: tools.clone(),
                max_output_tokens: u32::try_from(max_output).unwrap_or(u32::MAX),
            };
            let turn = match self.model_turn(&request).await {
                Ok(turn) => {
                    session.calibrate(&request, &turn.usage);
                    turn
                }
                Err(e) => {
                    return (
                        TaskStop::Failed {
                            error: e.to_string(),
                        },
                        String::new(),
                    );
                }
            };
            if let Some(budget) = session.max_tokens {
                let used = self.usage.input_tokens + self.usage.output_tokens;
                if used > budget {
                    // Record the turn so its tool calls get "not run" results, then stop.
                    if let Some(message) = assistant_message(&turn) {
                        self.record(transcript, message, MessageLabels::default());
                    }
                    return (
                        TaskStop::Limit {
                            limit: "max_tokens".into(),
                            detail: format!(
                                "the task used {used} tokens, over its budget of {budget}"
                            ),
                        },
                        String::new(),
                    );
                }
            }
            if !turn.text.is_empty() {
                self.emit(Event::Commentary {
                    text: turn.text.clone(),
                });
            }
            if let Some(message) = assistant_message(&turn) {
                self.record(transcript, message, MessageLabels::default());
            }
            if turn.calls.is_empty() {
                return match turn.stop {
                    Some(StopReason::PauseTurn) if pauses < MAX_PAUSES => {
                        pauses += 1;
                        continue;
                    }
                    Some(StopReason::PauseTurn) => (
                        TaskStop::Failed {
                            error: format!("the model paused its turn {MAX_PAUSES} times in a row"),
                        },
                        turn.text,
                    ),
                    Some(StopReason::Refusal) => (
                        TaskStop::Failed {
                            error: "the model refused to continue".into(),
                        },
                        turn.text,
                    ),
                    Some(StopReason::MaxTokens) => (
                        TaskStop::Failed {
                            error: "the model's reply was cut by its output limit".into(),
                        },
                        turn.text,
                    ),
                    Some(StopReason::EndTurn | StopReason::ToolUse) | None => {
                        (TaskStop::Finished, turn.text)
                    }
                };
            }
            // Results collect in the task (not a local) so that a cancel or timeout in the middle
            // of a turn still hands the model the results of the calls that did run.
            self.pending_results.clear();
            self.pending_labels = MessageLabels::default();
            let mut stop = None;
            for call in &turn.calls {
                if stop.is_some() {
                    // Every tool_use needs its tool_result, even when the task stops.
                    self.pending_results.push(ContentBlock::ToolResult {
                        tool_use_id: call.id.clone(),
                        content: "not run: the task stopped".into(),
                        is_error: true,
                    });
                    continue;
                }
                match Orchestrator::new(self).handle(call, &turn.text).await {
                    CallOutcome::Result {
                        content,
                        is_error,
                        provenance,
                    } => {
                        self.pending_labels
                            .results
                            .insert(call.id.clone(), provenance);
                        self.pending_results.push(ContentBlock::ToolResult {
                            tool_use_id: call.id.clone(),
                            content,
                            is_error,
                        });
                    }
                    CallOutcome::Stop(reason) => {
                        self.pending_results.push(ContentBlock::ToolResult {
                            tool_use_id: call.id.clone(),
                            content: "not run: the task stopped".into(),
                            is_error: true,
                        });
                        stop = Some(reason);
                    }
                }
            }
            let results = Message {
                role: Role::User,
                content: std::mem::take(&mut self.pending_results),
            };
            let labels = std::mem::take(&mut self.pending_labels);
            self.record(transcript, results, labels);
            if let Some(stop) = stop {
                return (stop, String::new());
            }
        }
    }

    /// One model turn, retrying transient errors with exponential backoff.
    pub(crate) async fn model_turn(&mut self, request: &ModelRequest) -> Result<Turn, ModelError> {
        let mut attempt = 0;
        loop {
            match self.stream_turn(request).await {
                Ok(turn) => return Ok(turn),
                Err(e) if e.is_retryable() && attempt < MODEL_RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt))).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn stream_turn(&mut self, request: &ModelRequest) -> Result<Turn, ModelError> {
        let mut stream = self.session.model.stream(request);
        let mut turn = Turn::default();
        while let Some(item) = stream.next().await {
            match item? {
                ModelEvent::TextDelta(text) => turn.text.push_str(&text),
                // Thinking goes back to the model intact (providers require it with tool use).
                ModelEvent::Thinking(block) => turn.thinking.push(block),
                ModelEvent::ToolCall(call) => turn.calls.push(call),
                ModelEvent::Usage(usage) => {
                    self.usage.add(&usage);
                    turn.usage.add(&usage);
                }
                ModelEvent::Stop(reason) => turn.stop = Some(reason),
            }
        }
        Ok(turn)
    }

    /// The action that was waiting for a decision when the task stopped did not run: say so in
    /// the audit log, the events and the summary.
    fn skip_waiting(&mut self, action: ActionRef, stop: &TaskStop) {
        let reason = match stop {
            TaskStop::Cancelled => {
                "the task was cancelled while this action waited for a decision".to_string()
            }
            other => {
                format!("the task stopped while this action waited for a decision ({other:?})")
            }
        };
        let mut record = self.session.entry(AuditKind::ActionSkipped);
        record.task = Some(self.id.clone());
        record.action = Some(action.id.clone());
        record.tool = Some(action.tool.clone());
        record.detail = Some(serde_json::json!({ "reason": reason }));
        self.session.audit(record);
        self.emit(Event::ActionSkipped {
            action: action.id.clone(),
            reason,
        });
        self.skipped.push(action);
    }

    /// In plan mode, save the numbered plan to `<state>/plans/<task>.md` and append it to the summary.
    fn save_plan(&self, summary: String) -> String {
        if self.planned.is_empty() {
            return summary;
        }
        let mut plan = String::new();
        for (i, step) in self.planned.iter().enumerate() {
            plan.push_str(&format!("{}. {step}\n", i + 1));
        }
        let path = self
            .session
            .workspace
            .state_dir()
            .join("plans")
            .join(format!("{}.md", self.id));
        let saved = match crate::session::write_atomic(&path, plan.as_bytes()) {
            Ok(()) => format!("plan saved to {}", path.display()),
            Err(e) => format!("the plan could not be saved: {e}"),
        };
        let mut out = summary;
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&format!(
            "Proposed changes (not executed):\n{plan}({saved})"
        ));
        out
    }

    /// Record a failed (tool, input) pair; true when it failed too often (C6).
    pub fn note_failure(&mut self, key: String) -> bool {
        let count = self.failures.entry(key).or_insert(0);
        *count += 1;
        *count >= REPEATED_FAILURE_LIMIT
    }
}

/// The assistant message recording a turn; `None` for a turn with nothing in it (an empty
/// assistant message is invalid for providers).
fn assistant_message(turn: &Turn) -> Option<Message> {
    // Thinking blocks come first, exactly as the model produced them.
    let mut content = turn.thinking.clone();
    if !turn.text.is_empty() {
        content.push(ContentBlock::Text {
            text: turn.text.clone(),
        });
    }
    for call in &turn.calls {
        // The transcript keeps what the model sent, unless it was malformed or oversized: the
        // tool_result already tells the model so, and 10 MB would ride along forever.
        let input = (call.input_json.len() <= crate::orchestrator::MAX_INPUT_BYTES)
            .then(|| serde_json::from_str(&call.input_json).ok())
            .flatten()
            .unwrap_or_else(|| serde_json::json!({ "_omitted": "invalid or oversized input" }));
        content.push(ContentBlock::ToolUse {
            id: call.id.clone(),
            name: call.name.clone(),
            input,
        });
    }
    (!content.is_empty()).then_some(Message {
        role: Role::Assistant,
        content,
    })
}

#[derive(Default)]
pub(crate) struct Turn {
    pub text: String,
    thinking: Vec<ContentBlock>,
    calls: Vec<cowork_models::ToolCall>,
    stop: Option<StopReason>,
    /// What the provider counted for this turn (calibrates the token estimate).
    usage: Usage,
}
