//! `cowork policy`: check a policy file, or explain the verdict for a described action.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};
use cowork_policy::{PathFacts, PolicyEngine, PolicyRequest};
use cowork_protocol::{ActionKind, ApprovalMode, Effect, EgressChannel};

use crate::admin::effective_config;
use crate::{UsageError, WorkspaceArg};

#[derive(Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Validate a policy/config file (.toml) or a Cedar file (.cedar)
    Check { file: PathBuf },
    /// Show the verdict for a described action, and why
    Explain(ExplainArgs),
}

#[derive(Args)]
struct ExplainArgs {
    /// The action kind, e.g. file_write, email_send
    #[arg(long)]
    kind: String,
    /// The target path (file actions)
    #[arg(long)]
    path: Option<String>,
    /// Size in bytes of the content written or read
    #[arg(long, default_value_t = 0)]
    size: u64,
    /// The egress destination host (web_fetch, email_send, external_share)
    #[arg(long)]
    destination: Option<String>,
    /// Approval mode to evaluate in (default: the configured one)
    #[arg(long)]
    mode: Option<String>,
    /// Evaluate as if untrusted content had entered the task (C4)
    #[arg(long)]
    tainted: bool,
    #[command(flatten)]
    ws: WorkspaceArg,
    /// Print the compiled Cedar policies too
    #[arg(long)]
    cedar: bool,
}

pub fn policy(args: PolicyArgs) -> Result<u8> {
    match args.command {
        PolicyCommand::Check { file } => match cowork_policy::check_file(&file) {
            Ok(report) => {
                println!(
                    "ok: {} — {} rules, {} organization Cedar policies",
                    file.display(),
                    report.rules.len(),
                    report.cedar_policies
                );
                for note in &report.notes {
                    println!("  note: {note}");
                }
                Ok(0)
            }
            Err(e) => {
                eprintln!("{e}");
                Ok(crate::exit::CONFIG)
            }
        },
        PolicyCommand::Explain(a) => {
            let config = effective_config(&a.ws.folder, None)?;
            let engine = PolicyEngine::new(&config)?;
            let kind: ActionKind = a
                .kind
                .parse()
                .map_err(|e| UsageError::Kind(format!("{e}")))?;
            let mode = match &a.mode {
                Some(m) => m
                    .parse::<ApprovalMode>()
                    .map_err(|e| UsageError::Mode(format!("{e}")))?,
                None => config.mode.value,
            };
            let effect = match (&a.destination, &a.path) {
                (Some(dest), _) => Effect::Egress {
                    channel: match kind {
                        ActionKind::EmailSend | ActionKind::EmailDraft => EgressChannel::Email,
                        ActionKind::ExternalShare => EgressChannel::Share,
                        _ => EgressChannel::Web,
                    },
                    destination: dest.clone(),
                    carries_data: true,
                },
                (None, Some(path)) => match kind {
                    ActionKind::FileDelete => Effect::Delete { path: path.clone() },
                    ActionKind::FileWrite
                    | ActionKind::Draft
                    | ActionKind::EmailDraft
                    | ActionKind::CalendarWrite => Effect::Create {
                        path: path.clone(),
                        bytes: a.size,
                    },
                    _ => Effect::Read { path: path.clone() },
                },
                (None, None) => return Err(UsageError::NoTarget.into()),
            };
            let ext = a
                .path
                .as_deref()
                .and_then(|p| Path::new(p).extension())
                .map(|e| format!(".{}", e.to_string_lossy().to_lowercase()));
            let facts: Vec<PathFacts> = effect
                .paths()
                .iter()
                .map(|_| PathFacts {
                    is_dir: false,
                    exists: true,
                    ext: ext.clone(),
                    size: a.size,
                })
                .collect();
            let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
            let effects = [effect];
            let verdict = engine.evaluate(&PolicyRequest {
                user: &user,
                tool: "explain",
                kind,
                effects: &effects,
                facts: &facts,
                mode,
                tainted: a.tainted,
            });
            println!("verdict: {:?}", verdict.decision);
            for (i, rule) in verdict.rules.iter().enumerate() {
                println!(
                    "  rule {rule}: {}",
                    verdict.reasons.get(i).map(String::as_str).unwrap_or("")
                );
            }
            if !verdict.principles.is_empty() {
                println!(
                    "  principles: {}",
                    verdict
                        .principles
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            if a.cedar {
                println!("\n{}", engine.cedar_source());
            }
            Ok(0)
        }
    }
}
