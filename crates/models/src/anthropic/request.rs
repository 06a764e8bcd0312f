//! [`ModelRequest`] → Messages API request body.

use serde_json::{Value, json};

use crate::{ContentBlock, Message, ModelRequest, Role};

/// Used when neither the request nor the configuration sets an output limit.
const FALLBACK_MAX_TOKENS: u32 = 4096;

/// The streaming request body.
///
/// Prompt caching: tools, then system, form a prefix that is identical on every turn of a task,
/// so the last tool and the system block carry `cache_control` breakpoints (and the end of the
/// conversation a third); later turns read that prefix from cache at a fraction of the price.
pub(super) fn body(model: &str, config_max_tokens: u32, request: &ModelRequest) -> Value {
    let max_tokens = match (request.max_output_tokens, config_max_tokens) {
        (0, 0) => FALLBACK_MAX_TOKENS,
        (0, cap) => cap,
        (wanted, 0) => wanted,
        (wanted, cap) => wanted.min(cap),
    };
    let mut messages: Vec<Value> = request.messages.iter().map(message).collect();
    // A third breakpoint at the end of the conversation: in a tool loop each turn resends
    // everything before it, so the next turn reads all of it from cache. Thinking blocks cannot
    // carry `cache_control`, hence only text and tool results.
    if let Some(last) = messages
        .last_mut()
        .and_then(|m| m["content"].as_array_mut())
        .and_then(|blocks| blocks.last_mut())
        && matches!(last["type"].as_str(), Some("text" | "tool_result"))
    {
        last["cache_control"] = json!({"type": "ephemeral"});
    }
    let mut body = json!({
        "model": model,
        "max_tokens": max_tokens,
        "stream": true,
        "messages": messages,
    });
    // The API rejects an empty system text block, so an empty system prompt is left out.
    if !request.system.is_empty() {
        body["system"] = json!([{
            "type": "text",
            "text": request.system,
            "cache_control": {"type": "ephemeral"},
        }]);
    }
    if !request.tools.is_empty() {
        let mut tools: Vec<Value> = request
            .tools
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "description": t.description,
                    "input_schema": t.input_schema,
                })
            })
            .collect();
        if let Some(last) = tools.last_mut() {
            last["cache_control"] = json!({"type": "ephemeral"});
        }
        body["tools"] = Value::Array(tools);
    }
    body
}

fn message(message: &Message) -> Value {
    let role = match message.role {
        Role::User => "user",
        Role::Assistant => "assistant",
    };
    let mut blocks: Vec<&ContentBlock> = message
        .content
        .iter()
        // The API rejects empty text blocks; they carry nothing anyway.
        .filter(|b| !matches!(b, ContentBlock::Text { text } if text.is_empty()))
        .collect();
    if message.role == Role::User {
        // The API requires tool results to open the user message, before any text.
        // `sort_by_key` is stable, so each group keeps its order.
        blocks.sort_by_key(|b| !matches!(b, ContentBlock::ToolResult { .. }));
    }
    json!({
        "role": role,
        "content": blocks.into_iter().map(block).collect::<Vec<_>>(),
    })
}

fn block(block: &ContentBlock) -> Value {
    match block {
        ContentBlock::Text { text } => json!({"type": "text", "text": text}),
        ContentBlock::ToolUse { id, name, input } => {
            // `input` must be an object on the wire; the core stores `{}` for malformed input,
            // and anything else would get the whole conversation rejected.
            let input = if input.is_object() {
                input.clone()
            } else {
                json!({})
            };
            json!({"type": "tool_use", "id": id, "name": name, "input": input})
        }
        ContentBlock::ToolResult {
            tool_use_id,
            content,
            is_error,
        } => {
            let mut result = json!({
                "type": "tool_result",
                "tool_use_id": tool_use_id,
                "content": content,
            });
            if *is_error {
                result["is_error"] = json!(true);
            }
            result
        }
        ContentBlock::Thinking {
            thinking,
            signature,
        } => json!({"type": "thinking", "thinking": thinking, "signature": signature}),
        ContentBlock::RedactedThinking { data } => {
            json!({"type": "redacted_thinking", "data": data})
        }
    }
}
