//! One streamed Chat Completions turn: `data:` chunks in, [`ModelEvent`]s out.

use cowork_protocol::Usage;
use serde_json::Value;

use super::shim::TextGate;
use crate::{ModelError, ModelEvent, StopReason, ToolCall};

/// A tool call being assembled from its deltas. Servers key the deltas by `index`: the id and
/// name arrive first and the arguments in pieces, several calls may interleave, and some
/// servers send a whole call in one delta.
#[derive(Debug)]
struct Slot {
    index: u64,
    id: String,
    name: String,
    arguments: String,
}

/// What a turn has received so far.
#[derive(Debug)]
pub(crate) struct Turn {
    provider: &'static str,
    slots: Vec<Slot>,
    gate: TextGate,
    finish_reason: Option<String>,
    usage: Option<Usage>,
    refused: bool,
    done: bool,
}

impl Turn {
    /// `constrained`: the request held the output to the tool schema (`constrain`), so a
    /// whole-message `{"answer": ...}` is the reply text.
    pub(crate) fn new(provider: &'static str, tool_names: Vec<String>, constrained: bool) -> Turn {
        Turn {
            provider,
            slots: Vec::new(),
            gate: TextGate::new(tool_names).constrained(constrained),
            finish_reason: None,
            usage: None,
            refused: false,
            done: false,
        }
    }

