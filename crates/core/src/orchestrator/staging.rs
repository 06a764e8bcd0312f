//! Pure helpers of staging an action: input checks, policy facts, the approval hash.

use cowork_models::ToolCall;
use cowork_policy::PathFacts;
use cowork_protocol::{ApprovalMode, Effect};
use cowork_tools::Prepared;

use super::MAX_INPUT_BYTES;

/// The raw model output as a tool input: within the size limit, valid JSON, an object.
pub(super) fn parse_input(call: &ToolCall) -> Result<serde_json::Value, String> {
    if call.input_json.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "the input of {} is {} bytes, over the {MAX_INPUT_BYTES} byte limit for one tool call; split the work into smaller calls",
            call.name,
            call.input_json.len()
        ));
    }
    let value: serde_json::Value = serde_json::from_str(&call.input_json).map_err(|e| {
        format!(
            "the input of {} is not valid JSON ({e}); send one JSON object matching the tool's schema",
            call.name
        )
    })?;
    check_input(&call.name, &value)?;
    Ok(value)
}

/// Limits every input obeys, the model's or the person's modified one.
pub(super) fn check_input(tool: &str, input: &serde_json::Value) -> Result<(), String> {
    if !input.is_object() {
        return Err(format!("the input of {tool} must be a JSON object"));
    }
    let size = input.to_string().len();
    if size > MAX_INPUT_BYTES {
        return Err(format!(
            "the input of {tool} is {size} bytes, over the {MAX_INPUT_BYTES} byte limit"
        ));
    }
    Ok(())
}

/// Whether an ask in this mode waits for the person (plan and unattended never do).
pub(super) fn mode_waits(mode: ApprovalMode) -> bool {
    match mode {
        ApprovalMode::Interactive | ApprovalMode::Auto | ApprovalMode::ReadOnly => true,
        ApprovalMode::Plan | ApprovalMode::Unattended => false,
    }
}

pub(super) fn max_bytes(session: &crate::session::SessionInner) -> u64 {
    session
        .config
        .max_file_size_mb
        .value
        .saturating_mul(1024 * 1024)
}

/// Facts about each path an action touches, in effect order, for policy (types, sizes).
pub(super) fn path_facts(ws: &cowork_fs::Workspace, prepared: &Prepared) -> Vec<PathFacts> {
    let effects = &prepared.effects;
    let mut facts = Vec::new();
    for effect in effects {
        for path in effect.paths() {
            let resolved = ws.resolve(path).ok();
            let meta = resolved
                .as_ref()
                .and_then(|p| ws.metadata(p).ok().flatten());
            let size = match effect {
                Effect::Create { bytes, .. } => *bytes,
                _ => meta.as_ref().map_or(0, |m| m.size),
            };
            let is_dir = meta
                .as_ref()
                .is_some_and(|m| m.kind == cowork_fs::EntryKind::Dir)
                || prepared.folders.iter().any(|f| f == path);
            facts.push(PathFacts {
                is_dir,
                exists: meta.is_some(),
                ext: resolved.as_ref().and_then(|p| p.extension()),
                size,
            });
        }
    }
    facts
}

/// What an approval is bound to: tool, input, resolved effects and preview.
pub(super) fn action_hash(tool: &str, input: &serde_json::Value, prepared: &Prepared) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(tool.as_bytes());
    hasher.update(&[0]);
    hasher.update(input.to_string().as_bytes());
    hasher.update(&[0]);
    hasher.update(
        serde_json::to_string(&prepared.effects)
            .unwrap_or_default()
            .as_bytes(),
    );
    hasher.update(&[0]);
    hasher.update(
        serde_json::to_string(&prepared.preview)
            .unwrap_or_default()
            .as_bytes(),
    );
    hasher.finalize().to_hex()[..16].to_string()
}
