//! Helpers for the Anthropic provider tests: fixture loading, collecting a turn, and a raw
//! loopback HTTP server for what wiremock cannot do (pauses mid-body, dropped connections,
//! arbitrary chunk splits).

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use cowork_models::{
    AnthropicConfig, AnthropicModel, ContentBlock, HttpSettings, Model, ModelError, ModelEvent,
    ModelRequest, StopReason, ToolCall,
};
use cowork_protocol::Usage;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const SSE: &str = "text/event-stream; charset=utf-8";

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/model-wire/anthropic")
        .join(name)
}

pub struct Interaction {
    pub request: Value,
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

pub fn cassette(name: &str) -> Vec<Interaction> {
    let text = std::fs::read_to_string(fixture_path(&format!("{name}.cassette.json"))).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let response = &i["response"];
            let content_type = response["headers"]
                .as_object()
                .unwrap()
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v[0].as_str().unwrap().to_string())
                .unwrap();
            Interaction {
                request: i["request"]["body"].clone(),
                status: response["status"].as_u64().unwrap() as u16,
                content_type,
                body: response["body"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

/// A vercel/ai `*.chunks.jsonl` file as an Anthropic SSE body (fixtures README, step 4).
pub fn chunks_to_sse(name: &str) -> String {
    let text = std::fs::read_to_string(fixture_path(&format!("{name}.chunks.jsonl"))).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let json: Value = serde_json::from_str(line).unwrap();
            format!(
                "event: {}\ndata: {line}\n\n",
                json["type"].as_str().unwrap()
            )
        })
        .collect()
}

/// The thinking blocks of a recorded stream, read independently of the provider (a test
/// oracle): concatenated `thinking_delta`s and `signature_delta`s per block index.
pub fn recorded_thinking(body: &str) -> Vec<ContentBlock> {
    let mut blocks: BTreeMap<u64, ContentBlock> = BTreeMap::new();
    for line in body.lines().filter_map(|l| l.strip_prefix("data: ")) {
        let json: Value = serde_json::from_str(line).unwrap();
        let index = json["index"].as_u64().unwrap_or_default();
        match json["type"].as_str().unwrap() {
            "content_block_start" => match json["content_block"]["type"].as_str().unwrap() {
                "thinking" => {
                    blocks.insert(
                        index,
                        ContentBlock::Thinking {
                            thinking: String::new(),
                            signature: String::new(),
                        },
                    );
                }
                "redacted_thinking" => {
                    let data = json["content_block"]["data"].as_str().unwrap().to_string();
                    blocks.insert(index, ContentBlock::RedactedThinking { data });
                }
                _ => {}
            },
            "content_block_delta" => {
                if let Some(ContentBlock::Thinking {
                    thinking,
                    signature,
                }) = blocks.get_mut(&index)
                {
                    let delta = &json["delta"];
                    thinking.push_str(delta["thinking"].as_str().unwrap_or_default());
                    signature.push_str(delta["signature"].as_str().unwrap_or_default());
                }
            }
            _ => {}
        }
    }
    blocks.into_values().collect()
}

/// What one model turn produced.
#[derive(Debug, Default)]
pub struct Turn {
    pub events: Vec<ModelEvent>,
    pub text: String,
    pub calls: Vec<ToolCall>,
    pub thinking: Vec<ContentBlock>,
    pub usage: Vec<Usage>,
    pub stop: Option<StopReason>,
    /// The error's text, for readable `assert_eq!(turn.error, None)` failures.
    pub error: Option<String>,
    pub error_value: Option<ModelError>,
}

pub async fn run(model: &dyn Model, request: &ModelRequest) -> Turn {
    let mut turn = Turn::default();
    let mut stream = model.stream(request);
    while let Some(item) = stream.next().await {
        assert!(
            turn.error.is_none(),
            "an item came after an error: {item:?}"
        );
        match item {
            Ok(event) => {
                assert!(turn.stop.is_none(), "an event came after Stop: {event:?}");
                match &event {
                    ModelEvent::TextDelta(text) => turn.text.push_str(text),
                    ModelEvent::ToolCall(call) => turn.calls.push(call.clone()),
                    ModelEvent::Thinking(block) => turn.thinking.push(block.clone()),
                    ModelEvent::Usage(usage) => turn.usage.push(*usage),
                    ModelEvent::Stop(reason) => turn.stop = Some(reason.clone()),
                }
                turn.events.push(event);
            }
            Err(error) => {
                turn.error = Some(error.to_string());
                turn.error_value = Some(error);
            }
        }
    }
    assert!(
        turn.error.is_some() || turn.stop.is_some(),
        "the stream ended with neither Stop nor an error"
    );
    turn
}

pub fn call(id: &str, name: &str, input_json: &str) -> ToolCall {
    ToolCall {
        id: id.into(),
        name: name.into(),
        input_json: input_json.into(),
    }
}

/// The assistant block recording a tool call, as the core builds it.
pub fn tool_use(call: &ToolCall) -> ContentBlock {
    ContentBlock::ToolUse {
        id: call.id.clone(),
        name: call.name.clone(),
        input: serde_json::from_str(&call.input_json).unwrap(),
    }
}

pub fn usage(input: u64, output: u64, cache_read: u64, cache_write: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: cache_read,
        cache_write_tokens: cache_write,
    }
}

/// One step of a raw server's response body.
pub enum Step {
    Send(Vec<u8>),
    Sleep(Duration),
}

