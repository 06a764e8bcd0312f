//! `cowork sessions`: list, show and delete the sessions kept in the session store.

use anyhow::Result;
use clap::{Args, Subcommand};
use cowork_core::{
    ActionInfo, ActionStatus, SessionInfo, SessionStore, StoredMessage, TaskInfo, TaskStatus,
};
use cowork_models::ContentBlock;

use crate::render::Style;
use crate::sanitize::clean;

#[derive(Args)]
#[command(after_help = "Sessions live in $XDG_DATA_HOME/cowork/sessions.db. \
    Continue one with `cowork run --resume ID TASK` (or `--resume last`).")]
pub struct SessionsArgs {
    #[command(subcommand)]
    command: Option<SessionsCommand>,
    /// Print the list as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum SessionsCommand {
    /// List sessions, most recently active first (the default)
    List {
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// Show a session's tasks and actions (`last` = the most recent session)
    Show {
        #[arg(value_name = "ID|last")]
        id: String,
        /// Print as JSON (with the conversation)
        #[arg(long)]
        json: bool,
        /// Also print the conversation, message by message
        #[arg(long)]
        transcript: bool,
    },
    /// Delete a session's record: conversation, tasks and actions. Files, the journal (undo)
    /// and the audit log are not touched
    Delete {
        #[arg(value_name = "ID|last")]
        id: String,
    },
}

pub fn sessions(args: SessionsArgs) -> Result<u8> {
    let store = SessionStore::open_in(&cowork_core::default_data_dir())?;
    match args
        .command
        .unwrap_or(SessionsCommand::List { json: args.json })
    {
        SessionsCommand::List { json } => list(&store, json || args.json)?,
        SessionsCommand::Show {
            id,
            json,
            transcript,
        } => show(&store, &store.resolve(&id)?, json || args.json, transcript)?,
        SessionsCommand::Delete { id } => {
            let id = store.resolve(&id)?;
            store.delete(&id)?;
            println!("deleted session {}", clean(&id));
        }
    }
    Ok(0)
}

fn list(store: &SessionStore, json: bool) -> Result<()> {
    let sessions = store.list()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&sessions)?);
        return Ok(());
    }
    if sessions.is_empty() {
        println!("no sessions yet; start one with `cowork run TASK`");
        return Ok(());
    }
    println!(
        "{:<10}  {:<16}  {:>5}  {:<32}  TITLE",
        "ID", "UPDATED (UTC)", "TASKS", "FOLDERS"
    );
    for s in &sessions {
        println!(
            "{:<10}  {:<16}  {:>5}  {:<32}  {}",
            clean(&s.id),
            short_time(&s.updated),
            s.tasks,
            shorten(&roots(s), 32),
            shorten(&s.title, 60)
        );
    }
    Ok(())
}

