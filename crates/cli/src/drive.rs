//! Driving one task: show its events, answer its asks, and stop when it reports `task_finished`.
//!
//! Waiting for an answer never blocks the event stream: the terminal prompt runs on its own
//! thread and `--json` decisions arrive over a channel, so a Ctrl-C, a timeout or the end of stdin
//! is noticed while an ask is open.

use std::io::{BufRead, Write};

use anyhow::{Context, Result, anyhow, bail};
use cowork_core::{CoreError, TaskHandle};
use cowork_protocol::{ActionId, ActionProposal, Decision, DecisionMessage, Event, TaskSummary};
use tokio::sync::{mpsc, oneshot};

use crate::prompt;
use crate::render::Renderer;

/// The reason given for asks that `--json` can no longer answer.
pub const STDIN_CLOSED: &str = "stdin closed: no more decisions";

/// How asks are answered in this run.
pub enum Answerer {
    Terminal,
    Fixed(bool),
    JsonStdin,
    /// No terminal and no instruction: reject, never hang.
    NoOne,
}

/// What the `--json` stdin reader hands to the driver.
pub enum StdinMessage {
    Decision(ActionId, Decision),
    /// A line that is not a decision; reported as an `error` event.
    Bad(String),
    /// Stdin ended (or failed): no decision will ever come again.
    End,
}

/// Read `{"type":"decision",…}` lines from stdin on a plain thread (stdin has no async reader that
/// can be abandoned), ending with [`StdinMessage::End`].
pub fn spawn_stdin_decisions() -> Result<mpsc::UnboundedReceiver<StdinMessage>> {
    let (sender, receiver) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("cowork-stdin".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                if line.trim().is_empty() {
                    continue;
                }
                let parsed = serde_json::from_str::<DecisionMessage>(&line)
                    .map_err(|e| e.to_string())
                    .and_then(DecisionMessage::into_decision);
                let message = match parsed {
                    Ok((id, decision)) => StdinMessage::Decision(id, decision),
                    Err(message) => StdinMessage::Bad(message),
                };
                if sender.send(message).is_err() {
                    return;
                }
            }
            let _ = sender.send(StdinMessage::End);
        })
        .context("cannot start the thread that reads decisions from stdin")?;
    Ok(receiver)
}

/// The open terminal prompt: the action it asks about and where its answer will arrive.
type OpenPrompt = (ActionId, oneshot::Receiver<Result<Decision>>);

pub struct Driver {
    answerer: Answerer,
    json: bool,
    renderer: Renderer,
    prompt: Option<OpenPrompt>,
    stdin: Option<mpsc::UnboundedReceiver<StdinMessage>>,
    stdin_closed: bool,
    /// Asks waiting for a decision line on stdin.
    waiting: Vec<ActionId>,
}

impl Driver {
    pub fn new(
        answerer: Answerer,
        json: bool,
        stdin: Option<mpsc::UnboundedReceiver<StdinMessage>>,
    ) -> Driver {
        Driver {
            answerer,
            json,
            renderer: Renderer::new(),
            prompt: None,
            stdin,
            stdin_closed: false,
            waiting: Vec::new(),
        }
    }

    /// Run until `task_finished` and return its summary.
    pub async fn drive(mut self, handle: &mut TaskHandle) -> Result<TaskSummary> {
        loop {
            tokio::select! {
                event = handle.next_event() => {
                    let Some(event) = event else {
                        bail!("the task ended without reporting; this is a bug in cowork")
                    };
                    if let Some(summary) = self.on_event(handle, event)? {
                        return Ok(summary);
                    }
                }
                (id, answer) = prompt_answer(&mut self.prompt) => {
                    self.prompt = None;
                    let decision = answer.unwrap_or_else(|e| {
                        eprintln!("  the approval prompt failed: {e:#}; rejected");
                        Decision::Reject {
                            reason: format!("the approval prompt failed: {e:#}"),
                        }
                    });
                    decide(handle, id, decision)?;
                }
                message = stdin_message(&mut self.stdin) => self.on_stdin(handle, message)?,
            }
        }
    }

