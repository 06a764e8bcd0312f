//! Replaying recorded model-wire fixtures (`shared/fixtures/model-wire`) with wiremock, for the
//! OpenAI-compatible provider tests.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cowork_models::{
    ContentBlock, HttpSettings, Message, Model, ModelError, ModelEvent, ModelRequest, OpenAiConfig,
    OpenAiModel, Role, ToolCall, ToolDef,
};
use cowork_protocol::Usage;
use futures::StreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/model-wire")
        .join(rel)
}

pub fn read_fixture(rel: &str) -> String {
    std::fs::read_to_string(fixture_path(rel)).unwrap()
}

pub fn cassette(rel: &str) -> Value {
    serde_json::from_str(&read_fixture(rel)).unwrap()
}

#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn sse(body: String) -> Reply {
        Reply {
            status: 200,
            content_type: "text/event-stream".into(),
            headers: vec![],
            body,
        }
    }

    /// The recorded response, minus the length/encoding headers the README says are stale.
    pub fn recorded(interaction: &Value) -> Reply {
        let response = &interaction["response"];
        let mut content_type = "application/json".to_string();
        let mut headers = Vec::new();
        for (name, values) in response["headers"].as_object().unwrap() {
            let value = values[0].as_str().unwrap().to_string();
            match name.to_ascii_lowercase().as_str() {
                "content-type" => content_type = value,
                "retry-after" | "retry-after-ms" => headers.push((name.clone(), value)),
                _ => {}
            }
        }
        Reply {
            status: response["status"].as_u64().unwrap() as u16,
            content_type,
            headers,
            body: response["body"].as_str().unwrap().to_string(),
        }
    }
}

/// Answers the n-th request with the n-th reply.
pub struct Replay {
    replies: Vec<Reply>,
    next: AtomicUsize,
}

impl Respond for Replay {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let Some(reply) = self.replies.get(n) else {
            return ResponseTemplate::new(418).set_body_string("replay exhausted");
        };
        let mut template = ResponseTemplate::new(reply.status)
            .set_body_raw(reply.body.clone().into_bytes(), &reply.content_type);
        for (name, value) in &reply.headers {
            template = template.insert_header(name.as_str(), value.as_str());
        }
        template
    }
}

pub async fn serve(replies: Vec<Reply>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(Replay {
            replies,
            next: AtomicUsize::new(0),
        })
        .mount(&server)
        .await;
    server
}

