//! The OpenAI-compatible provider against recorded wire traffic (`shared/fixtures/model-wire`),
//! replayed by a local wiremock server: what we make of each response, and the exact request
//! bodies we send.

#[path = "support/openai_replay.rs"]
mod replay;

use std::time::{Duration, Instant};

use cowork_models::{
    ContentBlock, HttpSettings, Message, Model, ModelError, ModelEvent, ModelRequest, OpenAiConfig,
    OpenAiModel, Role, StopReason, ToolDef,
};
use serde_json::{Value, json};
use wiremock::MockServer;

use replay::*;

// ---------- OpenAI ----------

#[tokio::test]
async fn two_parallel_tool_calls_assembled_by_index() {
    let server = serve(vec![Reply::sse(read_fixture(
        "openai-chat/stream-2-parallel-tool_calls.sse",
    ))])
    .await;
    let model = openai(&server, "gpt-4o");
    let schema = json!({"type": "object", "properties": {"password": {"type": "string"}}, "required": ["password"]});
    let request = ModelRequest {
        system: "You are a helpful assistant.".into(),
        messages: vec![Message::user_text("Retrieve both secrets.")],
        tools: vec![ToolDef {
            name: "secret_retrieval_tool".into(),
            description: "Retrieve a secret".into(),
            input_schema: schema.clone(),
        }],
        max_output_tokens: 1024,
    };
    let events = run_ok(&model, &request).await;
    assert_eq!(text_of(&events), "");
    assert_eq!(
        tail_of(&events),
        vec![
            call(
                "call_M26z19sncd7b4LBgzKRRbaUE",
                "secret_retrieval_tool",
                r#"{"password": "mellon"}"#
            ),
            call(
                "call_KPXe5NX7IcKkaBUhc6dto2QV",
                "secret_retrieval_tool",
                r#"{"password": "radiance"}"#
            ),
            usage(75, 53, 0),
            ModelEvent::Stop(StopReason::ToolUse),
        ]
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].headers.get("authorization").unwrap(),
        "Bearer sk-test"
    );
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "model": "gpt-4o",
            "messages": [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "Retrieve both secrets."},
            ],
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_tokens": 1024,
            "tools": [{"type": "function", "function": {
                "name": "secret_retrieval_tool",
                "description": "Retrieve a secret",
                "parameters": schema,
            }}],
        })
    );
}

#[tokio::test]
async fn single_tool_call_with_usage_chunk() {
    let server = serve(vec![Reply::sse(read_fixture(
        "openai-chat/stream-single-tool_call-include_usage.sse",
    ))])
    .await;
    let model = openai(&server, "gpt-4o-mini");
    let events = run_ok(&model, &user_request("Capital of the UK?", vec![], 0)).await;
    assert_eq!(
        events,
        vec![
            call(
                "call_ZR5UUuTt3pf61kjwAJIYdVMj",
                "get_capital",
                r#"{"country":"UK"}"#
            ),
            usage(53, 15, 0),
            ModelEvent::Stop(StopReason::ToolUse),
        ]
    );
    // No tools offered: no `tools` key at all; the configured default limit applies.
    assert_eq!(
        bodies(&server).await[0],
        json!({
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": "Capital of the UK?"}],
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_tokens": 8192,
        })
    );
}

#[tokio::test]
async fn finish_reason_length_is_max_tokens() {
    let (server, recorded) =
        serve_cassette("openai-chat/stream-finish_reason-length.cassette.json").await;
    let model = openai(&server, "gpt-4o");
    let events = run_ok(&model, &user_request("List all U.S. states.", vec![], 50)).await;
    assert!(
        text_of(&events).starts_with("Here is a list of all 50 U.S. states:\n\n1. Alabama\n"),
        "{}",
        text_of(&events)
    );
    assert!(text_of(&events).ends_with("9. Florida\n10"));
    assert_eq!(
        tail_of(&events),
        vec![usage(14, 50, 0), ModelEvent::Stop(StopReason::MaxTokens)]
    );
    // Byte for byte what the real client sent.
    assert_eq!(
        bodies(&server).await[0],
        recorded["interactions"][0]["request"]["body"]
    );
}

