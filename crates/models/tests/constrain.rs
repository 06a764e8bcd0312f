//! Constrained decoding on OpenAI-compatible servers (`constrain = "json_schema"` for the
//! llama.cpp server and vLLM, `"ollama_format"` for Ollama): the exact request body, and
//! constrained replies read back as tool calls or text.

use cowork_models::{
    Message, Model, ModelCatalog, ModelEvent, ModelRequest, Resolved, StopReason, ToolDef,
    resolve_with,
};
use futures::StreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn configured(server: &MockServer, provider: &str, constrain: &str) -> Resolved {
    let text = format!(
        "[models.local]\nprovider = \"{provider}\"\nmodel = \"qwen2.5-coder:32b\"\n\
         base_url = \"{}/v1\"\nconstrain = \"{constrain}\"\n",
        server.uri()
    );
    let mut file: toml::Table = text.parse().unwrap();
    let Some(toml::Value::Table(models)) = file.remove("models") else {
        panic!("no [models]");
    };
    let catalog = ModelCatalog::from_tables(&[(models, "test.toml".into())]).unwrap();
    let no_env = |_: &str| -> Option<String> { None };
    resolve_with(Some("local"), &catalog, None, &no_env, "http://127.0.0.1:9")
        .await
        .unwrap()
}

/// A streamed reply whose content arrives in `pieces`.
async fn reply_with(server: &MockServer, pieces: &[&str]) {
    let mut sse = String::new();
    for piece in pieces {
        let chunk =
            json!({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]});
        sse.push_str(&format!("data: {chunk}\n\n"));
    }
    let last = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                      "usage": {"prompt_tokens": 120, "completion_tokens": 20}});
    sse.push_str(&format!("data: {last}\n\ndata: [DONE]\n\n"));
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .set_body_string(sse),
        )
        .mount(server)
        .await;
}

fn read_file_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"path": {"type": "string"}},
        "required": ["path"],
    })
}

fn request() -> ModelRequest {
    ModelRequest {
        system: "You are cowork.".into(),
        messages: vec![Message::user_text("Read a.txt")],
        tools: vec![
            ToolDef {
                name: "read_file".into(),
                description: "Read a file".into(),
                input_schema: read_file_schema(),
            },
            ToolDef {
                name: "list_dir".into(),
                description: "List a folder".into(),
                input_schema: json!({"type": "object", "properties": {}}),
            },
        ],
        max_output_tokens: 512,
    }
}

const INSTRUCTIONS: &str = "Reply with exactly one JSON object and nothing else: \
{\"tool\": \"NAME\", \"arguments\": {...}} to call one of the tools (one call per reply), \
or {\"answer\": \"TEXT\"} to reply to the person when no tool call is needed.";

fn reply_schema() -> Value {
    json!({"anyOf": [
        {
            "type": "object",
            "properties": {"tool": {"const": "read_file"}, "arguments": read_file_schema()},
            "required": ["tool", "arguments"],
            "additionalProperties": false,
        },
        {
            "type": "object",
            "properties": {"tool": {"const": "list_dir"}, "arguments": {"type": "object", "properties": {}}},
            "required": ["tool", "arguments"],
            "additionalProperties": false,
        },
        {
            "type": "object",
            "properties": {"answer": {"type": "string"}},
            "required": ["answer"],
            "additionalProperties": false,
        },
    ]})
}

fn expected_body(response_format: Value) -> Value {
    json!({
        "model": "qwen2.5-coder:32b",
        "messages": [
            {"role": "system", "content": format!("You are cowork.\n\n{INSTRUCTIONS}")},
            {"role": "user", "content": "Read a.txt"},
        ],
        "stream": true,
        "stream_options": {"include_usage": true},
        "max_tokens": 512,
        "tools": [
            {"type": "function", "function": {"name": "read_file", "description": "Read a file", "parameters": read_file_schema()}},
            {"type": "function", "function": {"name": "list_dir", "description": "List a folder", "parameters": {"type": "object", "properties": {}}}},
        ],
        "response_format": response_format,
    })
}

