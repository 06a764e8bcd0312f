//! `cowork`: run tasks in your folders with a model, approve what it proposes, undo, audit.

mod admin;
mod docs_cmd;
mod drive;
mod outline;
mod policy_cmd;
mod prompt;
mod render;
mod run;
mod sanitize;
mod sessions;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cowork",
    version,
    about = "An AI coworker that works in your folders — asking before it changes anything."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a task ("-" reads the task from stdin)
    Run(run::RunArgs),
    /// Plan a task without side effects (= run --approval plan)
    Plan(run::RunArgs),
    /// Revert the last task, one task, or one action
    Undo(admin::UndoArgs),
    /// Show the tasks and actions recorded in a workspace's journal
    History(admin::HistoryArgs),
    /// List or revoke standing approvals (grants) of a workspace
    Grants(admin::GrantsArgs),
    /// Verify, show or export the audit log
    Audit(admin::AuditArgs),
    /// Check a policy file or explain a verdict
    Policy(policy_cmd::PolicyArgs),
    /// Show the effective configuration
    Config(admin::ConfigArgs),
    /// List or empty the workspace trash
    Trash(admin::TrashArgs),
    /// List, show or delete stored sessions (continue one with `run --resume ID`)
    Sessions(sessions::SessionsArgs),
    /// Print a document (pdf, docx, pptx, xlsx, csv, eml, ics, html …) as Markdown or JSON
    Read(docs_cmd::ReadArgs),
    /// Convert a document: any readable file to .md; Markdown or any document to .docx/.pptx; tables to .xlsx/.csv
    Convert(docs_cmd::ConvertArgs),
}

/// `-f DIR`: the workspace's default root (default: the current directory).
#[derive(Args, Clone)]
pub struct WorkspaceArg {
    #[arg(short = 'f', long = "folder", value_name = "DIR", default_value = ".")]
    pub folder: PathBuf,
}

/// Exit codes (DESIGN.md §10).
pub mod exit {
    pub const FAILED: u8 = 1;
    pub const CONFIG: u8 = 2;
}

/// The command line asks for something that cannot be done as given; exits 2 (DESIGN.md §10),
/// and nothing has been started or changed when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("the task is empty: say what cowork should do, e.g. `cowork run \"tidy my notes\"`")]
    EmptyTask,
    #[error(
        "--json reads decisions from stdin, so the task cannot come from stdin too: \
         pass the task as an argument, or drop --json"
    )]
    JsonWithStdinTask,
    #[error("--approval: {0}")]
    Approval(String),
    #[error("--kind: {0}")]
    Kind(String),
    #[error("--mode: {0}")]
    Mode(String),
    #[error("describe the target with --path PATH or --destination HOST")]
    NoTarget,
    #[error("{0}")]
    Invalid(String),
}

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args, None),
        Command::Plan(args) => run::run(args, Some(cowork_protocol::ApprovalMode::Plan)),
        Command::Undo(args) => admin::undo(args),
        Command::History(args) => admin::history(args),
        Command::Grants(args) => admin::grants(args),
        Command::Audit(args) => admin::audit(args),
        Command::Policy(args) => policy_cmd::policy(args),
        Command::Config(args) => admin::config(args),
        Command::Trash(args) => admin::trash(args),
        Command::Sessions(args) => sessions::sessions(args),
        Command::Read(args) => docs_cmd::read(args),
        Command::Convert(args) => docs_cmd::convert(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Errors can quote file names and model output: print them inert.
            eprintln!("cowork: {}", sanitize::clean(&format!("{e:#}")));
            ExitCode::from(exit_code_for(&e))
        }
    }
}

/// Rust ignores SIGPIPE, so `cowork audit show | head` would panic on a closed pipe; restore the
/// default so a closed reader simply ends the program, as with any Unix tool.
fn restore_sigpipe() {
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is always valid.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Usage, configuration and workspace problems exit 2; anything else failed (1).
fn exit_code_for(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        // A session id that names nothing is a usage error like any other bad argument.
        let unknown_session = matches!(
            cause.downcast_ref::<cowork_core::StoreError>(),
            Some(cowork_core::StoreError::NoSession(_) | cowork_core::StoreError::Empty)
        );
        if unknown_session
            || cause.downcast_ref::<UsageError>().is_some()
            || cause.downcast_ref::<cowork_policy::PolicyError>().is_some()
            || cause.downcast_ref::<cowork_models::ModelError>().is_some()
            || matches!(
                cause.downcast_ref::<cowork_core::CoreError>(),
                Some(
                    cowork_core::CoreError::Config(_)
                        | cowork_core::CoreError::NoRoots
                        | cowork_core::CoreError::NoModel
                        | cowork_core::CoreError::Workspace(_)
                        | cowork_core::CoreError::AuditInsideRoot { .. }
                        | cowork_core::CoreError::Privacy(_)
                        | cowork_core::CoreError::Store(
                            cowork_core::StoreError::NoSession(_) | cowork_core::StoreError::Empty
                        )
                )
            )
        {
            return exit::CONFIG;
        }
    }
    exit::FAILED
}