#[tokio::test]
async fn tool_call_then_answer_pairs_the_tool_result() {
    let (server, recorded) =
        serve_cassette("openai-chat/stream-tool-call-then-answer.cassette.json").await;
    let first = &recorded["interactions"][0]["request"]["body"];
    let model = openai(&server, "gpt-4o-mini");
    let question = first["messages"][0]["content"].as_str().unwrap();
    let mut request = user_request(question, tools_from(first), 0);

    let events = run_ok(&model, &request).await;
    let calls = calls_of(&events);
    assert_eq!(calls.len(), 1);
    assert_eq!(events.last(), Some(&ModelEvent::Stop(StopReason::ToolUse)));

    request.messages.push(Message {
        role: Role::Assistant,
        content: vec![ContentBlock::ToolUse {
            id: calls[0].id.clone(),
            name: calls[0].name.clone(),
            input: serde_json::from_str(&calls[0].input_json).unwrap(),
        }],
    });
    request.messages.push(Message {
        role: Role::User,
        content: vec![ContentBlock::ToolResult {
            tool_use_id: calls[0].id.clone(),
            content: "London".into(),
            is_error: false,
        }],
    });
    let events = run_ok(&model, &request).await;
    assert_eq!(text_of(&events), "The capital of the UK is London.");
    assert_eq!(
        tail_of(&events),
        vec![usage(78, 9, 0), ModelEvent::Stop(StopReason::EndTurn)]
    );

    let sent = bodies(&server).await;
    let tool_schema = &first["tools"][0]["function"]["parameters"];
    assert_eq!(
        sent[1],
        json!({
            "model": "gpt-4o-mini",
            "messages": [
                {"role": "user", "content": question},
                {"role": "assistant", "content": "", "tool_calls": [{
                    "id": "call_ZR5UUuTt3pf61kjwAJIYdVMj",
                    "type": "function",
                    "function": {"name": "get_capital", "arguments": "{\"country\":\"UK\"}"},
                }]},
                {"role": "tool", "tool_call_id": "call_ZR5UUuTt3pf61kjwAJIYdVMj", "content": "London"},
            ],
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_tokens": 8192,
            "tools": [{"type": "function", "function": {
                "name": "get_capital", "description": "", "parameters": tool_schema,
            }}],
        })
    );
    // The pairing matches what the recorded client sent (it used `content: null`, we use "").
    let recorded_second = &recorded["interactions"][1]["request"]["body"]["messages"];
    assert_eq!(
        sent[1]["messages"][1]["tool_calls"],
        recorded_second[1]["tool_calls"]
    );
    assert_eq!(sent[1]["messages"][2], recorded_second[2]);
}