async fn sent_body(server: &MockServer) -> Value {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    serde_json::from_slice(&requests[0].body).unwrap()
}

async fn run(model: &dyn Model, request: &ModelRequest) -> Vec<ModelEvent> {
    model
        .stream(request)
        .map(|item| item.unwrap())
        .collect()
        .await
}

#[tokio::test]
async fn json_schema_constrains_a_llama_cpp_or_vllm_server_and_the_reply_becomes_a_call() {
    let server = MockServer::start().await;
    reply_with(
        &server,
        &[
            "{\"tool\": \"read",
            "_file\", \"argu",
            "ments\": {\"path\": \"a.txt\"}}",
        ],
    )
    .await;
    let resolved = configured(&server, "openai", "json_schema").await;
    let events = run(resolved.model.as_ref(), &request()).await;

    assert_eq!(
        sent_body(&server).await,
        expected_body(json!({
            "type": "json_schema",
            "json_schema": {"name": "tool_call", "strict": true, "schema": reply_schema()},
        }))
    );
    let calls: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ModelEvent::ToolCall(call) => Some((call.name.as_str(), call.input_json.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(calls, vec![("read_file", r#"{"path":"a.txt"}"#)]);
    assert!(
        !events.iter().any(|e| matches!(e, ModelEvent::TextDelta(_))),
        "the call's JSON must not be shown as text: {events:?}"
    );
    assert_eq!(events.last(), Some(&ModelEvent::Stop(StopReason::ToolUse)));
}

#[tokio::test]
async fn a_constrained_answer_becomes_text() {
    let server = MockServer::start().await;
    reply_with(&server, &["{\"answer\": \"a.txt says ", "hello.\"}"]).await;
    let resolved = configured(&server, "openai", "json_schema").await;
    let events = run(resolved.model.as_ref(), &request()).await;
    let text: String = events
        .iter()
        .filter_map(|e| match e {
            ModelEvent::TextDelta(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, "a.txt says hello.");
    assert!(!events.iter().any(|e| matches!(e, ModelEvent::ToolCall(_))));
    assert_eq!(events.last(), Some(&ModelEvent::Stop(StopReason::EndTurn)));
}

#[tokio::test]
async fn ollama_format_sends_the_schema_where_ollama_v1_reads_it() {
    let server = MockServer::start().await;
    reply_with(&server, &["{\"tool\":\"list_dir\",\"arguments\":{}}"]).await;
    let resolved = configured(&server, "ollama", "ollama_format").await;
    assert_eq!(resolved.model.info().spec, "ollama:qwen2.5-coder:32b");
    let events = run(resolved.model.as_ref(), &request()).await;
    assert_eq!(
        sent_body(&server).await,
        expected_body(json!({
            "type": "json_schema",
            "json_schema": {"schema": reply_schema()},
        }))
    );
    assert!(events.iter().any(
        |e| matches!(e, ModelEvent::ToolCall(c) if c.name == "list_dir" && c.input_json == "{}")
    ));
}

#[tokio::test]
async fn a_turn_without_tools_is_not_constrained() {
    let server = MockServer::start().await;
    reply_with(&server, &["{\"answer\": \"not parsed\"}"]).await;
    let resolved = configured(&server, "openai", "json_schema").await;
    let mut plain = request();
    plain.tools.clear();
    let events = run(resolved.model.as_ref(), &plain).await;
    let body = sent_body(&server).await;
    assert!(body.get("response_format").is_none(), "{body}");
    assert_eq!(body["messages"][0]["content"], "You are cowork.");
    assert_eq!(
        events.first(),
        Some(&ModelEvent::TextDelta(
            "{\"answer\": \"not parsed\"}".into()
        ))
    );
}
