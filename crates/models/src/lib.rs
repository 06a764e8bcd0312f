//! The `Model` trait the task loop talks to, and its providers.
//!
//! A model turn is a stream of [`ModelEvent`]s: text deltas, complete tool calls, usage and a stop
//! reason. Providers (the tape now; Anthropic and OpenAI-compatible servers next) translate their
//! wire formats into it, so the core never sees a provider's quirks.

mod anthropic;
mod build;
mod catalog;
mod configured;
mod error;
pub mod http;
mod message;
mod openai;
mod record;
mod resolve;
mod spec;
mod tape;

use std::pin::Pin;

use futures::Stream;

pub use anthropic::{AnthropicConfig, AnthropicModel};
pub use build::{EnvLookup, build_entry};
pub use catalog::{Constrain, ModelCatalog, ModelEntry, Price, Provider};
pub use configured::ConfiguredModel;
pub use error::ModelError;
pub use http::HttpSettings;
pub use message::{ContentBlock, Message, ModelRequest, Role, ToolDef};
pub use openai::{OpenAiConfig, OpenAiModel};
pub use record::RecordingModel;
pub use resolve::{Resolved, probe_ollama, resolve, resolve_with};
pub use spec::ModelSpec;
pub use tape::{Tape, TapeCall, TapeModel, TapeTurn};

/// Why the model stopped its turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// The model finished; a turn without tool calls ends the task.
    EndTurn,
    /// The model wants its tool calls run.
    ToolUse,
    /// The output limit cut the turn.
    MaxTokens,
    /// The model declined to continue.
    Refusal,
    /// The server paused a long turn; the loop should ask again.
    PauseTurn,
}

/// A complete tool call. `input_json` is the raw JSON text the model produced: the core parses
/// it, so malformed input becomes an error the model can read, not a crash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub input_json: String,
}

/// One piece of a streamed model turn.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelEvent {
    TextDelta(String),
    ToolCall(ToolCall),
    /// A completed `ContentBlock::Thinking` or `ContentBlock::RedactedThinking`, to be put back
    /// intact (before the text and tool calls) in the assistant message that records the turn.
    Thinking(ContentBlock),
    Usage(cowork_protocol::Usage),
    Stop(StopReason),
}

pub type ModelStream = Pin<Box<dyn Stream<Item = Result<ModelEvent, ModelError>> + Send>>;

/// Facts about a model endpoint that policy needs (C4 `local_processing_only`, data residency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    /// e.g. `tape:demo.yaml`, `anthropic:claude-sonnet-4-5`.
    pub spec: String,
    /// True when no data leaves the machine.
    pub local: bool,
    pub region: Option<String>,
}

/// A model provider. `stream` starts one turn; errors (connection, HTTP, malformed stream) arrive
/// as items of the stream so that a provider can report partial output before failing.
pub trait Model: Send + Sync {
    fn info(&self) -> ModelInfo;
    fn stream(&self, request: &ModelRequest) -> ModelStream;

    /// Tokens the model can see at once (prompt and output), when known: the budget for
    /// compaction.
    fn context_window(&self) -> Option<u64> {
        None
    }

    /// The most output tokens one turn may ask for, when configured.
    fn max_output_tokens(&self) -> Option<u32> {
        None
    }

    /// The configured price, for cost estimates.
    fn price(&self) -> Option<Price> {
        None
    }
}