pub async fn serve_cassette(rel: &str) -> (MockServer, Value) {
    let recorded = cassette(rel);
    let replies = recorded["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(Reply::recorded)
        .collect();
    (serve(replies).await, recorded)
}

pub fn fast_settings() -> HttpSettings {
    HttpSettings {
        connect_timeout: Duration::from_secs(2),
        first_byte_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(5),
        max_attempts: 4,
        base_backoff: Duration::from_millis(1),
    }
}

pub fn openai(server: &MockServer, model: &str) -> OpenAiModel {
    let mut config = OpenAiConfig::openai_from_vars(
        model.into(),
        Some(format!("{}/v1", server.uri())),
        None,
        Some("sk-test".into()),
    )
    .unwrap();
    config.http = fast_settings();
    OpenAiModel::new(config).unwrap()
}

pub fn ollama(server: &MockServer, model: &str) -> OpenAiModel {
    let mut config = OpenAiConfig::ollama_from_vars(model.into(), Some(server.uri()), None);
    config.http = fast_settings();
    OpenAiModel::new(config).unwrap()
}

pub async fn run(
    model: &OpenAiModel,
    request: &ModelRequest,
) -> Vec<Result<ModelEvent, ModelError>> {
    model.stream(request).collect().await
}

pub async fn run_ok(model: &OpenAiModel, request: &ModelRequest) -> Vec<ModelEvent> {
    run(model, request)
        .await
        .into_iter()
        .map(|item| item.unwrap())
        .collect()
}

pub async fn run_err(model: &OpenAiModel, request: &ModelRequest) -> ModelError {
    let mut items = run(model, request).await;
    assert_eq!(items.len(), 1, "expected exactly one error item: {items:?}");
    items.pop().unwrap().unwrap_err()
}

pub async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

pub fn text_of(events: &[ModelEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            ModelEvent::TextDelta(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

pub fn calls_of(events: &[ModelEvent]) -> Vec<ToolCall> {
    events
        .iter()
        .filter_map(|e| match e {
            ModelEvent::ToolCall(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// The events after the text: calls, then usage, then the stop reason, in that order.
pub fn tail_of(events: &[ModelEvent]) -> Vec<ModelEvent> {
    events
        .iter()
        .filter(|e| !matches!(e, ModelEvent::TextDelta(_)))
        .cloned()
        .collect()
}

pub fn usage(input: u64, output: u64, cache_read: u64) -> ModelEvent {
    ModelEvent::Usage(Usage {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: cache_read,
        cache_write_tokens: 0,
    })
}

pub fn call(id: &str, name: &str, input_json: &str) -> ModelEvent {
    ModelEvent::ToolCall(ToolCall {
        id: id.into(),
        name: name.into(),
        input_json: input_json.into(),
    })
}

pub fn user_request(text: &str, tools: Vec<ToolDef>, max: u32) -> ModelRequest {
    ModelRequest {
        system: String::new(),
        messages: vec![Message::user_text(text)],
        tools,
        max_output_tokens: max,
    }
}

/// Our tool definitions from the `tools` a recorded request sent.
pub fn tools_from(recorded_request: &Value) -> Vec<ToolDef> {
    recorded_request["tools"]
        .as_array()
        .map(|tools| {
            tools
                .iter()
                .map(|t| ToolDef {
                    name: t["function"]["name"].as_str().unwrap().into(),
                    description: t["function"]["description"].as_str().unwrap().into(),
                    input_schema: t["function"]["parameters"].clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Drives a recorded multi-turn tool loop: each turn's request is built from what we made of
/// the previous responses, and must carry the same conversation the recorded client sent.
pub async fn replay_tool_loop(rel: &str, model: OpenAiModel) -> Vec<Vec<ModelEvent>> {
    let recorded = cassette(rel);
    let interactions = recorded["interactions"].as_array().unwrap();
    let first = &interactions[0]["request"]["body"];
    let mut request = ModelRequest {
        system: String::new(),
        messages: vec![],
        tools: tools_from(first),
        max_output_tokens: 0,
    };
    let mut turns = Vec::new();
    // Recorded messages already in `request` (the assistant turns are ours).
    let mut consumed = 0;
    for (n, interaction) in interactions.iter().enumerate() {
        let wanted = interaction["request"]["body"]["messages"]
            .as_array()
            .unwrap();
        // Add what the recorded client added after our last turn: tool results and user text.
        let mut results = Vec::new();
        for message in &wanted[consumed..] {
            match message["role"].as_str().unwrap() {
                "tool" => results.push(ContentBlock::ToolResult {
                    tool_use_id: message["tool_call_id"].as_str().unwrap().into(),
                    content: message["content"].as_str().unwrap().into(),
                    is_error: false,
                }),
                "user" => request
                    .messages
                    .push(Message::user_text(message["content"].as_str().unwrap())),
                other => panic!("turn {n}: unexpected new {other} message"),
            }
        }
        if !results.is_empty() {
            request.messages.push(Message {
                role: Role::User,
                content: results,
            });
        }
        let events = run_ok(&model, &request).await;
        // Our answer becomes the assistant message of the next request.
        let mut content = Vec::new();
        let text = text_of(&events);
        if !text.is_empty() {
            content.push(ContentBlock::Text { text });
        }
        for c in calls_of(&events) {
            content.push(ContentBlock::ToolUse {
                id: c.id,
                name: c.name,
                input: serde_json::from_str(&c.input_json).unwrap(),
            });
        }
        request.messages.push(Message {
            role: Role::Assistant,
            content,
        });
        turns.push(events);
        consumed = wanted.len() + 1;
    }
    turns
}

/// The conversation part of a request body, as the recorded clients and we both send it:
/// role, content (null counted as ""), tool calls and the id a tool result answers.
pub fn normalize(messages: &[Value]) -> Vec<Value> {
    messages
        .iter()
        .map(|m| {
            let mut out =
                json!({"role": m["role"], "content": m["content"].as_str().unwrap_or("")});
            for key in ["tool_calls", "tool_call_id"] {
                if let Some(v) = m.get(key) {
                    out[key] = v.clone();
                }
            }
            out
        })
        .collect()
}

pub async fn assert_loop_requests(server: &MockServer, rel: &str) {
    let recorded = cassette(rel);
    let sent = bodies(server).await;
    let interactions = recorded["interactions"].as_array().unwrap();
    assert_eq!(sent.len(), interactions.len());
    for (n, (ours, theirs)) in sent.iter().zip(interactions).enumerate() {
        let theirs = &theirs["request"]["body"];
        assert_eq!(
            normalize(ours["messages"].as_array().unwrap()),
            normalize(theirs["messages"].as_array().unwrap()),
            "turn {n}: conversation differs"
        );
        assert_eq!(ours["tools"], theirs["tools"], "turn {n}: tools differ");
        assert_eq!(ours["model"], theirs["model"]);
        assert_eq!(ours["stream"], json!(true));
        assert_eq!(ours["stream_options"], json!({"include_usage": true}));
    }
}
