//! Messages API server-sent events → [`ModelEvent`]s.
//!
//! Text is forwarded as it streams; tool calls and thinking blocks are emitted whole when their
//! block stops; usage and the stop reason come at `message_stop`. A stream that ends before
//! `message_stop` is an error, never a silently shortened turn.

use std::collections::{HashMap, VecDeque};

use futures::{Stream, StreamExt};
use serde_json::Value;

use crate::http::SseEvent;
use crate::{ContentBlock, ModelError, ModelEvent, StopReason, ToolCall};

/// Decode a stream of SSE events into model events. After an error item the stream ends.
pub(super) fn events(
    sse: impl Stream<Item = Result<SseEvent, ModelError>> + Send + 'static,
) -> impl Stream<Item = Result<ModelEvent, ModelError>> + Send {
    struct State<S> {
        sse: S,
        decoder: Decoder,
        ready: VecDeque<ModelEvent>,
        done: bool,
    }
    let state = State {
        sse: Box::pin(sse),
        decoder: Decoder::default(),
        ready: VecDeque::new(),
        done: false,
    };
    futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(event) = st.ready.pop_front() {
                return Some((Ok(event), st));
            }
            if st.done {
                return None;
            }
            let error = match st.sse.next().await {
                Some(Ok(event)) => match st.decoder.event(&event) {
                    Ok(events) => {
                        st.ready.extend(events);
                        // After message_stop nothing more belongs to this turn.
                        st.done = st.decoder.finished;
                        continue;
                    }
                    Err(error) => error,
                },
                Some(Err(error)) => error,
                None => ModelError::Stream {
                    message: format!(
                        "anthropic closed the stream before message_stop (after {} events); \
                         the turn is incomplete and will be retried",
                        st.decoder.seen
                    ),
                    retryable: true,
                },
            };
            st.done = true;
            return Some((Err(error), st));
        }
    })
}

/// A content block being streamed.
#[derive(Debug)]
enum Block {
    Text,
    ToolUse {
        id: String,
        name: String,
        json: String,
        /// `input` from content_block_start, used when no `input_json_delta` follows.
        initial: Value,
    },
    Thinking {
        thinking: String,
        signature: String,
    },
    RedactedThinking {
        data: String,
    },
    /// Server-side tools and block types we do not use: tracked so their deltas are accepted.
    Other,
}

#[derive(Debug, Default)]
struct Decoder {
    blocks: HashMap<u64, Block>,
    usage: cowork_protocol::Usage,
    stop: Option<StopReason>,
    tool_calls: usize,
    seen: usize,
    finished: bool,
}

fn malformed(what: &str, data: &str) -> ModelError {
    let mut shown: String = data.chars().take(200).collect();
    if shown.len() < data.len() {
        shown.push('…');
    }
    ModelError::Stream {
        message: format!("anthropic sent a malformed {what}: `{shown}`"),
        retryable: false,
    }
}

fn str_at<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

impl Decoder {
    fn event(&mut self, sse: &SseEvent) -> Result<Vec<ModelEvent>, ModelError> {
        self.seen += 1;
        let data: Value = serde_json::from_str(&sse.data)
            .map_err(|_| malformed("event (not JSON)", &sse.data))?;
        // The JSON `type` is authoritative; the `event:` line is a copy of it.
        let kind = data
            .get("type")
            .and_then(Value::as_str)
            .or(sse.event.as_deref())
            .unwrap_or_default();
        let mut out = Vec::new();
        match kind {
            "message_start" => {
                if let Some(usage) = data.get("message").and_then(|m| m.get("usage")) {
                    self.merge_usage(usage);
                }
            }
            "content_block_start" => {
                let index = self.index(&data, &sse.data)?;
                let block = data
                    .get("content_block")
                    .ok_or_else(|| malformed("content_block_start", &sse.data))?;
                let block = match str_at(block, "type") {
                    "text" => {
                        let text = str_at(block, "text");
                        if !text.is_empty() {
                            out.push(ModelEvent::TextDelta(text.to_string()));
                        }
                        Block::Text
                    }
                    "tool_use" => Block::ToolUse {
                        id: str_at(block, "id").to_string(),
                        name: str_at(block, "name").to_string(),
                        json: String::new(),
                        initial: block.get("input").cloned().unwrap_or(Value::Null),
                    },
                    "thinking" => Block::Thinking {
                        thinking: str_at(block, "thinking").to_string(),
                        signature: str_at(block, "signature").to_string(),
                    },
                    "redacted_thinking" => Block::RedactedThinking {
                        data: str_at(block, "data").to_string(),
                    },
                    _ => Block::Other,
                };
                self.blocks.insert(index, block);
            }
            "content_block_delta" => {
                let index = self.index(&data, &sse.data)?;
                let delta = data
                    .get("delta")
                    .ok_or_else(|| malformed("content_block_delta", &sse.data))?;
                let block = self.blocks.get_mut(&index).ok_or_else(|| {
                    malformed("delta for a block that was never started", &sse.data)
                })?;
                match (block, str_at(delta, "type")) {
                    (Block::Text, "text_delta") => {
                        let text = str_at(delta, "text");
                        if !text.is_empty() {
                            out.push(ModelEvent::TextDelta(text.to_string()));
                        }
                    }
                    (Block::ToolUse { json, .. }, "input_json_delta") => {
                        json.push_str(str_at(delta, "partial_json"));
                    }
                    (Block::Thinking { thinking, .. }, "thinking_delta") => {
                        thinking.push_str(str_at(delta, "thinking"));
                    }
                    (Block::Thinking { signature, .. }, "signature_delta") => {
                        signature.push_str(str_at(delta, "signature"));
                    }
                    // Citations and deltas of blocks we do not use carry nothing we keep.
                    _ => {}
                }
            }
            "content_block_stop" => {
                let index = self.index(&data, &sse.data)?;
                let block = self.blocks.remove(&index).ok_or_else(|| {
                    malformed("stop for a block that was never started", &sse.data)
                })?;
                out.extend(self.finish_block(block));
            }
            "message_delta" => {
                // `stop_reason` is null until the end; only a string counts.
                if let Some(reason) = data
                    .get("delta")
                    .and_then(|d| d.get("stop_reason"))
                    .and_then(Value::as_str)
                {
                    self.stop = Some(stop_reason(reason));
                }
                if let Some(usage) = data.get("usage") {
                    self.merge_usage(usage);
                }
            }
            "message_stop" => {
                self.finished = true;
                let stop = self.stop.clone().unwrap_or(if self.tool_calls > 0 {
                    StopReason::ToolUse
                } else {
                    StopReason::EndTurn
                });
                out.push(ModelEvent::Usage(self.usage));
                out.push(ModelEvent::Stop(stop));
            }
            "error" => return Err(stream_error(&data)),
            // `ping` keeps the connection alive; unknown events are new API features we can
            // ignore (the API promises they are additive).
            _ => {}
        }
        Ok(out)
    }

