//! `cowork run` / `cowork plan`: build a session, drive one task, answer its asks.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use cowork_core::{Session, TaskHandle};
use cowork_models::ModelSpec;
use cowork_protocol::{ApprovalMode, Decision, DecisionMessage, Event, TaskSummary};

use crate::prompt;
use crate::render::Renderer;

#[derive(Args)]
pub struct RunArgs {
    /// The task in plain words ("-" reads it from stdin)
    pub task: String,
    /// Grant a folder as a root, `[NAME=]DIR` (repeatable; default: the current directory)
    #[arg(short = 'f', long = "folder", value_name = "[NAME=]DIR")]
    pub folders: Vec<String>,
    /// The model: tape:FILE, anthropic:MODEL, openai:MODEL, ollama:MODEL, local:PATH
    #[arg(short = 'm', long = "model", value_name = "SPEC", env = "COWORK_MODEL")]
    pub model: Option<String>,
    /// interactive | auto | unattended | plan | read-only (can only tighten the config)
    #[arg(long = "approval", value_name = "MODE", value_parser = ["interactive", "auto", "unattended", "plan", "read-only"])]
    pub approval: Option<String>,
    /// Answer every ask without a person: approve | reject
    #[arg(long = "on-ask", value_name = "ANSWER", value_parser = ["approve", "reject"])]
    pub on_ask: Option<String>,
    /// An extra config layer (workspace strength)
    #[arg(long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Events as JSONL on stdout; decisions as JSONL on stdin
    #[arg(long)]
    pub json: bool,
    /// Stop after this many actions (can only lower the configured limit)
    #[arg(long = "max-actions", value_name = "N")]
    pub max_actions: Option<u32>,
    /// Stop after this many minutes (can only lower the configured limit)
    #[arg(long = "timeout", value_name = "MINUTES")]
    pub timeout: Option<u32>,
}

/// How asks are answered in this run.
enum Answerer {
    Terminal,
    Fixed(bool),
    JsonStdin,
    /// No terminal and no instruction: reject, never hang.
    NoOne,
}

pub fn run(args: RunArgs, forced_mode: Option<ApprovalMode>) -> Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_async(args, forced_mode))
}

async fn run_async(args: RunArgs, forced_mode: Option<ApprovalMode>) -> Result<u8> {
    let task = if args.task == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the task from stdin")?;
        text
    } else {
        args.task.clone()
    };
    if task.trim().is_empty() {
        bail!("the task is empty: say what cowork should do");
    }
    let session = build_session(&args, forced_mode)?;

    let answerer = if args.json {
        if args.task == "-" {
            bail!("--json reads decisions from stdin, so the task cannot come from stdin too");
        }
        match &args.on_ask {
            Some(answer) => Answerer::Fixed(answer == "approve"),
            None => Answerer::JsonStdin,
        }
    } else if let Some(answer) = &args.on_ask {
        Answerer::Fixed(answer == "approve")
    } else if std::io::stdin().is_terminal() && args.task != "-" {
        Answerer::Terminal
    } else {
        Answerer::NoOne
    };

    let mut handle = session.run(task);
    let canceller = handle.canceller();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = canceller.send(true);
        }
    });
    if matches!(answerer, Answerer::JsonStdin) {
        spawn_stdin_decisions(&handle);
    }
    let summary = drive(&mut handle, &answerer, args.json).await?;
    Ok(u8::try_from(summary.stop.exit_code()).unwrap_or(1))
}

fn build_session(args: &RunArgs, forced_mode: Option<ApprovalMode>) -> Result<Session> {
    let spec = args
        .model
        .as_deref()
        .ok_or(cowork_core::CoreError::NoModel)?;
    let model = ModelSpec::parse(spec)?.build()?;
    let mut builder = Session::builder().model(model);
    if args.folders.is_empty() {
        builder =
            builder.root(std::env::current_dir().context("cannot read the current directory")?);
    }
    for folder in &args.folders {
        builder = match folder.split_once('=') {
            Some((name, dir)) if !name.is_empty() && !name.contains('/') => {
                builder.named_root(name, absolute(dir)?)
            }
            _ => builder.root(absolute(folder)?),
        };
    }
    let mode = match (&args.approval, forced_mode) {
        (_, Some(mode)) => Some(mode),
        (Some(text), None) => Some(
            text.parse::<ApprovalMode>()
                .map_err(|e| anyhow::anyhow!("--approval: {e}"))?,
        ),
        (None, None) => None,
    };
    if let Some(mode) = mode {
        builder = builder.mode(mode);
    }
    if let Some(config) = &args.config {
        builder = builder.config_file(config);
    }
    if let Some(n) = args.max_actions {
        builder = builder.max_actions(n);
    }
    if let Some(minutes) = args.timeout {
        builder = builder.timeout_minutes(minutes);
    }
    Ok(builder.build()?)
}

fn absolute(dir: &str) -> Result<PathBuf> {
    let path = PathBuf::from(dir);
    if path.is_absolute() {
        return Ok(path);
    }
    Ok(std::env::current_dir()
        .context("cannot read the current directory")?
        .join(path))
}

/// Read `{"type":"decision",…}` lines from stdin and hand them to the task.
fn spawn_stdin_decisions(handle: &TaskHandle) {
    let sender = handle.decision_sender();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            if line.trim().is_empty() {
                continue;
            }
            let parsed = serde_json::from_str::<DecisionMessage>(&line)
                .map_err(|e| e.to_string())
                .and_then(DecisionMessage::into_decision);
            match parsed {
                Ok(pair) => {
                    if sender.send(pair).is_err() {
                        break;
                    }
                }
                Err(message) => {
                    let event = Event::Error {
                        message: format!("bad decision line: {message}"),
                    };
                    if let Ok(json) = serde_json::to_string(&event) {
                        println!("{json}");
                    }
                }
            }
        }
    });
}

async fn drive(handle: &mut TaskHandle, answerer: &Answerer, json: bool) -> Result<TaskSummary> {
    let mut renderer = Renderer::new();
    while let Some(event) = handle.next_event().await {
        if json {
            let line = serde_json::to_string(&event).context("cannot encode an event")?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{line}")
                .and_then(|()| out.flush())
                .context("cannot write to stdout")?;
        } else {
            renderer.event(&event);
        }
        match event {
            Event::ActionProposed { action } if action.needs_decision() => {
                let decision = match answerer {
                    Answerer::JsonStdin => continue,
                    Answerer::Fixed(true) => Decision::Approve,
                    Answerer::Fixed(false) => Decision::Reject {
                        reason: "rejected by --on-ask reject".into(),
                    },
                    Answerer::NoOne => {
                        if !json {
                            eprintln!(
                                "  rejected: no terminal to ask on; use --on-ask approve|reject or --json"
                            );
                        }
                        Decision::Reject { reason: "no person available to approve (no terminal); run with --on-ask or --json".into() }
                    }
                    Answerer::Terminal => {
                        let action = *action;
                        let id = action.id.clone();
                        let decision = tokio::task::spawn_blocking(move || prompt::ask(&action))
                            .await
                            .context("the approval prompt failed")??;
                        handle.decide(id, decision)?;
                        continue;
                    }
                };
                handle.decide(action.id.clone(), decision)?;
            }
            Event::TaskFinished { summary, .. } => return Ok(summary),
            _ => {}
        }
    }
    bail!("the task ended without reporting; this is a bug in cowork")
}
