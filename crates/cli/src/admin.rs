//! The workspace and admin commands: undo, history, grants, trash, audit, policy, config.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use cowork_audit::{AuditEntry, AuditKind, AuditLog, AuditOptions, VerifyReport};
use cowork_fs::{RootSpec, UndoTarget, Workspace};
use cowork_policy::{ConfigSources, EffectiveConfig, FlagOverrides};

use crate::WorkspaceArg;
use crate::sanitize::clean;

/// Open a workspace by its default root, with the other roots its sessions used (so that undo and
/// history reach `@NAME/…` changes); roots that no longer exist are left out.
fn open_workspace(dir: &Path) -> Result<Workspace> {
    let path = std::fs::canonicalize(dir)
        .with_context(|| format!("cannot open the folder {}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".into());
    let mut roots = vec![RootSpec {
        name: name.clone(),
        path: path.clone(),
    }];
    for other in cowork_core::remembered_roots(&path.join(".cowork")) {
        if other.name != name && other.path != path && other.path.is_dir() {
            roots.push(RootSpec {
                name: other.name,
                path: other.path,
            });
        }
    }
    Ok(Workspace::open(roots, &[])?)
}

pub(crate) fn effective_config(dir: &Path, extra: Option<PathBuf>) -> Result<EffectiveConfig> {
    let sources = ConfigSources::discover(dir);
    let layers = cowork_policy::load_layers(
        &sources,
        &FlagOverrides {
            mode: None,
            extra_config: extra,
        },
    )?;
    Ok(cowork_policy::merge(&layers)?)
}

fn audit_path(config: &EffectiveConfig) -> PathBuf {
    cowork_audit::configured_audit_path(config.audit_path.value.as_deref())
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).context("cannot encode JSON")?
    );
    Ok(())
}

#[derive(Args)]
pub struct UndoArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// Undo this task (default: the last task)
    #[arg(long, conflicts_with = "action")]
    task: Option<String>,
    /// Undo only this action
    #[arg(long)]
    action: Option<String>,
    /// Undo even where you changed a file since; your version is backed up first
    #[arg(long)]
    force: bool,
}

pub fn undo(args: UndoArgs) -> Result<u8> {
    let ws = open_workspace(&args.ws.folder)?;
    let target = match (args.task, args.action) {
        (Some(task), _) => UndoTarget::Task(task),
        (None, Some(action)) => UndoTarget::Action(action),
        (None, None) => UndoTarget::LastTask,
    };
    // The audit log is opened before anything is restored: an undo that cannot be recorded must
    // not happen, or the log would no longer account for the files on disk.
    let config = effective_config(&args.ws.folder, None)?;
    let log = if config.audit_enabled.value {
        let path = audit_path(&config);
        let log = AuditLog::open(
            &path,
            AuditOptions {
                include_content: false,
                retention_days: None,
            },
        )
        .with_context(|| {
            format!(
                "nothing was undone: the audit log {} cannot be opened; fix or move it \
                 (`cowork audit verify {}` checks it) and run undo again",
                path.display(),
                path.display()
            )
        })?;
        Some(log)
    } else {
        None
    };
    let report = match ws.undo(target, args.force) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("cowork: {}", clean(&e.to_string()));
            return Ok(crate::exit::FAILED);
        }
    };
    if let Some(log) = &log {
        for action in &report.actions {
            log.append(AuditEntry {
                kind: AuditKind::ActionUndone,
                user: std::env::var("USER").unwrap_or_else(|_| "unknown".into()),
                session: "cli".into(),
                task: report.task.clone(),
                action: Some(action.clone()),
                tool: None,
                effects: None,
                verdict: None,
                decided_by: Some(cowork_protocol::DecidedBy::User),
                content: None,
                detail: Some(
                    serde_json::json!({ "force": args.force, "restored": report.restored }),
                ),
            })?;
        }
    }
    if report.actions.is_empty() {
        println!("nothing to undo");
    } else {
        println!(
            "undid {} action(s){}",
            report.actions.len(),
            report
                .task
                .as_deref()
                .map(|t| format!(" of task {t}"))
                .unwrap_or_default()
        );
        for path in &report.restored {
            println!("  restored {}", clean(path));
        }
        for (path, blob) in &report.forced_backups {
            println!(
                "  your version of {} was kept as backup {blob}",
                clean(path)
            );
        }
    }
    Ok(0)
}