    /// Whether `[DONE]` has arrived.
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// Takes one SSE `data` payload; returns the events it releases now (text deltas).
    pub(crate) fn on_data(&mut self, data: &str) -> Result<Vec<ModelEvent>, ModelError> {
        let data = data.trim();
        if data == "[DONE]" {
            self.done = true;
            return Ok(Vec::new());
        }
        if data.is_empty() {
            return Ok(Vec::new());
        }
        let chunk: Value = serde_json::from_str(data).map_err(|e| ModelError::Stream {
            message: format!(
                "{} sent a chunk that is not JSON ({e}): {}",
                self.provider,
                clip(data)
            ),
            retryable: true,
        })?;
        if let Some(error) = chunk.get("error").filter(|e| !e.is_null()) {
            return Err(midstream_error(self.provider, error));
        }
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            self.usage = Some(parse_usage(usage));
        }
        let mut events = Vec::new();
        // We never ask for `n > 1`, so only the first choice exists.
        let Some(choice) = chunk
            .get("choices")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
        else {
            return Ok(events);
        };
        if let Some(delta) = choice.get("delta") {
            // `reasoning_content` / `reasoning` are the model thinking aloud: not shown as text.
            if let Some(text) = delta.get("content").and_then(Value::as_str) {
                push_text(&mut events, self.gate.push(text));
            }
            if let Some(text) = delta.get("refusal").and_then(Value::as_str) {
                self.refused = true;
                push_text(&mut events, text.to_string());
            }
            if let Some(calls) = delta.get("tool_calls").and_then(Value::as_array) {
                for call in calls {
                    self.on_tool_delta(call);
                }
            }
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish_reason = Some(reason.to_string());
        }
        Ok(events)
    }

    fn on_tool_delta(&mut self, call: &Value) {
        let id = call.get("id").and_then(Value::as_str).unwrap_or("");
        let function = call.get("function");
        let name = function
            .and_then(|f| f.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let arguments = function
            .and_then(|f| f.get("arguments"))
            .map(|a| match a {
                Value::String(s) => s.clone(),
                // A few servers send the arguments as an object rather than a string.
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .unwrap_or_default();
        let position = match call.get("index").and_then(Value::as_u64) {
            Some(index) => self
                .slots
                .iter()
                .position(|s| s.index == index)
                .unwrap_or_else(|| {
                    self.slots.push(Slot::new(index));
                    self.slots.len() - 1
                }),
            // Without an index: a new id starts a call, anything else continues the last one.
            None => match self.slots.iter().position(|s| !id.is_empty() && s.id == id) {
                Some(p) => p,
                None if !id.is_empty() || self.slots.is_empty() => {
                    let index = self.slots.iter().map(|s| s.index + 1).max().unwrap_or(0);
                    self.slots.push(Slot::new(index));
                    self.slots.len() - 1
                }
                None => self.slots.len() - 1,
            },
        };
        let Some(slot) = self.slots.get_mut(position) else {
            return;
        };
        if slot.id.is_empty() {
            slot.id = id.to_string();
        }
        // Some servers repeat the name on every delta; it is never sent in pieces.
        if slot.name.is_empty() {
            slot.name = name.to_string();
        }
        slot.arguments.push_str(&arguments);
    }

    /// Ends the turn: remaining text, the tool calls, usage and the stop reason. A stream that
    /// stops with neither `[DONE]` nor a finish reason was cut off.
    pub(crate) fn finish(self) -> Result<Vec<ModelEvent>, ModelError> {
        if !self.done && self.finish_reason.is_none() {
            return Err(ModelError::Stream {
                message: format!(
                    "{} closed the stream before the turn finished; try again",
                    self.provider
                ),
                retryable: true,
            });
        }
        let mut events = Vec::new();
        let native = !self.slots.is_empty();
        let (text, shim_calls) = self.gate.finish(native);
        push_text(&mut events, text);
        let mut calls = Vec::new();
        for mut slot in self.slots {
            if slot.name.is_empty() {
                return Err(ModelError::Stream {
                    message: format!(
                        "{} sent tool call #{} without a name; try again",
                        self.provider, slot.index
                    ),
                    retryable: true,
                });
            }
            if slot.id.is_empty() {
                slot.id = generated_id();
            }
            // A call without arguments is a call with an empty object.
            if slot.arguments.trim().is_empty() {
                slot.arguments = "{}".into();
            }
            calls.push(ToolCall {
                id: slot.id,
                name: slot.name,
                input_json: slot.arguments,
            });
        }
        calls.extend(shim_calls.into_iter().map(|c| ToolCall {
            id: generated_id(),
            name: c.name,
            input_json: c.input_json,
        }));
        let stop = match self.finish_reason.as_deref() {
            Some("length") => StopReason::MaxTokens,
            Some("content_filter") => StopReason::Refusal,
            _ if self.refused => StopReason::Refusal,
            // Some servers say `stop` even when they made calls; the calls decide.
            _ if !calls.is_empty() => StopReason::ToolUse,
            Some(_) | None => StopReason::EndTurn,
        };
        events.extend(calls.into_iter().map(ModelEvent::ToolCall));
        if let Some(usage) = self.usage {
            events.push(ModelEvent::Usage(usage));
        }
        events.push(ModelEvent::Stop(stop));
        Ok(events)
    }
}

impl Slot {
    fn new(index: u64) -> Slot {
        Slot {
            index,
            id: String::new(),
            name: String::new(),
            arguments: String::new(),
        }
    }
}

fn push_text(events: &mut Vec<ModelEvent>, text: String) {
    if !text.is_empty() {
        events.push(ModelEvent::TextDelta(text));
    }
}

/// `prompt_tokens` counts cached tokens too; like Anthropic's `input_tokens`, ours does not, so
/// input + cache read is the whole prompt for every provider.
fn parse_usage(usage: &Value) -> Usage {
    let number = |v: Option<&Value>| v.and_then(Value::as_u64).unwrap_or(0);
    let prompt = number(usage.get("prompt_tokens"));
    let cached = number(usage.pointer("/prompt_tokens_details/cached_tokens"));
    Usage {
        input_tokens: prompt.saturating_sub(cached),
        output_tokens: number(usage.get("completion_tokens")),
        cache_read_tokens: cached,
        cache_write_tokens: 0,
    }
}

/// An `error` object (or Ollama's bare string) after the 200: the turn failed.
fn midstream_error(provider: &'static str, error: &Value) -> ModelError {
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .or_else(|| error.as_str())
        .unwrap_or("no message");
    let kind = [error.get("type"), error.get("code")]
        .into_iter()
        .flatten()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/");
    // Only a request the server rejects outright would fail the same way again.
    let retryable = !(kind.contains("invalid_request")
        || kind.contains("context_length")
        || kind.contains("content_filter")
        || kind.contains("400"));
    let kind = if kind.is_empty() {
        String::new()
    } else {
        format!(" ({kind})")
    };
    ModelError::Stream {
        message: format!("{provider} reported an error during the stream{kind}: {message}"),
        retryable,
    }
}

fn generated_id() -> String {
    format!("call_{:016x}", fastrand::u64(..))
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
