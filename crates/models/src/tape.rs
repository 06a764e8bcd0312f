//! The tape model: a scripted model for tests and demos (DESIGN.md §9, stable format).
//!
//! Turn *n* answers the *n*-th request of a task. A tape drives the real agent loop, so tests of
//! the core exercise our code — orchestration, policy, journal, audit — and not a model.

use std::path::{Path, PathBuf};

use cowork_protocol::Usage;
use serde::Deserialize;

use crate::{
    Model, ModelError, ModelEvent, ModelInfo, ModelRequest, ModelStream, StopReason, ToolCall,
};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tape {
    pub turns: Vec<TapeTurn>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TapeTurn {
    /// Text the model says before its calls (its stated reason).
    #[serde(default)]
    pub say: Option<String>,
    #[serde(default)]
    pub call: Vec<TapeCall>,
    /// Usage reported for this turn.
    #[serde(default)]
    pub usage: Option<TapeUsage>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TapeCall {
    pub tool: String,
    /// The tool input as structured YAML/JSON.
    #[serde(default)]
    pub input: Option<serde_json::Value>,
    /// The tool input as raw text, sent verbatim — to script malformed model output.
    #[serde(default)]
    pub input_raw: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TapeUsage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
}

impl Tape {
    pub fn parse(text: &str, path: &Path) -> Result<Tape, ModelError> {
        let tape: Tape = serde_yaml::from_str(text).map_err(|e| ModelError::TapeFormat {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        for (n, turn) in tape.turns.iter().enumerate() {
            for call in &turn.call {
                if call.input.is_some() && call.input_raw.is_some() {
                    return Err(ModelError::TapeFormat {
                        path: path.to_path_buf(),
                        message: format!(
                            "turn {}: call to {} has both `input` and `input_raw`; keep one",
                            n + 1,
                            call.tool
                        ),
                    });
                }
            }
        }
        Ok(tape)
    }
}

/// A model that replays a [`Tape`].
#[derive(Debug, Clone)]
pub struct TapeModel {
    path: PathBuf,
    tape: Tape,
}

impl TapeModel {
    pub fn load(path: &Path) -> Result<TapeModel, ModelError> {
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::TapeIo {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(TapeModel {
            path: path.to_path_buf(),
            tape: Tape::parse(&text, path)?,
        })
    }

    pub fn from_tape(path: impl Into<PathBuf>, tape: Tape) -> TapeModel {
        TapeModel {
            path: path.into(),
            tape,
        }
    }

    fn events_for(&self, n: usize) -> Result<Vec<ModelEvent>, ModelError> {
        let turn = self
            .tape
            .turns
            .get(n - 1)
            .ok_or(ModelError::TapeExhausted)?;
        let mut events = Vec::new();
        if let Some(say) = &turn.say {
            // Stream in word-sized pieces, as a real provider would.
            let mut rest = say.as_str();
            while !rest.is_empty() {
                let cut = rest[1..].find(' ').map_or(rest.len(), |i| i + 1);
                events.push(ModelEvent::TextDelta(rest[..cut].to_string()));
                rest = &rest[cut..];
            }
        }
        for (i, call) in turn.call.iter().enumerate() {
            let input_json = match (&call.input_raw, &call.input) {
                (Some(raw), _) => raw.clone(),
                (None, Some(value)) => value.to_string(),
                (None, None) => "{}".to_string(),
            };
            events.push(ModelEvent::ToolCall(ToolCall {
                id: call
                    .id
                    .clone()
                    .unwrap_or_else(|| format!("tape-{n}-{}", i + 1)),
                name: call.tool.clone(),
                input_json,
            }));
        }
        let usage = turn.usage.map_or(
            Usage {
                input_tokens: 0,
                output_tokens: 0,
                ..Usage::default()
            },
            |u| Usage {
                input_tokens: u.input_tokens,
                output_tokens: u.output_tokens,
                ..Usage::default()
            },
        );
        events.push(ModelEvent::Usage(usage));
        events.push(ModelEvent::Stop(if turn.call.is_empty() {
            StopReason::EndTurn
        } else {
            StopReason::ToolUse
        }));
        Ok(events)
    }
}

impl Model for TapeModel {
    fn info(&self) -> ModelInfo {
        ModelInfo {
            spec: format!("tape:{}", self.path.display()),
            local: true,
            region: None,
        }
    }

    fn stream(&self, request: &ModelRequest) -> ModelStream {
        let items: Vec<Result<ModelEvent, ModelError>> =
            match self.events_for(request.turn_in_task()) {
                Ok(events) => events.into_iter().map(Ok).collect(),
                Err(e) => vec![Err(e)],
            };
        Box::pin(futures::stream::iter(items))
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;
    use crate::{ContentBlock, Message, Role};

    const TAPE: &str = r#"
turns:
  - say: "Looking at the files first."
    call:
      - tool: list_dir
        input: {path: "."}
  - call:
      - tool: read_file
        input_raw: "{not json"
  - say: "Done."
"#;

    fn collect(model: &TapeModel, req: &ModelRequest) -> Vec<Result<ModelEvent, String>> {
        futures::executor::block_on(
            model
                .stream(req)
                .map(|r| r.map_err(|e| e.to_string()))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn replays_turns_in_order_and_ends_exhausted() {
        let model = TapeModel::from_tape("t.yaml", Tape::parse(TAPE, Path::new("t.yaml")).unwrap());
        let mut req = ModelRequest {
            messages: vec![Message::user_text("go")],
            ..Default::default()
        };
        let first = collect(&model, &req);
        let text: String = first
            .iter()
            .filter_map(|e| match e {
                Ok(ModelEvent::TextDelta(t)) => Some(t.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(text, "Looking at the files first.");
        assert!(first.iter().any(|e| matches!(e, Ok(ModelEvent::ToolCall(c)) if c.name == "list_dir" && c.input_json == r#"{"path":"."}"#)));
        assert_eq!(
            first.last(),
            Some(&Ok(ModelEvent::Stop(StopReason::ToolUse)))
        );

        req.messages.push(Message {
            role: Role::Assistant,
            content: vec![],
        });
        req.messages.push(Message {
            role: Role::User,
            content: vec![ContentBlock::ToolResult {
                tool_use_id: "x".into(),
                content: "ok".into(),
                is_error: false,
            }],
        });
        let second = collect(&model, &req);
        assert!(
            second
                .iter()
                .any(|e| matches!(e, Ok(ModelEvent::ToolCall(c)) if c.input_json == "{not json"))
        );

        for _ in 0..2 {
            req.messages.push(Message {
                role: Role::Assistant,
                content: vec![],
            });
        }
        let beyond = collect(&model, &req);
        assert_eq!(beyond, vec![Err("tape exhausted".to_string())]);

        // A new task starts counting again.
        req.messages.push(Message::user_text("next task"));
        assert!(matches!(
            collect(&model, &req)[0],
            Ok(ModelEvent::TextDelta(_))
        ));
    }

    #[test]
    fn rejects_unknown_keys_with_location() {
        let err = Tape::parse("turns:\n  - sey: hi\n", Path::new("bad.yaml")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("bad.yaml") && msg.contains("sey") && msg.contains("line 2"),
            "{msg}"
        );
    }
}