#[tokio::test]
async fn error_401_says_to_set_the_key_and_is_not_retried() {
    let (server, _) =
        serve_cassette("openai-chat/error-401-invalid_api_key-on-stream-request.cassette.json")
            .await;
    let model = openai(&server, "gpt-4o");
    let error = run_err(&model, &user_request("hi", vec![], 0)).await;
    match &error {
        ModelError::Http {
            status, message, ..
        } => {
            assert_eq!(*status, 401);
            assert!(message.contains("OPENAI_API_KEY"), "{message}");
            assert!(message.contains("Incorrect API key provided"), "{message}");
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    assert!(!error.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn error_404_names_the_model() {
    let (server, _) = serve_cassette("openai-chat/error-404-model_not_found.cassette.json").await;
    let model = openai(&server, "this-model-does-not-exist-12345");
    let error = run_err(&model, &user_request("hi", vec![], 0)).await;
    let text = error.to_string();
    assert!(
        matches!(error, ModelError::Http { status: 404, .. }),
        "{error:?}"
    );
    assert!(
        text.contains("model `this-model-does-not-exist-12345` not found"),
        "{text}"
    );
    assert!(!error.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn error_400_quotes_the_server() {
    let (server, _) = serve_cassette("openai-chat/error-400-unsupported_value.cassette.json").await;
    let model = openai(&server, "o1-mini");
    let error = run_err(&model, &user_request("Hello", vec![], 0)).await;
    assert!(
        matches!(error, ModelError::Http { status: 400, .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("Unsupported value: 'messages[0].role'"),
        "{error}"
    );
    assert!(!error.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

// ---------- Ollama ----------

#[tokio::test]
async fn ollama_400_context_length_says_the_context_is_too_large() {
    let (server, _) =
        serve_cassette("ollama/cloud-v1-error-400-context-length.cassette.json").await;
    let error = run_err(
        &ollama(&server, "gpt-oss:120b"),
        &user_request("hi", vec![], 0),
    )
    .await;
    assert!(
        matches!(error, ModelError::Http { status: 400, .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("exceeded max context length"), "{text}");
    assert!(text.contains("context is too large"), "{text}");
    assert!(!error.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn ollama_reasoning_is_not_text_and_whole_tool_call_is_read() {
    let server = serve(vec![Reply::sse(read_fixture(
        "ollama/v1-stream-reasoning-then-whole-tool_call.sse",
    ))])
    .await;
    let model = ollama(&server, "qwen3");
    let info = model.info();
    assert_eq!(info.spec, "ollama:qwen3");
    assert!(info.local);
    let events = run_ok(&model, &user_request("Weather in Berlin?", vec![], 0)).await;
    assert_eq!(
        events,
        vec![
            call(
                "call_blqyt530",
                "weather",
                r#"{"latitude":"52.5200","longitude":"13.4050"}"#
            ),
            usage(195, 140, 0),
            ModelEvent::Stop(StopReason::ToolUse),
        ]
    );
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn ollama_qwen3_tool_loop_round_trips() {
    let rel = "ollama/v1-stream-tool-loop-qwen3.cassette.json";
    let (server, _) = serve_cassette(rel).await;
    let turns = replay_tool_loop(rel, ollama(&server, "qwen3")).await;
    assert_eq!(turns.len(), 4);
    assert_eq!(
        tail_of(&turns[0]),
        vec![
            call(
                "call_blqyt530",
                "weather",
                r#"{"latitude":"52.5200","longitude":"13.4050"}"#
            ),
            usage(195, 140, 0),
            ModelEvent::Stop(StopReason::ToolUse),
        ]
    );
    assert!(text_of(&turns[1]).starts_with("The current weather in Berlin"));
    assert_eq!(
        turns[1].last(),
        Some(&ModelEvent::Stop(StopReason::EndTurn))
    );
    assert_eq!(calls_of(&turns[2])[0].id, "call_velv45o4");
    assert!(text_of(&turns[3]).starts_with("The current weather in Paris"));
    assert_loop_requests(&server, rel).await;
}

// ---------- other OpenAI-compatible servers ----------

#[tokio::test]
async fn gpustack_stream_without_done_and_reasoning_content() {
    let (server, recorded) =
        serve_cassette("other/gpustack-stream-reasoning_content-no-done.cassette.json").await;
    let model = openai(&server, "qwen3");
    let events = run_ok(&model, &user_request("Count from 1 to 3", vec![], 0)).await;
    assert_eq!(text_of(&events), "\n\n1, 2, 3.");
    assert_eq!(
        tail_of(&events),
        vec![usage(15, 171, 0), ModelEvent::Stop(StopReason::EndTurn)]
    );
    // The .sse cut of the same body is byte-identical to the cassette's.
    assert_eq!(
        recorded["interactions"][0]["response"]["body"]
            .as_str()
            .unwrap(),
        read_fixture("other/gpustack-stream-reasoning_content-no-done.sse")
    );
    let mut expected = recorded["interactions"][0]["request"]["body"].clone();
    expected["max_tokens"] = json!(8192);
    assert_eq!(bodies(&server).await[0], expected);
}

#[tokio::test]
async fn mistral_whole_call_in_one_chunk_with_cached_usage() {
    let rel = "other/mistral-stream-tool-call-one-chunk.cassette.json";
    let (server, _) = serve_cassette(rel).await;
    let turns = replay_tool_loop(rel, openai(&server, "mistral-small-latest")).await;
    assert_eq!(
        turns[0],
        vec![
            call(
                "g6fVbXS8K",
                "weather",
                r#"{"latitude": "52.5200", "longitude": "13.4050"}"#
            ),
            usage(159 - 128, 28, 128),
            ModelEvent::Stop(StopReason::ToolUse),
        ]
    );
    assert_eq!(
        tail_of(&turns[1]),
        vec![
            usage(222 - 192, 43, 192),
            ModelEvent::Stop(StopReason::EndTurn)
        ]
    );
    assert_eq!(calls_of(&turns[2])[0].id, "VzeppoSaq");
    assert_eq!(turns.len(), 4);
    assert_loop_requests(&server, rel).await;
}

#[tokio::test]
async fn openrouter_429_is_retried_then_succeeds() {
    let recorded = cassette("other/openrouter-error-429-upstream-rate-limit.cassette.json");
    let mut replies: Vec<Reply> = recorded["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(Reply::recorded)
        .collect();
    assert_eq!(replies.len(), 3);
    replies.push(Reply::sse(read_fixture(
        "openai-chat/stream-single-tool_call-include_usage.sse",
    )));
    let server = serve(replies).await;
    let model = openai(&server, "google/gemini-2.0-flash-exp:free");
    let events = run_ok(&model, &user_request("Tell me a joke.", vec![], 0)).await;
    assert_eq!(events.last(), Some(&ModelEvent::Stop(StopReason::ToolUse)));
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 4);
    assert!(
        sent.iter().all(|b| b == &sent[0]),
        "every attempt sends the same body"
    );
}

#[tokio::test]
async fn openrouter_429_after_the_last_attempt_is_a_retryable_error() {
    let (server, _) =
        serve_cassette("other/openrouter-error-429-upstream-rate-limit.cassette.json").await;
    let mut config = OpenAiConfig::openai_from_vars(
        "google/gemini-2.0-flash-exp:free".into(),
        Some(format!("{}/v1", server.uri())),
        None,
        None,
    )
    .unwrap();
    config.http = HttpSettings {
        max_attempts: 3,
        ..fast_settings()
    };
    let model = OpenAiModel::new(config).unwrap();
    let error = run_err(&model, &user_request("Tell me a joke.", vec![], 0)).await;
    assert!(
        matches!(error, ModelError::Http { status: 429, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("Provider returned error"),
        "{error}"
    );
    assert!(error.is_retryable(), "the core may retry the turn later");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn azure_429_waits_as_the_server_says() {
    let recorded = cassette("other/azure-error-429-RateLimitReached-retry-after.cassette.json");
    let limited = Reply::recorded(&recorded["interactions"][0]);
    // Azure sent `retry-after: 1` and `retry-after-ms: 0`; the milliseconds win.
    assert_eq!(limited.headers.len(), 2);
    let success = Reply::sse(read_fixture(
        "openai-chat/stream-single-tool_call-include_usage.sse",
    ));
    // A backoff this long would show if the headers were ignored.
    let patient = HttpSettings {
        base_backoff: Duration::from_secs(5),
        ..fast_settings()
    };
    let model_for = |server: &MockServer| {
        let mut config = OpenAiConfig::openai_from_vars(
            "grok-4-1-fast-non-reasoning".into(),
            Some(format!("{}/v1", server.uri())),
            None,
            Some("k".into()),
        )
        .unwrap();
        config.http = patient.clone();
        OpenAiModel::new(config).unwrap()
    };

    let server = serve(vec![limited.clone(), success.clone()]).await;
    let started = Instant::now();
    let events = run_ok(&model_for(&server), &user_request("Hi", vec![], 0)).await;
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(events.last(), Some(&ModelEvent::Stop(StopReason::ToolUse)));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // Without the millisecond header, `retry-after: 1` means one second.
    let mut seconds_only = limited;
    seconds_only
        .headers
        .retain(|(name, _)| name.eq_ignore_ascii_case("retry-after"));
    let server = serve(vec![seconds_only, success]).await;
    let started = Instant::now();
    run_ok(&model_for(&server), &user_request("Hi", vec![], 0)).await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_millis(2400),
        "{waited:?}"
    );
}

// ---------- hand-written streams (no recording exists for these cases) ----------

fn chunk(delta: Value, finish: Option<&str>) -> String {
    format!(
        "data: {}\n\n",
        json!({"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    )
}

#[tokio::test]
async fn error_object_mid_stream_fails_the_turn() {
    // Hand-written: OpenRouter-style error chunk after some text.
    let body = chunk(json!({"content": "Hel"}), None)
        + "data: {\"error\":{\"code\":502,\"message\":\"Upstream provider disconnected\"}}\n\n";
    let server = serve(vec![Reply::sse(body)]).await;
    let model = openai(&server, "m");
    let items = run(&model, &user_request("hi", vec![], 0)).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(
        items[0].as_ref().unwrap(),
        &ModelEvent::TextDelta("Hel".into())
    );
    let error = items[1].as_ref().unwrap_err();
    assert!(
        error.to_string().contains("Upstream provider disconnected"),
        "{error}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn stream_cut_before_the_end_is_a_retryable_error() {
    // Hand-written: the body stops with neither a finish reason nor [DONE].
    let body = chunk(
        json!({"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "weather", "arguments": "{\"lat"}}]}),
        None,
    );
    let server = serve(vec![Reply::sse(body)]).await;
    let model = openai(&server, "m");
    let items = run(&model, &user_request("hi", vec![], 0)).await;
    assert_eq!(
        items.len(),
        1,
        "no tool call may come out of a cut turn: {items:?}"
    );
    assert!(items[0].as_ref().unwrap_err().is_retryable());
}

#[tokio::test]
async fn text_tool_calls_from_a_local_model_become_calls() {
    // Hand-written: a Qwen/Hermes-style `<tool_call>` tag as content, split across chunks.
    let body = chunk(json!({"content": "Checking.\n<tool_"}), None)
        + &chunk(
            json!({"content": "call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Berlin\"}}\n</tool_call>"}),
            None,
        )
        + &chunk(json!({"content": ""}), Some("stop"))
        + "data: [DONE]\n\n";
    let server = serve(vec![Reply::sse(body)]).await;
    let model = ollama(&server, "qwen2.5");
    let tools = vec![ToolDef {
        name: "weather".into(),
        description: "Weather".into(),
        input_schema: json!({"type": "object"}),
    }];
    let events = run_ok(&model, &user_request("Weather in Berlin?", tools, 0)).await;
    assert_eq!(text_of(&events), "Checking.\n");
    let calls = calls_of(&events);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].name, "weather");
    assert_eq!(calls[0].input_json, r#"{"city":"Berlin"}"#);
    assert!(calls[0].id.starts_with("call_"));
    assert_eq!(events.last(), Some(&ModelEvent::Stop(StopReason::ToolUse)));
}
