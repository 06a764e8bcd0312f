//! Whole tasks through the real providers against mock servers at the HTTP level: the Anthropic
//! Messages API, an OpenAI-compatible server, and a local model that writes tool calls as text.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn sse(events: &[&str]) -> ResponseTemplate {
    let mut body = String::new();
    for e in events {
        body.push_str(e);
        body.push_str("\n\n");
    }
    ResponseTemplate::new(200)
        .insert_header("content-type", "text/event-stream")
        .set_body_string(body)
}

fn anthropic_event(kind: &str, data: &str) -> String {
    format!("event: {kind}\ndata: {data}")
}

fn anthropic_text_turn(text: &str) -> Vec<String> {
    vec![
        anthropic_event(
            "message_start",
            r#"{"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":null,"usage":{"input_tokens":80,"output_tokens":1}}}"#,
        ),
        anthropic_event(
            "content_block_start",
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        ),
        anthropic_event(
            "content_block_delta",
            &format!(
                r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":"{text}"}}}}"#
            ),
        ),
        anthropic_event(
            "content_block_stop",
            r#"{"type":"content_block_stop","index":0}"#,
        ),
        anthropic_event(
            "message_delta",
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}"#,
        ),
        anthropic_event("message_stop", r#"{"type":"message_stop"}"#),
    ]
}