#[derive(Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    /// Show only this task
    #[arg(long)]
    task: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn history(args: HistoryArgs) -> Result<u8> {
    let ws = open_workspace(&args.ws.folder)?;
    let mut tasks = ws.history()?;
    if let Some(task) = &args.task {
        tasks.retain(|t| &t.task == task);
        if tasks.is_empty() {
            bail!(
                "no task {task} in the journal of {}",
                args.ws.folder.display()
            );
        }
    }
    if args.json {
        print_json(&tasks)?;
        return Ok(0);
    }
    if tasks.is_empty() {
        println!("no changes recorded in {}", args.ws.folder.display());
    }
    for task in &tasks {
        println!("task {} · {}", task.task, task.started);
        for action in &task.actions {
            println!(
                "  action {}{}",
                action.action,
                if action.undone { " (undone)" } else { "" }
            );
            for op in &action.ops {
                // Journal paths are file names the model chose: print them inert.
                println!("    {}", clean(&describe_op(op)));
            }
        }
    }
    Ok(0)
}

fn describe_op(op: &cowork_fs::JournalOp) -> String {
    use cowork_fs::JournalOp;
    match op {
        JournalOp::Created { path, .. } => format!("created {path}"),
        JournalOp::CreatedDir { path } => format!("created folder {path}"),
        // `get` and not slicing: a byte index inside a multi-byte character would panic.
        JournalOp::Modified { path, before, .. } => format!(
            "modified {path} (backup {})",
            before.get(..12).unwrap_or(before)
        ),
        JournalOp::Deleted { path, trash, .. } => format!("deleted {path} (in trash: {trash})"),
        JournalOp::Moved { from, to } => format!("moved {from} -> {to}"),
    }
}

#[derive(Args)]
pub struct GrantsArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    #[command(subcommand)]
    command: Option<GrantsCommand>,
}

#[derive(Subcommand)]
enum GrantsCommand {
    /// List the workspace's standing approvals
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke one grant
    Revoke { id: String },
}

pub fn grants(args: GrantsArgs) -> Result<u8> {
    let ws = open_workspace(&args.ws.folder)?;
    let root = ws
        .roots()
        .iter()
        .find(|r| r.default)
        .map(|r| r.path.clone())
        .unwrap_or_default();
    let mut store = cowork_core::GrantStore::load(&cowork_core::default_data_dir(), &root)?;
    match args.command.unwrap_or(GrantsCommand::List { json: false }) {
        GrantsCommand::List { json: true } => print_json(&store.list())?,
        GrantsCommand::List { json: false } => {
            if store.list().is_empty() {
                println!("no grants");
            }
            for g in store.list() {
                println!(
                    "{}  {} on {}  ({}, expires {})",
                    g.id,
                    g.kind,
                    g.pattern,
                    g.scope.as_str(),
                    g.expires.as_deref().unwrap_or("never")
                );
            }
        }
        GrantsCommand::Revoke { id } => {
            let grant = store.revoke(&id)?;
            println!("revoked {} ({} on {})", grant.id, grant.kind, grant.pattern);
        }
    }
    Ok(0)
}

#[derive(Args)]
pub struct TrashArgs {
    #[command(flatten)]
    ws: WorkspaceArg,
    #[command(subcommand)]
    command: Option<TrashCommand>,
}

#[derive(Subcommand)]
enum TrashCommand {
    /// What is in the trash
    List,
    /// Delete the trash permanently (the only permanent delete in cowork)
    Empty,
}

pub fn trash(args: TrashArgs) -> Result<u8> {
    let ws = open_workspace(&args.ws.folder)?;
    match args.command.unwrap_or(TrashCommand::List) {
        TrashCommand::List => {
            let entries = ws.trash_list()?;
            if entries.is_empty() {
                println!("the trash is empty");
            }
            for e in entries {
                println!(
                    "{}  (task {}, action {})  {}",
                    e.original,
                    e.task,
                    e.action,
                    e.trash_path.display()
                );
            }
        }
        TrashCommand::Empty => println!("removed {} item(s) from the trash", ws.trash_empty()?),
    }
    Ok(0)
}

#[derive(Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exit 1 naming the first bad record
    Verify { path: Option<PathBuf> },
    /// Print the records
    Show {
        #[arg(long)]
        path: Option<PathBuf>,
        /// Only this task
        #[arg(long)]
        task: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Export the records (jsonl or csv) to stdout
    Export {
        #[arg(long)]
        path: Option<PathBuf>,
        #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "csv"])]
        format: String,
    },
}

