//! `--record FILE`: keep a model's turns as a tape (DESIGN.md §9) that replays the run with
//! `--model tape:FILE` — how users report bugs and how regression tests are made.
//!
//! The tape is rewritten after every completed turn, so a crash keeps what was recorded. A turn
//! whose stream failed is not recorded (the core asks again, and the retry is what gets kept).
//! Tape turns count per task, so a tape replays the first task of a session.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use serde_json::{Value, json};

use crate::{Model, ModelError, ModelEvent, ModelInfo, ModelRequest, ModelStream};

/// Wraps a model and records what it says.
pub struct RecordingModel {
    inner: Arc<dyn Model>,
    path: PathBuf,
    turns: Arc<Mutex<Vec<Value>>>,
}

impl RecordingModel {
    /// Record `inner`'s turns into `path` (created or replaced; checked writable now, not at the end).
    pub fn new(inner: Arc<dyn Model>, path: &Path) -> Result<RecordingModel, ModelError> {
        let recorder = RecordingModel {
            inner,
            path: path.to_path_buf(),
            turns: Arc::new(Mutex::new(Vec::new())),
        };
        write_tape(&recorder.path, &[])?;
        Ok(recorder)
    }
}

impl Model for RecordingModel {
    fn info(&self) -> ModelInfo {
        self.inner.info()
    }

    fn context_window(&self) -> Option<u64> {
        self.inner.context_window()
    }

    fn max_output_tokens(&self) -> Option<u32> {
        self.inner.max_output_tokens()
    }

    fn price(&self) -> Option<crate::Price> {
        self.inner.price()
    }

    fn stream(&self, request: &ModelRequest) -> ModelStream {
        let turns = self.turns.clone();
        let path = self.path.clone();
        let mut turn = TurnRecord::default();
        let inner = self.inner.stream(request);
        Box::pin(inner.map(move |item| {
            let Ok(event) = &item else { return item };
            if let ModelEvent::TextDelta(text) = event {
                turn.say.push_str(text);
            } else if let ModelEvent::ToolCall(call) = event {
                let mut entry = json!({ "tool": call.name, "id": call.id });
                match serde_json::from_str::<Value>(&call.input_json) {
                    Ok(input) => entry["input"] = input,
                    Err(_) => entry["input_raw"] = Value::String(call.input_json.clone()),
                }
                turn.calls.push(entry);
            } else if let ModelEvent::Usage(usage) = event {
                turn.input_tokens += usage.input_tokens;
                turn.output_tokens += usage.output_tokens;
            } else if let ModelEvent::Stop(_) = event {
                let finished = std::mem::take(&mut turn).into_tape_turn();
                let recorded = turns.lock().map(|mut all| {
                    all.push(finished);
                    all.clone()
                });
                if let Ok(all) = recorded
                    && let Err(e) = write_tape(&path, &all)
                {
                    return Err(e);
                }
            }
            item
        }))
    }
}

#[derive(Default)]
struct TurnRecord {
    say: String,
    calls: Vec<Value>,
    input_tokens: u64,
    output_tokens: u64,
}

impl TurnRecord {
    fn into_tape_turn(self) -> Value {
        let mut turn = json!({});
        if !self.say.is_empty() {
            turn["say"] = Value::String(self.say);
        }
        if !self.calls.is_empty() {
            turn["call"] = Value::Array(self.calls);
        }
        turn["usage"] =
            json!({ "input_tokens": self.input_tokens, "output_tokens": self.output_tokens });
        turn
    }
}

/// Write the tape atomically: a temporary file beside it, then a rename.
fn write_tape(path: &Path, turns: &[Value]) -> Result<(), ModelError> {
    let fail = |e: String| ModelError::TapeFormat {
        path: path.to_path_buf(),
        message: format!("cannot record: {e}"),
    };
    let text =
        serde_yaml::to_string(&json!({ "turns": turns })).map_err(|e| fail(e.to_string()))?;
    let header = "# Recorded by `cowork run --record`; replay with --model tape:FILE\n";
    let tmp = path.with_extension("recording.tmp");
    std::fs::write(&tmp, format!("{header}{text}")).map_err(|e| fail(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| fail(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Message, Tape, TapeModel};

    #[test]
    fn a_recording_replays_the_same_turns() {
        let original = r#"
turns:
  - say: "Looking first."
    call:
      - {tool: list_dir, input: {path: "."}}
      - {tool: read_file, input_raw: "{broken"}
    usage: {input_tokens: 10, output_tokens: 5}
  - say: "Done."
"#;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rec.yaml");
        let source = Arc::new(TapeModel::from_tape(
            "o.yaml",
            Tape::parse(original, Path::new("o.yaml")).unwrap(),
        ));
        let recorder = RecordingModel::new(source.clone(), &out).unwrap();
        let replay_events = |model: &dyn Model, req: &ModelRequest| {
            futures::executor::block_on(
                model
                    .stream(req)
                    .map(|r| r.map_err(|e| e.to_string()))
                    .collect::<Vec<_>>(),
            )
        };
        let mut req = ModelRequest {
            messages: vec![Message::user_text("go")],
            ..Default::default()
        };
        let first = replay_events(&recorder, &req);
        req.messages.push(Message {
            role: crate::Role::Assistant,
            content: vec![],
        });
        let second = replay_events(&recorder, &req);

        let replayed = TapeModel::load(&out).unwrap();
        let mut req2 = ModelRequest {
            messages: vec![Message::user_text("go")],
            ..Default::default()
        };
        assert_eq!(replay_events(&replayed, &req2), first);
        req2.messages.push(Message {
            role: crate::Role::Assistant,
            content: vec![],
        });
        assert_eq!(replay_events(&replayed, &req2), second);
    }
}