/// `body` cut at `\n\n` boundaries and at random offsets, as the fixtures README suggests.
pub fn random_pieces(body: &[u8], seed: u64) -> Vec<Step> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut steps = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let end = (start + rng.usize(1..64)).min(body.len());
        steps.push(Step::Send(body[start..end].to_vec()));
        start = end;
        if rng.u8(..) < 16 {
            steps.push(Step::Sleep(Duration::from_millis(1)));
        }
    }
    steps
}

pub struct SentRequest {
    pub head: String,
    pub body: Value,
}

/// A one-connection HTTP/1.1 server answering 200 with a chunked `text/event-stream` body
/// written step by step. With `finish: false` the connection is dropped without the final
/// chunk, which a client must see as a broken body.
pub struct RawServer {
    pub url: String,
    request: oneshot::Receiver<SentRequest>,
    closed: oneshot::Receiver<()>,
}

impl RawServer {
    pub async fn start(steps: Vec<Step>, finish: bool) -> RawServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (request_tx, request) = oneshot::channel();
        let (closed_tx, closed) = oneshot::channel();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let sent = read_request(&mut socket).await;
            let _ = request_tx.send(sent);
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n\
                        transfer-encoding: chunked\r\n\r\n";
            let mut alive = socket.write_all(head.as_bytes()).await.is_ok();
            for step in steps {
                if !alive {
                    break;
                }
                match step {
                    Step::Send(bytes) => {
                        let mut chunk = format!("{:x}\r\n", bytes.len()).into_bytes();
                        chunk.extend_from_slice(&bytes);
                        chunk.extend_from_slice(b"\r\n");
                        alive =
                            socket.write_all(&chunk).await.is_ok() && socket.flush().await.is_ok();
                    }
                    Step::Sleep(pause) => {
                        // Watch for the client hanging up while we pause.
                        let mut scratch = [0u8; 64];
                        tokio::select! {
                            _ = tokio::time::sleep(pause) => {}
                            read = socket.read(&mut scratch) => alive = matches!(read, Ok(n) if n > 0),
                        }
                    }
                }
            }
            if alive && finish {
                let _ = socket.write_all(b"0\r\n\r\n").await;
                // Hold the connection until the client closes it.
                let mut scratch = [0u8; 64];
                let _ =
                    tokio::time::timeout(Duration::from_secs(5), socket.read(&mut scratch)).await;
            }
            let _ = closed_tx.send(());
        });
        RawServer {
            url,
            request,
            closed,
        }
    }

    pub async fn request(self) -> SentRequest {
        self.request.await.unwrap()
    }

    /// Resolves when the server saw the client go away (or finished its script).
    pub async fn closed(self) {
        let _ = self.closed.await;
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> SentRequest {
    let mut buf = Vec::new();
    let mut scratch = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut scratch).await.unwrap();
        assert!(n > 0, "client closed before sending a request");
        buf.extend_from_slice(&scratch[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut scratch).await.unwrap();
        assert!(n > 0, "client closed mid-request");
        buf.extend_from_slice(&scratch[..n]);
    }
    SentRequest {
        head,
        body: serde_json::from_slice(&buf[head_end..head_end + length]).unwrap(),
    }
}

pub fn settings() -> HttpSettings {
    HttpSettings {
        connect_timeout: Duration::from_secs(2),
        first_byte_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(5),
        max_attempts: 4,
        base_backoff: Duration::from_millis(10),
    }
}

pub fn model_at(base_url: &str, http: HttpSettings) -> AnthropicModel {
    AnthropicModel::new(AnthropicConfig {
        model: "claude-test".into(),
        api_key: "test-key".into(),
        base_url: base_url.into(),
        max_tokens: 16000,
        http,
    })
    .unwrap()
}

pub fn model(server: &MockServer) -> AnthropicModel {
    model_at(&server.uri(), settings())
}

/// Serve `(status, content-type, body)` responses in order, one per request.
pub async fn serve(server: &MockServer, responses: Vec<(u16, String, String)>) {
    for (status, content_type, body) in responses {
        Mock::given(method("POST"))
            .and(path("/v1/messages"))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, &content_type))
            .up_to_n_times(1)
            .mount(server)
            .await;
    }
}

pub async fn replay(server: &MockServer, cassette: &[Interaction]) {
    serve(
        server,
        cassette
            .iter()
            .map(|i| (i.status, i.content_type.clone(), i.body.clone()))
            .collect(),
    )
    .await;
}

/// The bodies and checks every request must pass: path, headers.
pub async fn sent_bodies(server: &MockServer) -> Vec<Value> {
    let requests = server.received_requests().await.unwrap();
    for r in &requests {
        assert_eq!(r.url.path(), "/v1/messages");
        assert_eq!(r.headers.get("x-api-key").unwrap(), "test-key");
        assert_eq!(r.headers.get("anthropic-version").unwrap(), "2023-06-01");
        assert_eq!(r.headers.get("content-type").unwrap(), "application/json");
        assert_eq!(r.headers.get_all("content-type").iter().count(), 1);
    }
    requests
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

pub fn eph() -> Value {
    json!({"type": "ephemeral"})
}

/// The first `n` events of a recorded stream, as SSE text.
pub fn first_events(fixture: &str, n: usize) -> String {
    let body = &cassette(fixture)[0].body;
    body.split_inclusive("\n\n").take(n).collect()
}