fn default_log() -> Result<PathBuf> {
    Ok(audit_path(&effective_config(Path::new("."), None)?))
}

pub fn audit(args: AuditArgs) -> Result<u8> {
    match args.command {
        AuditCommand::Verify { path } => {
            let path = match path {
                Some(p) => p,
                None => default_log()?,
            };
            match cowork_audit::verify(&path)? {
                VerifyReport::Intact {
                    records,
                    first_seq,
                    last_seq,
                } => {
                    println!(
                        "ok: {} intact ({records} records, seq {first_seq}..{last_seq})",
                        path.display()
                    );
                    Ok(0)
                }
                VerifyReport::Broken {
                    seq,
                    problem,
                    detail,
                } => {
                    println!(
                        "TAMPERED: {}: first bad record seq {seq}: {problem:?}: {detail}",
                        path.display()
                    );
                    Ok(crate::exit::FAILED)
                }
            }
        }
        AuditCommand::Show { path, task, json } => {
            let path = match path {
                Some(p) => p,
                None => default_log()?,
            };
            let mut records = cowork_audit::read_records(&path)?;
            if let Some(task) = &task {
                records.retain(|r| r.task.as_deref() == Some(task));
            }
            for r in &records {
                if json {
                    println!(
                        "{}",
                        serde_json::to_string(r).context("cannot encode a record")?
                    );
                } else {
                    let verdict = r
                        .verdict
                        .as_ref()
                        .map(|v| format!(" {:?} by {}", v.decision, v.rules.join(",")))
                        .unwrap_or_default();
                    let decided = r
                        .decided_by
                        .map(|d| format!(" decided_by={d:?}"))
                        .unwrap_or_default();
                    println!(
                        "{:>5} {} {:<16} {} {} {}{}{}",
                        r.seq,
                        r.ts,
                        r.kind.as_str(),
                        r.task.as_deref().unwrap_or("-"),
                        r.action.as_deref().unwrap_or("-"),
                        r.tool.as_deref().unwrap_or(""),
                        verdict,
                        decided
                    );
                }
            }
            Ok(0)
        }
        AuditCommand::Export { path, format } => {
            let path = match path {
                Some(p) => p,
                None => default_log()?,
            };
            let records = cowork_audit::read_records(&path)?;
            let stdout = std::io::stdout();
            if format == "csv" {
                cowork_audit::export_csv(&records, stdout.lock())
                    .context("cannot write the export")?;
            } else {
                for r in &records {
                    println!(
                        "{}",
                        serde_json::to_string(r).context("cannot encode a record")?
                    );
                }
            }
            Ok(0)
        }
    }
}

#[derive(Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// The effective config, each value with the layer it came from
    Show {
        #[command(flatten)]
        ws: WorkspaceArg,
        /// An extra config layer, as `run --config`
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

pub fn config(args: ConfigArgs) -> Result<u8> {
    match args.command {
        ConfigCommand::Show { ws, config, json } => {
            let effective = effective_config(&ws.folder, config)?;
            let rows = effective.show();
            if json {
                let items: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|(k, v, l)| serde_json::json!({ "key": k, "value": v, "layer": l }))
                    .collect();
                print_json(&serde_json::json!({ "values": items, "notes": effective.notes }))?;
            } else {
                let width = rows
                    .iter()
                    .map(|(k, v, _)| k.len() + v.len() + 3)
                    .max()
                    .unwrap_or(0);
                for (key, value, layer) in &rows {
                    let kv = format!("{key} = {value}");
                    println!("{kv:<width$}  # {layer}");
                }
                for note in &effective.notes {
                    println!("# note: {note}");
                }
            }
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use cowork_fs::JournalOp;

    use super::describe_op;

    #[test]
    fn describe_op_shortens_any_backup_name_without_panicking() {
        let op = |before: &str| JournalOp::Modified {
            path: "a.md".into(),
            before: before.into(),
            after: String::new(),
        };
        assert_eq!(
            describe_op(&op("0123456789abcdef")),
            "modified a.md (backup 0123456789ab)"
        );
        assert_eq!(describe_op(&op("abc")), "modified a.md (backup abc)");
        // Byte 12 falls inside a two-byte character: shown whole rather than cut.
        let odd = "aéééééé";
        assert_eq!(
            describe_op(&op(odd)),
            format!("modified a.md (backup {odd})")
        );
    }
}
