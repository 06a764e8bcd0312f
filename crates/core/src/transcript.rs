//! The session's conversation, with where each message lives in the store, and the repair of a
//! conversation that ends with tool calls whose results were never sent.

use cowork_models::{ContentBlock, Message, Role};

/// The conversation so far. Messages are numbered in the store (`seq`) as they are added; a
/// compaction replaces a prefix with one summary message that has no seq of its own (the store
/// keeps it with the compaction).
#[derive(Debug, Default)]
pub(crate) struct Transcript {
    pub messages: Vec<Message>,
    seqs: Vec<Option<i64>>,
    /// The task each message belongs to (for resume: which task's actions answer a tool call).
    tasks: Vec<Option<String>>,
    next_seq: i64,
}

impl Transcript {
    pub fn from_loaded(loaded: crate::store::Loaded) -> Transcript {
        Transcript {
            messages: loaded.messages,
            seqs: loaded.seqs,
            tasks: loaded.tasks,
            next_seq: loaded.next_seq,
        }
    }

    /// Add a message; returns its store seq.
    pub fn push(&mut self, message: Message, task: Option<&str>) -> i64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.messages.push(message);
        self.seqs.push(Some(seq));
        self.tasks.push(task.map(str::to_string));
        seq
    }

    /// The store seq of message `i` (`None` for a summary or past the end).
    pub fn seq_of(&self, i: usize) -> Option<i64> {
        self.seqs.get(i).copied().flatten()
    }

    /// The task message `i` belongs to.
    pub fn task_of(&self, i: usize) -> Option<&str> {
        self.tasks.get(i).and_then(|t| t.as_deref())
    }

    /// Replace the messages before `cut` by `head` (a summary or a note).
    pub fn replace_prefix(&mut self, cut: usize, head: Message) {
        let cut = cut.min(self.messages.len());
        self.messages.splice(..cut, [head]);
        self.seqs.splice(..cut, [None]);
        self.tasks.splice(..cut, [None]);
    }

    /// The tool calls of the last message that have no result yet, when the last message is the
    /// assistant's (a task stopped, or the process died, between a turn and its results).
    pub fn unanswered(&self) -> Vec<String> {
        match self.messages.last() {
            Some(last) if last.role == Role::Assistant => last
                .content
                .iter()
                .filter_map(|b| match b {
                    ContentBlock::ToolUse { id, .. } => Some(id.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The result for an unanswered call: the one it got (`done`), else "not run".
pub(crate) fn result_for(id: &str, done: &[ContentBlock], not_run: &str) -> ContentBlock {
    done.iter()
        .find(|r| matches!(r, ContentBlock::ToolResult { tool_use_id, .. } if tool_use_id == id))
        .cloned()
        .unwrap_or_else(|| ContentBlock::ToolResult {
            tool_use_id: id.to_string(),
            content: not_run.to_string(),
            is_error: true,
        })
}
