//! `cowork run` / `cowork plan`: build a session, drive one task, answer its asks.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use cowork_core::{Session, SessionStore};
use cowork_models::ModelCatalog;
use cowork_protocol::ApprovalMode;

use crate::UsageError;
use crate::drive::{Answerer, Driver, spawn_stdin_decisions};

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
    /// Base URL of an OpenAI-compatible server (vLLM, llama.cpp, LM Studio…) for --model openai:NAME
    #[arg(long = "base-url", value_name = "URL", env = "OPENAI_BASE_URL")]
    pub base_url: Option<String>,
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
    /// Stop when the task has used this many tokens (input + output)
    #[arg(long = "max-tokens", value_name = "N")]
    pub max_tokens: Option<u64>,
    /// Write the model's turns to FILE as a tape that replays this run with --model tape:FILE
    #[arg(long = "record", value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Continue a stored session (`last` = the most recent): its conversation, folders and
    /// model, unless --folder or --model say otherwise. `cowork sessions` lists them
    #[arg(long = "resume", value_name = "ID|last")]
    pub resume: Option<String>,
}

pub fn run(args: RunArgs, forced_mode: Option<ApprovalMode>) -> Result<u8> {
    // Usage errors first: nothing is read from stdin and no session is built for a bad command line.
    if args.json && args.task == "-" {
        return Err(UsageError::JsonWithStdinTask.into());
    }
    if args.task != "-" && args.task.trim().is_empty() {
        return Err(UsageError::EmptyTask.into());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let code = runtime.block_on(run_async(args, forced_mode));
    // Nothing the runtime still holds (the Ctrl-C listener) may delay the exit.
    runtime.shutdown_background();
    code
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
        return Err(UsageError::EmptyTask.into());
    }
    let session = build_session(&args, forced_mode).await?;

    let answerer = match (&args.on_ask, args.json) {
        (Some(answer), _) => Answerer::Fixed(answer == "approve"),
        (None, true) => Answerer::JsonStdin,
        (None, false) if std::io::stdin().is_terminal() && args.task != "-" => Answerer::Terminal,
        (None, false) => Answerer::NoOne,
    };

    // Listen for Ctrl-C before the task starts (registration happens here, not at a first poll),
    // so an interrupt at any point cancels the task instead of killing the process mid-action.
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .context("cannot listen for Ctrl-C")?;
    let mut handle = session.run(task);
    let canceller = handle.canceller();
    tokio::spawn(async move {
        if interrupt.recv().await.is_some() {
            let _ = canceller.send(true);
        }
    });
    let stdin = match answerer {
        Answerer::JsonStdin => Some(spawn_stdin_decisions()?),
        Answerer::Terminal | Answerer::Fixed(_) | Answerer::NoOne => None,
    };
    let summary = Driver::new(answerer, args.json, stdin)
        .drive(&mut handle)
        .await?;
    Ok(u8::try_from(summary.stop.exit_code()).unwrap_or(1))
}

async fn build_session(args: &RunArgs, forced_mode: Option<ApprovalMode>) -> Result<Session> {
    // A resumed session keeps its model unless --model names another.
    let resumed = match &args.resume {
        Some(id) => {
            let store = SessionStore::open_in(&cowork_core::default_data_dir())?;
            Some(store.session(&store.resolve(id)?)?)
        }
        None => None,
    };
    // Named models come from the [models] tables of the same config layers the session uses.
    let config_dir = match args.folders.first() {
        Some(folder) => absolute(folder.split_once('=').map_or(folder.as_str(), |(_, d)| d))?,
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let config = crate::admin::effective_config(&config_dir, args.config.clone())?;
    let tables: Vec<(toml::Table, String)> = config
        .models
        .iter()
        .map(|t| (t.value.clone(), t.origin.clone()))
        .collect();
    let catalog = ModelCatalog::from_tables(&tables)?;
    let requested = match (args.model.as_deref(), &resumed) {
        (Some(spec), _) => Some(spec.to_string()),
        (None, Some(info)) => Some(info.model.clone()),
        (None, None) => None,
    };
    let resolved = cowork_models::resolve(requested.as_deref(), &catalog, args.base_url.clone())
        .await
        .with_context(|| match (&resumed, args.model.is_none()) {
            (Some(info), true) => format!(
                "session {} used the model {}; pass --model to continue it with another",
                info.id, info.model
            ),
            _ => "cannot choose a model".to_string(),
        })?;
    if !args.json && args.model.is_none() {
        eprintln!("model: {} ({})", resolved.model.info().spec, resolved.how);
    }
    let mut model = resolved.model;
    if let Some(path) = &args.record {
        model = std::sync::Arc::new(cowork_models::RecordingModel::new(model, path)?);
    }
    let mut builder = Session::builder().model(model);
    match &resumed {
        // Without --folder, a resumed session works in its own folders.
        Some(info) => builder = builder.resume(&info.id),
        None if args.folders.is_empty() => {
            builder =
                builder.root(std::env::current_dir().context("cannot read the current directory")?);
        }
        None => {}
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
                .map_err(|e| UsageError::Approval(format!("{e}")))?,
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
    if let Some(tokens) = args.max_tokens {
        builder = builder.max_tokens(tokens);
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