fn show(store: &SessionStore, id: &str, json: bool, transcript: bool) -> Result<()> {
    let detail = store.detail(id)?;
    if json {
        let messages = store.messages(id)?;
        let value = serde_json::json!({
            "session": detail.session,
            "tasks": detail.tasks,
            "compactions": detail.compactions,
            "transcript": store.transcript(id)?,
            "messages": messages,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    let s = Style::detect();
    let info = &detail.session;
    println!(
        "{} {} · model {} · {}{}",
        s.bold("session"),
        clean(&info.id),
        clean(&info.model),
        clean(&info.user),
        if info.tainted {
            " · holds untrusted content"
        } else {
            ""
        }
    );
    println!(
        "  created {} · updated {} · folders {}",
        short_time(&info.created),
        short_time(&info.updated),
        clean(&roots(info))
    );
    for task in &detail.tasks {
        print_task(task, s);
    }
    if !detail.compactions.is_empty() {
        let summarized = detail.compactions.iter().filter(|c| c.summarized).count();
        println!(
            "compacted {} time(s) to fit the model's context ({} summarized, {} dropped)",
            detail.compactions.len(),
            summarized,
            detail.compactions.len() - summarized
        );
    }
    if transcript {
        println!("\n{}", s.bold("conversation (every recorded message):"));
        for message in store.messages(id)? {
            print_message(&message);
        }
    }
    println!(
        "{}",
        s.dim(&format!(
            "continue it with: cowork run --resume {} TASK",
            clean(&info.id)
        ))
    );
    Ok(())
}

fn print_task(task: &TaskInfo, s: Style) {
    let status = match task.status {
        TaskStatus::Finished => s.green("finished"),
        TaskStatus::Running => s.cyan("running"),
        TaskStatus::Limit => s.yellow("stopped by a limit"),
        TaskStatus::Cancelled => s.yellow("cancelled"),
        TaskStatus::Failed => s.red("failed"),
        TaskStatus::Interrupted => s.red("interrupted (cowork stopped mid-task)"),
    };
    println!(
        "\n{} {} {} · {} · {} · {} in / {} out tokens{}",
        s.bold("task"),
        task.seq,
        clean(&task.id),
        status,
        short_time(&task.started),
        task.usage.input_tokens + task.usage.cache_read_tokens + task.usage.cache_write_tokens,
        task.usage.output_tokens,
        task.cost.map_or(String::new(), |c| format!(" · ~${c:.4}"))
    );
    println!("  “{}”", shorten(&task.text, 200));
    for action in &task.actions {
        print_action(action, s);
    }
    if let Some(summary) = task.summary.as_deref().filter(|t| !t.is_empty()) {
        println!("  {} {}", s.dim("said:"), shorten(summary, 200));
    }
}

fn print_action(action: &ActionInfo, s: Style) {
    let status = match action.status {
        ActionStatus::Executed => s.green("executed"),
        ActionStatus::Failed => s.red("failed"),
        ActionStatus::Skipped => s.yellow("not run"),
        ActionStatus::Interrupted => s.red("interrupted"),
        ActionStatus::Proposed | ActionStatus::Decided | ActionStatus::Executing => {
            s.cyan("in progress")
        }
    };
    let decided = match (&action.decision, action.decided_by) {
        (Some(decision), Some(by)) => format!(" · {} by {}", decided(decision), by_name(by)),
        _ => String::new(),
    };
    println!(
        "  {} {} · {}{} · {}",
        clean(&action.id),
        clean(&action.tool),
        status,
        decided,
        shorten(action.description.as_deref().unwrap_or(&action.input), 100)
    );
    let rejected = match &action.decision {
        Some(cowork_protocol::Decision::Reject { reason }) => Some(reason.as_str()),
        _ => None,
    };
    if let Some(reason) = rejected {
        println!("    reason: {}", shorten(reason, 160));
    }
}

fn print_message(stored: &StoredMessage) {
    let role = match stored.message.role {
        cowork_models::Role::User => "user",
        cowork_models::Role::Assistant => "assistant",
    };
    for block in &stored.message.content {
        let line = match block {
            ContentBlock::Text { text } => format!("{role}: {text}"),
            ContentBlock::ToolUse { name, input, .. } => format!("{role} calls {name} {input}"),
            ContentBlock::ToolResult {
                tool_use_id,
                content,
                is_error,
            } => {
                let source = match stored.labels.results.get(tool_use_id) {
                    Some(cowork_protocol::Provenance::Untrusted { source }) => {
                        format!("untrusted: {source}")
                    }
                    Some(cowork_protocol::Provenance::Trusted) | None => "trusted".into(),
                };
                let error = if *is_error { ", error" } else { "" };
                format!("result ({source}{error}): {content}")
            }
            ContentBlock::Thinking { .. } | ContentBlock::RedactedThinking { .. } => {
                format!("{role} (thinking)")
            }
        };
        println!("  [{}] {}", stored.seq, shorten(&line, 300));
    }
}

fn decided(decision: &cowork_protocol::Decision) -> String {
    match decision {
        cowork_protocol::Decision::Approve => "approved".into(),
        cowork_protocol::Decision::ApproveFor { scope } => {
            format!("approved for the {}", scope.as_str())
        }
        cowork_protocol::Decision::Modify { .. } => "modified".into(),
        cowork_protocol::Decision::Reject { .. } => "rejected".into(),
    }
}

fn by_name(by: cowork_protocol::DecidedBy) -> &'static str {
    match by {
        cowork_protocol::DecidedBy::Policy => "policy",
        cowork_protocol::DecidedBy::User => "the person",
        cowork_protocol::DecidedBy::Grant => "a grant",
        cowork_protocol::DecidedBy::Mode => "the mode",
    }
}

/// The folders, default first, the others as `@NAME`.
fn roots(info: &SessionInfo) -> String {
    let mut roots: Vec<String> = info
        .roots
        .iter()
        .filter(|r| r.default)
        .map(|r| r.path.display().to_string())
        .collect();
    roots.extend(
        info.roots
            .iter()
            .filter(|r| !r.default)
            .map(|r| format!("@{}={}", r.name, r.path.display())),
    );
    roots.join(", ")
}

/// `2025-01-31T12:34:56.789Z` → `2025-01-31 12:34`.
fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

/// One line, at most `max` characters, made safe to print.
fn shorten(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    let more = text.lines().nth(1).is_some() || line.chars().count() > max;
    let mut out: String = line.chars().take(max.saturating_sub(1)).collect();
    if more {
        out.push('…');
    }
    clean(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_keeps_one_safe_line() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("first\nsecond", 10), "first…");
        assert_eq!(shorten("abcdefghijkl", 5), "abcd…");
        assert!(!shorten("a\u{1b}[2Kb", 20).contains('\u{1b}'));
        assert_eq!(short_time("2025-01-31T12:34:56.789Z"), "2025-01-31 12:34");
        assert_eq!(short_time("bad"), "bad");
    }
}
