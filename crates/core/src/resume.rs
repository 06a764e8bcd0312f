//! Resuming a stored session: its roots, and its transcript made whole again after a crash.
//!
//! A process killed mid-task leaves the transcript ending with the model's tool calls and no
//! results (results are recorded when the turn's calls are done). Each such call is answered from
//! the store's record of its action: an action that ran gets the result it produced — it is never
//! run again; one that did not run is reported as not run, so the model may propose it again,
//! which asks again.

use cowork_fs::{RootSpec, Workspace};
use cowork_models::{ContentBlock, Message, Role};
use cowork_protocol::Provenance;

use crate::CoreError;
use crate::store::{ActionInfo, ActionStatus, MessageLabels, SessionInfo, SessionStore};
use crate::transcript::Transcript;

const NOT_RUN: &str = "not run: the session stopped (cowork exited) before this action ran. \
    Propose it again if it is still needed; it will be checked and asked for again.";

/// The stored roots, default first, as the builder takes them.
pub(crate) fn roots_of(info: &SessionInfo) -> Vec<RootSpec> {
    let mut roots: Vec<&crate::store::StoredRoot> = info.roots.iter().collect();
    roots.sort_by_key(|r| !r.default);
    roots
        .into_iter()
        .map(|r| RootSpec {
            name: r.name.clone(),
            path: r.path.clone(),
        })
        .collect()
}

/// Take the session over (tasks that were running are marked interrupted) and load its
/// transcript, answering every tool call a crash left open.
pub(crate) fn transcript(
    store: &SessionStore,
    id: &str,
    workspace: &Workspace,
) -> Result<Transcript, CoreError> {
    store.claim(id)?;
    let mut transcript = Transcript::from_loaded(store.load(id)?);
    let open = transcript.unanswered();
    if open.is_empty() {
        return Ok(transcript);
    }
    let last = transcript.messages.len() - 1;
    let task = transcript.task_of(last).map(str::to_string);
    let mut content = Vec::new();
    let mut labels = MessageLabels::default();
    for tool_use_id in &open {
        let action = match &task {
            Some(task) => store.action_for(task, tool_use_id)?,
            None => None,
        };
        let (text, is_error, provenance) = answer(store, workspace, action.as_ref())?;
        if let Some(provenance) = provenance {
            labels.results.insert(tool_use_id.clone(), provenance);
        }
        content.push(ContentBlock::ToolResult {
            tool_use_id: tool_use_id.clone(),
            content: text,
            is_error,
        });
    }
    let message = Message {
        role: Role::User,
        content,
    };
    let seq = transcript.push(message.clone(), task.as_deref());
    store.append_message(id, seq, task.as_deref(), &message, &labels)?;
    Ok(transcript)
}

/// The tool result for a call the crash left open, from its action's record.
fn answer(
    store: &SessionStore,
    workspace: &Workspace,
    action: Option<&ActionInfo>,
) -> Result<(String, bool, Option<Provenance>), CoreError> {
    let Some(action) = action else {
        return Ok((NOT_RUN.to_string(), true, Some(Provenance::Trusted)));
    };
    let recorded = action.outcome.clone().unwrap_or_default();
    Ok(match action.status {
        ActionStatus::Executed => (
            format!(
                "{recorded}\n[cowork: this action ran before the session stopped; this is its result. \
                 It was not run again.]"
            ),
            action.is_error.unwrap_or(false),
            action.provenance.clone(),
        ),
        // Refused, skipped or failed: the model gets the answer it would have got.
        ActionStatus::Failed | ActionStatus::Skipped | ActionStatus::Interrupted => {
            (recorded, true, Some(Provenance::Trusted))
        }
        ActionStatus::Proposed | ActionStatus::Decided => {
            store.settle_action(&action.id, NOT_RUN)?;
            (NOT_RUN.to_string(), true, Some(Provenance::Trusted))
        }
        ActionStatus::Executing => {
            // The tool journals each change before making it: no journal entry, no change.
            let changed = workspace.history()?.iter().any(|t| {
                t.actions
                    .iter()
                    .any(|a| a.action == action.id && !a.ops.is_empty())
            });
            let text = if changed {
                format!(
                    "interrupted: the session stopped while this action ran; it may have completed only \
                     partly. Check the files it touches before doing anything else (the person can \
                     revert it with `cowork undo --action {}`). It was not run again.",
                    action.id
                )
            } else {
                NOT_RUN.to_string()
            };
            store.settle_action(&action.id, &text)?;
            (text, true, Some(Provenance::Trusted))
        }
    })
}
