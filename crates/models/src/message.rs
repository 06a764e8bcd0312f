use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Assistant,
}

/// One block of a message, shaped after the Anthropic Messages API, which can express
/// everything the OpenAI-compatible format can (the later provider maps it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: serde_json::Value,
    },
    ToolResult {
        tool_use_id: String,
        content: String,
        is_error: bool,
    },
    /// The model's visible reasoning. Must be sent back unchanged (with its signature) in the
    /// assistant message of a tool loop, or the API rejects the conversation.
    Thinking {
        thinking: String,
        signature: String,
    },
    /// Reasoning the provider encrypted; opaque, passed back as it came.
    RedactedThinking {
        data: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: Vec<ContentBlock>,
}

impl Message {
    pub fn user_text(text: impl Into<String>) -> Message {
        Message {
            role: Role::User,
            content: vec![ContentBlock::Text { text: text.into() }],
        }
    }

    /// A user message that starts a task: text only, no tool results.
    pub fn is_task_text(&self) -> bool {
        self.role == Role::User
            && self
                .content
                .iter()
                .all(|b| matches!(b, ContentBlock::Text { .. }))
    }
}

/// A tool as the model sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDef {
    pub name: String,
    pub description: String,
    pub input_schema: serde_json::Value,
}

/// Everything a provider needs for one turn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelRequest {
    pub system: String,
    pub messages: Vec<Message>,
    pub tools: Vec<ToolDef>,
    pub max_output_tokens: u32,
}

impl ModelRequest {
    /// 1-based number of this request within the current task: one more than the assistant
    /// turns since the last message that started a task.
    pub fn turn_in_task(&self) -> usize {
        let start = self
            .messages
            .iter()
            .rposition(Message::is_task_text)
            .map_or(0, |i| i + 1);
        1 + self.messages[start..]
            .iter()
            .filter(|m| m.role == Role::Assistant)
            .count()
    }
}