    fn on_event(&mut self, handle: &TaskHandle, event: Event) -> Result<Option<TaskSummary>> {
        if self.json {
            emit_json(&event)?;
        } else {
            if matches!(event, Event::TaskFinished { .. }) && self.prompt.is_some() {
                // The task ended under an open prompt (Ctrl-C, timeout): leave the prompt line.
                println!();
            }
            self.renderer.event(&event);
        }
        match event {
            Event::ActionProposed { action } if action.needs_decision() => {
                self.ask(handle, *action)?;
            }
            Event::ActionDecided { action, .. } => self.waiting.retain(|id| *id != action),
            Event::TaskFinished { summary, .. } => return Ok(Some(summary)),
            _ => {}
        }
        Ok(None)
    }

    fn ask(&mut self, handle: &TaskHandle, action: ActionProposal) -> Result<()> {
        let decision = match self.answerer {
            Answerer::JsonStdin if self.stdin_closed => Decision::Reject {
                reason: STDIN_CLOSED.into(),
            },
            Answerer::JsonStdin => {
                self.waiting.push(action.id);
                return Ok(());
            }
            Answerer::Fixed(true) => Decision::Approve,
            Answerer::Fixed(false) => Decision::Reject {
                reason: "rejected by --on-ask reject".into(),
            },
            Answerer::NoOne => {
                if !self.json {
                    eprintln!(
                        "  rejected: no terminal to ask on; use --on-ask approve|reject or --json"
                    );
                }
                Decision::Reject {
                    reason:
                        "no person available to approve (no terminal); run with --on-ask or --json"
                            .into(),
                }
            }
            Answerer::Terminal => {
                let id = action.id.clone();
                match spawn_prompt(action) {
                    Ok(answer) => {
                        self.prompt = Some((id, answer));
                        return Ok(());
                    }
                    Err(e) => {
                        eprintln!("  {e:#}; rejected");
                        return decide(
                            handle,
                            id,
                            Decision::Reject {
                                reason: format!("{e:#}"),
                            },
                        );
                    }
                }
            }
        };
        decide(handle, action.id, decision)
    }

    fn on_stdin(&mut self, handle: &TaskHandle, message: StdinMessage) -> Result<()> {
        match message {
            StdinMessage::Decision(id, decision) => {
                self.waiting.retain(|waiting| *waiting != id);
                decide(handle, id, decision)
            }
            StdinMessage::Bad(message) => emit_json(&Event::Error {
                message: format!("bad decision line: {message}"),
            }),
            StdinMessage::End => {
                self.stdin = None;
                self.stdin_closed = true;
                for id in std::mem::take(&mut self.waiting) {
                    decide(
                        handle,
                        id,
                        Decision::Reject {
                            reason: STDIN_CLOSED.into(),
                        },
                    )?;
                }
                Ok(())
            }
        }
    }
}

/// Ask on the terminal from a plain thread that is never joined: it blocks on stdin, and a task
/// that ends meanwhile (Ctrl-C, timeout) must be able to end the process without an answer.
fn spawn_prompt(action: ActionProposal) -> Result<oneshot::Receiver<Result<Decision>>> {
    let (sender, receiver) = oneshot::channel();
    std::thread::Builder::new()
        .name("cowork-prompt".into())
        .spawn(move || {
            let _ = sender.send(prompt::ask(&action));
        })
        .context("cannot start the approval prompt")?;
    Ok(receiver)
}

/// The open prompt's answer; never ready when no prompt is open.
async fn prompt_answer(prompt: &mut Option<OpenPrompt>) -> (ActionId, Result<Decision>) {
    match prompt {
        Some((id, receiver)) => {
            let answer = receiver
                .await
                .unwrap_or_else(|_| Err(anyhow!("the prompt ended without an answer")));
            (id.clone(), answer)
        }
        None => std::future::pending().await,
    }
}

/// The next stdin message; never ready once stdin is done (or in runs that do not read it).
async fn stdin_message(stdin: &mut Option<mpsc::UnboundedReceiver<StdinMessage>>) -> StdinMessage {
    match stdin {
        Some(receiver) => receiver.recv().await.unwrap_or(StdinMessage::End),
        None => std::future::pending().await,
    }
}

/// Answer an ask. A task that is already gone (cancelled or timed out while the ask was open) is
/// not an error: its `task_finished` is still on the way and decides the exit code.
fn decide(handle: &TaskHandle, id: ActionId, decision: Decision) -> Result<()> {
    match handle.decide(id, decision) {
        Ok(()) | Err(CoreError::TaskGone) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn emit_json(event: &Event) -> Result<()> {
    let line = serde_json::to_string(event).context("cannot encode an event")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .context("cannot write to stdout")
}