    fn index(&self, data: &Value, raw: &str) -> Result<u64, ModelError> {
        data.get("index")
            .and_then(Value::as_u64)
            .ok_or_else(|| malformed("event without a block index", raw))
    }

    fn finish_block(&mut self, block: Block) -> Option<ModelEvent> {
        match block {
            Block::Text | Block::Other => None,
            Block::ToolUse {
                id,
                name,
                json,
                initial,
            } => {
                self.tool_calls += 1;
                // A tool without arguments streams one empty `partial_json` (or none at all).
                let input_json = if !json.trim().is_empty() {
                    json
                } else if initial.as_object().is_some_and(|o| !o.is_empty()) {
                    initial.to_string()
                } else {
                    "{}".to_string()
                };
                Some(ModelEvent::ToolCall(ToolCall {
                    id,
                    name,
                    input_json,
                }))
            }
            Block::Thinking {
                thinking,
                signature,
            } => Some(ModelEvent::Thinking(ContentBlock::Thinking {
                thinking,
                signature,
            })),
            Block::RedactedThinking { data } => {
                Some(ModelEvent::Thinking(ContentBlock::RedactedThinking {
                    data,
                }))
            }
        }
    }

    /// Usage in `message_delta` is cumulative and may restate or correct `message_start`'s, so
    /// each present field replaces the earlier value. Anthropic's `input_tokens` excludes
    /// cached tokens, which are counted separately.
    fn merge_usage(&mut self, usage: &Value) {
        let field = |key: &str| usage.get(key).and_then(Value::as_u64);
        if let Some(n) = field("input_tokens") {
            self.usage.input_tokens = n;
        }
        if let Some(n) = field("output_tokens") {
            self.usage.output_tokens = n;
        }
        if let Some(n) = field("cache_read_input_tokens") {
            self.usage.cache_read_tokens = n;
        }
        if let Some(n) = field("cache_creation_input_tokens") {
            self.usage.cache_write_tokens = n;
        }
    }
}

fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "tool_use" => StopReason::ToolUse,
        "max_tokens" | "model_context_window_exceeded" => StopReason::MaxTokens,
        "pause_turn" => StopReason::PauseTurn,
        "refusal" => StopReason::Refusal,
        // end_turn, stop_sequence, and reasons added later: the model is done talking.
        _ => StopReason::EndTurn,
    }
}

/// An `error` event after the 200: the SSE form of a 529/429/500.
fn stream_error(data: &Value) -> ModelError {
    let error = data.get("error").unwrap_or(&Value::Null);
    let kind = str_at(error, "type");
    let message = str_at(error, "message");
    // Overload, rate limits and internal errors pass with time, like their HTTP statuses.
    let retryable = matches!(kind, "overloaded_error" | "rate_limit_error" | "api_error");
    let advice = if retryable {
        "the turn will be retried"
    } else {
        "the turn cannot be completed as sent"
    };
    ModelError::Stream {
        message: format!("anthropic reported {kind} mid-stream: {message}; {advice}"),
        retryable,
    }
}