fn run_cowork(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cowork"));
    cmd.args(args)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("COWORK_ORG_POLICY", dir.join("org.toml"))
        .env("NO_COLOR", "1")
        .env_remove("COWORK_MODEL")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("ANTHROPIC_BASE_URL")
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn workspace() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("org.toml"), "").unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    (dir, ws)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_runs_through_the_anthropic_messages_api() {
    let server = MockServer::start().await;
    let first: Vec<String> = vec![
        anthropic_event(
            "message_start",
            r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":null,"usage":{"input_tokens":50,"output_tokens":1}}}"#,
        ),
        anthropic_event(
            "content_block_start",
            r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        ),
        anthropic_event(
            "content_block_delta",
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Writing the note."}}"#,
        ),
        anthropic_event(
            "content_block_stop",
            r#"{"type":"content_block_stop","index":0}"#,
        ),
        anthropic_event(
            "content_block_start",
            r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"write_file","input":{}}}"#,
        ),
        anthropic_event(
            "content_block_delta",
            r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"path\": \"note.md\", "}}"#,
        ),
        anthropic_event(
            "content_block_delta",
            r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"content\": \"hello from claude\"}"}}"#,
        ),
        anthropic_event(
            "content_block_stop",
            r#"{"type":"content_block_stop","index":1}"#,
        ),
        anthropic_event(
            "message_delta",
            r#"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":20}}"#,
        ),
        anthropic_event("message_stop", r#"{"type":"message_stop"}"#),
    ];
    let refs: Vec<&str> = first.iter().map(String::as_str).collect();
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(sse(&refs))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let second = anthropic_text_turn("Done: note.md written.");
    let refs: Vec<&str> = second.iter().map(String::as_str).collect();
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(sse(&refs))
        .mount(&server)
        .await;

    let (dir, ws) = workspace();
    let env = [
        ("ANTHROPIC_API_KEY", "sk-test".to_string()),
        ("ANTHROPIC_BASE_URL", server.uri()),
    ];
    let args = [
        "run",
        "-f",
        ws.to_str().unwrap(),
        "-m",
        "anthropic:claude-test",
        "--on-ask",
        "approve",
        "write a note",
    ];
    let (d, a, e) = (
        dir.path().to_path_buf(),
        args.map(String::from),
        env.clone(),
    );
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = a.iter().map(String::as_str).collect();
        run_cowork(&d, &args, &e)
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(ws.join("note.md")).unwrap(),
        "hello from claude"
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].headers.get("x-api-key").unwrap(), "sk-test");
    let body: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    let last = body["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["role"], "user");
    assert_eq!(last["content"][0]["type"], "tool_result");
    assert_eq!(last["content"][0]["tool_use_id"], "toolu_1");
    assert!(
        body["tools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "write_file")
    );
}

fn openai_chunk(delta: &str, finish: Option<&str>) -> String {
    let finish = finish.map_or("null".to_string(), |f| format!("\"{f}\""));
    format!(
        r#"data: {{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{{"index":0,"delta":{delta},"finish_reason":{finish}}}]}}"#
    )
}

async fn openai_server(first: Vec<String>) -> MockServer {
    let server = MockServer::start().await;
    let refs: Vec<&str> = first.iter().map(String::as_str).collect();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(sse(&refs))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let second = [
        openai_chunk(r#"{"role":"assistant","content":"Done."}"#, None),
        openai_chunk("{}", Some("stop")),
        r#"data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":90,"completion_tokens":3,"total_tokens":93}}"#.to_string(),
        "data: [DONE]".to_string(),
    ];
    let refs: Vec<&str> = second.iter().map(String::as_str).collect();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(sse(&refs))
        .mount(&server)
        .await;
    server
}

async fn run_openai(
    server: &MockServer,
    model: &str,
) -> (tempfile::TempDir, std::path::PathBuf, Output) {
    let (dir, ws) = workspace();
    let base = format!("{}/v1", server.uri());
    let args: Vec<String> = [
        "run",
        "-f",
        ws.to_str().unwrap(),
        "-m",
        model,
        "--base-url",
        &base,
        "--on-ask",
        "approve",
        "write a note",
    ]
    .map(String::from)
    .to_vec();
    let d = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_cowork(&d, &args, &[])
    })
    .await
    .unwrap();
    (dir, ws, out)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_runs_through_an_openai_compatible_server() {
    let server = openai_server(vec![
        openai_chunk(r#"{"role":"assistant","content":"Writing the note."}"#, None),
        openai_chunk(r#"{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"write_file","arguments":""}}]}"#, None),
        openai_chunk(r#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"path\":\"note.md\","}}]}"#, None),
        openai_chunk(r#"{"tool_calls":[{"index":0,"function":{"arguments":"\"content\":\"hello from vllm\"}"}}]}"#, None),
        openai_chunk("{}", Some("tool_calls")),
        "data: [DONE]".to_string(),
    ])
    .await;
    let (_dir, ws, out) = run_openai(&server, "openai:qwen3-32b").await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(ws.join("note.md")).unwrap(),
        "hello from vllm"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let body: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    let messages = body["messages"].as_array().unwrap();
    let tool = messages.iter().find(|m| m["role"] == "tool").unwrap();
    assert_eq!(tool["tool_call_id"], "call_1");
    assert_eq!(body["model"], "qwen3-32b");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_local_model_that_writes_tool_calls_as_text_still_works() {
    let call = r#"<tool_call>{\"name\": \"write_file\", \"arguments\": {\"path\": \"note.md\", \"content\": \"hello from a small model\"}}</tool_call>"#;
    let server = openai_server(vec![
        openai_chunk(
            &format!(r#"{{"role":"assistant","content":"{call}"}}"#),
            None,
        ),
        openai_chunk("{}", Some("stop")),
        "data: [DONE]".to_string(),
    ])
    .await;
    let (_dir, ws, out) = run_openai(&server, "openai:llama-3.2-3b").await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(ws.join("note.md")).unwrap(),
        "hello from a small model"
    );
}

/// A model named in the workspace config is used when --model is absent, with its base URL,
/// key variable and output cap; and `local_processing_only` refuses it when it is not local.
#[tokio::test(flavor = "multi_thread")]
async fn a_named_model_from_the_config_file_is_used_and_privacy_is_enforced() {
    let server = openai_server(vec![
        openai_chunk(r#"{"role":"assistant","content":"Nothing to do."}"#, None),
        openai_chunk("{}", Some("stop")),
        r#"data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1000000,"completion_tokens":500000,"total_tokens":1500000}}"#.to_string(),
        "data: [DONE]".to_string(),
    ])
    .await;
    let (dir, ws) = workspace();
    std::fs::create_dir(ws.join(".cowork")).unwrap();
    let config = format!(
        "[models]\ndefault = \"work\"\n\n[models.work]\nprovider = \"openai\"\nmodel = \"qwen-work\"\n\
         base_url = \"{}/v1\"\napi_key_env = \"WORK_LLM_KEY\"\nmax_output_tokens = 123\nlocal = false\nregion = \"eu\"\n\n[models.work.price]\ninput = 3.0\noutput = 15.0\n",
        server.uri()
    );
    std::fs::write(ws.join(".cowork/config.toml"), &config).unwrap();
    let d = dir.path().to_path_buf();
    let w = ws.clone();
    let out = tokio::task::spawn_blocking(move || {
        run_cowork(
            &d,
            &["run", "-f", w.to_str().unwrap(), "say hi"],
            &[("WORK_LLM_KEY", "sekret".to_string())],
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("config default"), "{}", text(&out));
    // 1 M tokens in at $3 + 0.5 M out at $15 = $10.50, from the configured price table.
    assert!(
        text(&out).contains("1000000 tokens in, 500000 out · ≈ $10.5000"),
        "{}",
        text(&out)
    );
    let requests = server.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["model"], "qwen-work");
    assert!(
        body["max_tokens"].as_u64().unwrap_or(0) <= 123
            || body["max_completion_tokens"].as_u64().unwrap_or(0) <= 123,
        "{body}"
    );
    assert_eq!(
        requests[0].headers.get("authorization").unwrap(),
        "Bearer sekret"
    );

    // The same model under local_processing_only: refused before any request, exit 2.
    std::fs::write(
        ws.join(".cowork/config.toml"),
        format!("[privacy]\nlocal_processing_only = true\n\n{config}"),
    )
    .unwrap();
    let before = server.received_requests().await.unwrap().len();
    let d = dir.path().to_path_buf();
    let w = ws.clone();
    let out = tokio::task::spawn_blocking(move || {
        run_cowork(
            &d,
            &["run", "-f", w.to_str().unwrap(), "say hi"],
            &[("WORK_LLM_KEY", "sekret".to_string())],
        )
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("local_processing_only"),
        "{}",
        text(&out)
    );
    assert_eq!(server.received_requests().await.unwrap().len(), before);
}
