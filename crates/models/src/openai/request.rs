//! The Chat Completions request body built from our Anthropic-shaped messages.

use serde_json::{Value, json};

use super::constrain;
use crate::{Constrain, ContentBlock, Message, ModelRequest, Role};

/// The JSON body of one streaming `POST {base}/chat/completions`.
///
/// `max_tokens` is the request's own limit when it sets one, else the configured default.
/// With `constrain` and tools, the output is held to [`constrain::schema`] and the system
/// prompt says so (a grammar only masks tokens; the model must still be told the format).
pub(crate) fn chat_body(
    model: &str,
    default_max_tokens: u32,
    constrain: Constrain,
    request: &ModelRequest,
) -> Value {
    let constrained = constrain != Constrain::None && !request.tools.is_empty();
    let mut messages = Vec::new();
    let system = if constrained {
        constrain::with_instructions(&request.system)
    } else {
        request.system.clone()
    };
    if !system.is_empty() {
        messages.push(json!({"role": "system", "content": system}));
    }
    for message in &request.messages {
        push_message(&mut messages, message);
    }
    let max_tokens = if request.max_output_tokens > 0 {
        request.max_output_tokens
    } else {
        default_max_tokens
    };
    let mut body = json!({
        "model": model,
        "messages": messages,
        "stream": true,
        // Without this the server never reports token usage on a stream.
        "stream_options": {"include_usage": true},
        "max_tokens": max_tokens,
    });
    // An empty `tools` array is rejected by several servers, so leave the key out instead.
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|tool| {
                json!({
                    "type": "function",
                    "function": {
                        "name": tool.name,
                        "description": tool.description,
                        "parameters": tool.input_schema,
                    }
                })
            })
            .collect();
        body["tools"] = Value::Array(tools);
    }
    if constrained {
        body["response_format"] = constrain::response_format(constrain, &request.tools);
    }
    body
}

/// One of our messages becomes one or more Chat Completions messages: each tool result is its
/// own `role: tool` message, and those must directly follow the assistant message that made the
/// calls, so they go before any user text of the same message.
fn push_message(out: &mut Vec<Value>, message: &Message) {
    let mut texts: Vec<&str> = Vec::new();
    let mut calls: Vec<Value> = Vec::new();
    for block in &message.content {
        match block {
            ContentBlock::Text { text } => texts.push(text),
            ContentBlock::ToolUse { id, name, input } => calls.push(json!({
                "id": id,
                "type": "function",
                // The wire format wants the arguments as a JSON *string*.
                "function": {"name": name, "arguments": input.to_string()},
            })),
            ContentBlock::ToolResult {
                tool_use_id,
                content,
                is_error,
            } => {
                // The tool role has no error flag; the prefix is how the model learns it failed.
                let content = if *is_error {
                    format!("ERROR: {content}")
                } else {
                    content.clone()
                };
                out.push(json!({"role": "tool", "tool_call_id": tool_use_id, "content": content}));
            }
            // Anthropic's signed reasoning means nothing to these servers, and Chat Completions
            // has no field to carry it back.
            ContentBlock::Thinking { .. } | ContentBlock::RedactedThinking { .. } => {}
        }
    }
    let text = texts.join("\n\n");
    match message.role {
        Role::Assistant => {
            let mut assistant = json!({"role": "assistant", "content": text});
            if !calls.is_empty() {
                assistant["tool_calls"] = Value::Array(calls);
            }
            out.push(assistant);
        }
        // A user message cannot carry tool calls (our messages never put them there); it is
        // sent when it has text, or when it has nothing else so turns keep alternating.
        Role::User => {
            let only_results = message.content.iter().all(|b| {
                matches!(
                    b,
                    ContentBlock::ToolResult { .. }
                        | ContentBlock::Thinking { .. }
                        | ContentBlock::RedactedThinking { .. }
                )
            });
            if !texts.is_empty() || !only_results || message.content.is_empty() {
                out.push(json!({"role": "user", "content": text}));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ToolDef;

    #[test]
    fn maps_tool_use_results_and_tools() {
        let request = ModelRequest {
            system: "be brief".into(),
            messages: vec![
                Message::user_text("go"),
                Message {
                    role: Role::Assistant,
                    content: vec![
                        ContentBlock::Text {
                            text: "reading".into(),
                        },
                        ContentBlock::ToolUse {
                            id: "c1".into(),
                            name: "read".into(),
                            input: json!({"path": "a"}),
                        },
                        ContentBlock::ToolUse {
                            id: "c2".into(),
                            name: "read".into(),
                            input: json!({}),
                        },
                    ],
                },
                Message {
                    role: Role::User,
                    content: vec![
                        ContentBlock::ToolResult {
                            tool_use_id: "c1".into(),
                            content: "A".into(),
                            is_error: false,
                        },
                        ContentBlock::ToolResult {
                            tool_use_id: "c2".into(),
                            content: "no such file".into(),
                            is_error: true,
                        },
                    ],
                },
            ],
            tools: vec![ToolDef {
                name: "read".into(),
                description: "Read a file".into(),
                input_schema: json!({"type": "object"}),
            }],
            max_output_tokens: 0,
        };
        let body = chat_body("m", 99, Constrain::None, &request);
        assert_eq!(
            body,
            json!({
                "model": "m",
                "stream": true,
                "stream_options": {"include_usage": true},
                "max_tokens": 99,
                "messages": [
                    {"role": "system", "content": "be brief"},
                    {"role": "user", "content": "go"},
                    {"role": "assistant", "content": "reading", "tool_calls": [
                        {"id": "c1", "type": "function", "function": {"name": "read", "arguments": "{\"path\":\"a\"}"}},
                        {"id": "c2", "type": "function", "function": {"name": "read", "arguments": "{}"}},
                    ]},
                    {"role": "tool", "tool_call_id": "c1", "content": "A"},
                    {"role": "tool", "tool_call_id": "c2", "content": "ERROR: no such file"},
                ],
                "tools": [{"type": "function", "function": {"name": "read", "description": "Read a file", "parameters": {"type": "object"}}}],
            })
        );
    }
}
