//! The Anthropic provider against recorded Messages API exchanges
//! (`shared/fixtures/model-wire/anthropic/`) and hand-made faults. Each test asserts both what
//! we make of the response and the exact request we sent.

#[path = "support/anthropic_replay.rs"]
mod support;

use cowork_models::{
    ContentBlock, Message, ModelError, ModelEvent, ModelRequest, Role, StopReason, ToolDef,
};
use serde_json::{Value, json};
use support::*;
use wiremock::MockServer;

fn secret_tool() -> ToolDef {
    ToolDef {
        name: "secret_retrieval_tool".into(),
        description: "A tool that requires a password to retrieve a secret.".into(),
        input_schema: json!({"properties": {"password": {"title": "Password", "type": "string"}},
            "required": ["password"], "additionalProperties": false, "type": "object"}),
    }
}

#[tokio::test]
async fn text_then_two_parallel_tool_uses_and_the_follow_up_turn() {
    let server = MockServer::start().await;
    replay(&server, &cassette("stream-text-then-2-parallel-tool_use")).await;
    let model = model(&server);
    let user = Message::user_text(
        "Please retrieve the secrets associated with each of these passwords: mellon,radiance",
    );
    let mut request = ModelRequest {
        system: "Use parallel tool calling.".into(),
        messages: vec![user],
        tools: vec![
            ToolDef {
                name: "noop".into(),
                description: "Does nothing.".into(),
                input_schema: json!({"type": "object"}),
            },
            secret_tool(),
        ],
        max_output_tokens: 0,
    };
    let turn = run(&model, &request).await;
    assert_eq!(turn.error, None);
    assert_eq!(
        turn.text,
        "I'll retrieve the secrets for both passwords you provided."
    );
    assert_eq!(
        turn.calls,
        vec![
            call(
                "toolu_015cUijgET79LXjgeYQerN2h",
                "secret_retrieval_tool",
                r#"{"password": "mellon"}"#
            ),
            call(
                "toolu_01XZTimPexA7h3EVKesnKt5T",
                "secret_retrieval_tool",
                r#"{"password": "radiance"}"#
            ),
        ]
    );
    assert_eq!(turn.usage, vec![usage(416, 109, 0, 0)]);
    assert_eq!(turn.stop, Some(StopReason::ToolUse));
    // Text first, tool calls after it, Usage then Stop last.
    assert!(matches!(
        turn.events.first(),
        Some(ModelEvent::TextDelta(_))
    ));
    assert!(matches!(turn.events.last(), Some(ModelEvent::Stop(_))));

    // Second turn: the text comes before the results in our message; the wire puts results first.
    request.messages.push(Message {
        role: Role::Assistant,
        content: vec![
            ContentBlock::Text {
                text: turn.text.clone(),
            },
            tool_use(&turn.calls[0]),
            tool_use(&turn.calls[1]),
        ],
    });
    request.messages.push(Message {
        role: Role::User,
        content: vec![
            ContentBlock::Text {
                text: "(results below)".into(),
            },
            ContentBlock::ToolResult {
                tool_use_id: "toolu_015cUijgET79LXjgeYQerN2h".into(),
                content: "Welcome to Moria!".into(),
                is_error: false,
            },
            ContentBlock::ToolResult {
                tool_use_id: "toolu_01XZTimPexA7h3EVKesnKt5T".into(),
                content: "Life before Death".into(),
                is_error: true,
            },
        ],
    });
    request.max_output_tokens = 1024;
    let turn = run(&model, &request).await;
    assert_eq!(turn.error, None);
    assert!(turn.text.starts_with("Here are the secrets retrieved"));
    assert!(turn.calls.is_empty());
    assert_eq!(turn.stop, Some(StopReason::EndTurn));

    let bodies = sent_bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    let tools = json!([
        {"name": "noop", "description": "Does nothing.", "input_schema": {"type": "object"}},
        {"name": "secret_retrieval_tool",
         "description": "A tool that requires a password to retrieve a secret.",
         "input_schema": {"properties": {"password": {"title": "Password", "type": "string"}},
            "required": ["password"], "additionalProperties": false, "type": "object"},
         "cache_control": eph()},
    ]);
    let system =
        json!([{"type": "text", "text": "Use parallel tool calling.", "cache_control": eph()}]);
    let question =
        "Please retrieve the secrets associated with each of these passwords: mellon,radiance";
    assert_eq!(
        bodies[0],
        json!({
            "model": "claude-test", "max_tokens": 16000, "stream": true,
            "system": system, "tools": tools,
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": question, "cache_control": eph()}]}],
        })
    );
    assert_eq!(
        bodies[1],
        json!({
            "model": "claude-test", "max_tokens": 1024, "stream": true,
            "system": system, "tools": tools,
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": question}]},
                {"role": "assistant", "content": [
                    {"type": "text", "text": "I'll retrieve the secrets for both passwords you provided."},
                    {"type": "tool_use", "id": "toolu_015cUijgET79LXjgeYQerN2h",
                     "name": "secret_retrieval_tool", "input": {"password": "mellon"}},
                    {"type": "tool_use", "id": "toolu_01XZTimPexA7h3EVKesnKt5T",
                     "name": "secret_retrieval_tool", "input": {"password": "radiance"}},
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_015cUijgET79LXjgeYQerN2h",
                     "content": "Welcome to Moria!"},
                    {"type": "tool_result", "tool_use_id": "toolu_01XZTimPexA7h3EVKesnKt5T",
                     "content": "Life before Death", "is_error": true},
                    {"type": "text", "text": "(results below)", "cache_control": eph()},
                ]},
            ],
        })
    );
}

#[tokio::test]
async fn thinking_then_text_and_the_thinking_block_goes_back_intact() {
    let server = MockServer::start().await;
    let recorded = cassette("stream-thinking-then-text");
    replay(&server, &recorded).await;
    serve(&server, vec![(200, SSE.into(), recorded[0].body.clone())]).await;
    let model = model(&server);
    let mut request = ModelRequest {
        messages: vec![Message::user_text("How do I cross the street?")],
        ..ModelRequest::default()
    };
    let turn = run(&model, &request).await;
    assert_eq!(turn.error, None);
    let expected = recorded_thinking(&recorded[0].body);
    assert_eq!(turn.thinking, expected);
    let ContentBlock::Thinking {
        thinking,
        signature,
    } = &turn.thinking[0]
    else {
        panic!("{:?}", turn.thinking);
    };
    assert!(
        thinking.starts_with("This is a straightforward question about pedestrian safety."),
        "{thinking}"
    );
    assert_eq!(signature.len(), 504);
    // The thinking block is complete before any text.
    let first_text = turn
        .events
        .iter()
        .position(|e| matches!(e, ModelEvent::TextDelta(_)));
    let thinking_at = turn
        .events
        .iter()
        .position(|e| matches!(e, ModelEvent::Thinking(_)));
    assert!(thinking_at < first_text);
    assert!(
        turn.text
            .starts_with("Here are the basic steps for safely crossing the street")
    );
    assert_eq!(turn.text.len(), 1021);
    assert_eq!(turn.stop, Some(StopReason::EndTurn));
    assert_eq!(turn.usage, vec![usage(43, 282, 0, 0)]);

    request.messages.push(Message {
        role: Role::Assistant,
        content: vec![
            turn.thinking[0].clone(),
            ContentBlock::Text {
                text: turn.text.clone(),
            },
        ],
    });
    request.messages.push(Message::user_text("Thanks"));
    run(&model, &request).await;
    let bodies = sent_bodies(&server).await;
    assert_eq!(
        bodies[0].get("system"),
        None,
        "an empty system prompt is left out"
    );
    assert_eq!(bodies[0].get("tools"), None);
    assert_eq!(
        bodies[1]["messages"][1]["content"][0],
        json!({"type": "thinking", "thinking": thinking, "signature": signature})
    );
}

#[tokio::test]
async fn redacted_thinking_blocks_are_kept_opaque() {
    let server = MockServer::start().await;
    let recorded = cassette("stream-redacted-thinking");
    replay(&server, &recorded).await;
    let turn = run(&model(&server), &ModelRequest::default()).await;
    assert_eq!(turn.error, None);
    let expected = recorded_thinking(&recorded[0].body);
    assert_eq!(expected.len(), 2);
    assert!(
        expected
            .iter()
            .all(|b| matches!(b, ContentBlock::RedactedThinking { .. }))
    );
    assert_eq!(turn.thinking, expected);
    assert!(turn.text.starts_with("I notice that you've sent"));
    assert_eq!(turn.usage, vec![usage(92, 189, 0, 0)]);

    let request = ModelRequest {
        messages: vec![Message {
            role: Role::Assistant,
            content: turn.thinking.clone(),
        }],
        ..ModelRequest::default()
    };
    serve(&server, vec![(200, SSE.into(), recorded[0].body.clone())]).await;
    run(&model(&server), &request).await;
    let ContentBlock::RedactedThinking { data } = &turn.thinking[1] else {
        panic!()
    };
    // Thinking blocks never get a cache breakpoint (the API rejects it).
    assert_eq!(
        sent_bodies(&server).await[1]["messages"][0]["content"][1],
        json!({"type": "redacted_thinking", "data": data})
    );
}

#[tokio::test]
async fn max_tokens_stop() {
    let server = MockServer::start().await;
    replay(&server, &cassette("stream-stop-max_tokens")).await;
    let request = ModelRequest {
        messages: vec![Message::user_text("List all U.S. states.")],
        max_output_tokens: 50,
        ..ModelRequest::default()
    };
    let turn = run(&model(&server), &request).await;
    assert_eq!(turn.error, None);
    assert_eq!(turn.stop, Some(StopReason::MaxTokens));
    assert!(turn.text.ends_with("8. Delaware\n9"), "{}", turn.text);
    assert_eq!(turn.usage, vec![usage(15, 50, 0, 0)]);
    assert_eq!(sent_bodies(&server).await[0]["max_tokens"], 50);
}

#[tokio::test]
async fn parallel_tool_uses_without_arguments_get_empty_objects() {
    let server = MockServer::start().await;
    let recorded = cassette("stream-2-parallel-tool_use-empty-input");
    replay(&server, &recorded).await;
    let model = model(&server);
    let tool = ToolDef {
        name: "pelican_name_generator".into(),
        description: String::new(),
        input_schema: json!({"properties": {}, "type": "object"}),
    };
    let mut request = ModelRequest {
        messages: vec![Message::user_text("Two names for a pet pelican")],
        tools: vec![tool],
        ..ModelRequest::default()
    };
    let turn = run(&model, &request).await;
    assert_eq!(turn.error, None);
    assert_eq!(
        turn.calls,
        vec![
            call(
                "toolu_01LtHJmixrs9NcWQkK8hu8hj",
                "pelican_name_generator",
                "{}"
            ),
            call(
                "toolu_01N8a4jWyf116qKTMqKKmjyt",
                "pelican_name_generator",
                "{}"
            ),
        ]
    );
    assert_eq!(turn.stop, Some(StopReason::ToolUse));
    request.messages.push(Message {
        role: Role::Assistant,
        content: turn.calls.iter().map(tool_use).collect(),
    });
    request.messages.push(Message {
        role: Role::User,
        content: ["Charles", "Sammy"]
            .iter()
            .zip(&turn.calls)
            .map(|(name, c)| ContentBlock::ToolResult {
                tool_use_id: c.id.clone(),
                content: name.to_string(),
                is_error: false,
            })
            .collect(),
    });
    let turn = run(&model, &request).await;
    assert!(turn.text.contains("**Charles**") && turn.text.contains("**Sammy**"));
    assert_eq!(turn.usage, vec![usage(678, 82, 0, 0)]);
    let bodies = sent_bodies(&server).await;
    // Same messages as the recorded client sent, apart from our cache breakpoint and the " "
    // text block that client invented for a turn without text.
    let mut recorded_messages = recorded[1].request["messages"].clone();
    recorded_messages[1]["content"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    recorded_messages[2]["content"][1]["cache_control"] = eph();
    assert_eq!(bodies[1]["messages"], recorded_messages);
    assert_eq!(bodies[1]["tools"][0]["description"], "");
}

#[tokio::test]
async fn multi_turn_tool_loop_matches_the_recorded_conversation() {
    let server = MockServer::start().await;
    let recorded = cassette("stream-tool-loop-multiturn");
    replay(&server, &recorded).await;
    let model = model(&server);
    let weather = &recorded[0].request["tools"][0];
    let mut request = ModelRequest {
        tools: vec![ToolDef {
            name: "weather".into(),
            description: weather["description"].as_str().unwrap().into(),
            input_schema: weather["input_schema"].clone(),
        }],
        ..ModelRequest::default()
    };
    let asks = [
        "What's the weather in Berlin? (52.5200, 13.4050)",
        "What's the weather in Paris? (48.8575, 2.3514)",
    ];
    let mut stops = Vec::new();
    for ask in asks {
        request.messages.push(Message::user_text(ask));
        loop {
            let turn = run(&model, &request).await;
            assert_eq!(turn.error, None);
            stops.push(turn.stop.clone().unwrap());
            let mut content = Vec::new();
            if !turn.text.is_empty() {
                content.push(ContentBlock::Text {
                    text: turn.text.clone(),
                });
            }
            content.extend(turn.calls.iter().map(tool_use));
            request.messages.push(Message {
                role: Role::Assistant,
                content,
            });
            if turn.calls.is_empty() {
                break;
            }
            let input: Value = serde_json::from_str(&turn.calls[0].input_json).unwrap();
            request.messages.push(Message {
                role: Role::User,
                content: vec![ContentBlock::ToolResult {
                    tool_use_id: turn.calls[0].id.clone(),
                    content: format!(
                        "Current weather at {}, {}: 15°C, Wind: 10 km/h",
                        input["latitude"].as_str().unwrap(),
                        input["longitude"].as_str().unwrap()
                    ),
                    is_error: false,
                }],
            });
        }
    }
    use StopReason::*;
    assert_eq!(stops, vec![ToolUse, EndTurn, ToolUse, EndTurn]);
    let bodies = sent_bodies(&server).await;
    assert_eq!(bodies.len(), 4);
    for (ours, theirs) in bodies.iter().zip(&recorded) {
        // The recorded client sent tool results as a list of text blocks; we send the string.
        let flatten = |messages: &Value| -> Vec<(String, Vec<String>)> {
            messages
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    let blocks = m["content"].as_array().unwrap().iter().map(|b| {
                        let content = match &b["content"] {
                            Value::Array(parts) => parts[0]["text"].clone(),
                            other => other.clone(),
                        };
                        format!(
                            "{} {} {} {} {}",
                            b["type"], b["text"], b["id"], b["input"], content
                        )
                    });
                    (m["role"].as_str().unwrap().to_string(), blocks.collect())
                })
                .collect()
        };
        assert_eq!(
            flatten(&ours["messages"]),
            flatten(&theirs.request["messages"])
        );
        assert_eq!(
            ours["tools"][0]["input_schema"],
            theirs.request["tools"][0]["input_schema"]
        );
    }
}

#[tokio::test]
async fn cache_usage_and_server_tools_from_message_delta() {
    // vercel/ai's chunk format, wrapped as the README says; server-side tool blocks are the
    // API's own business and must not become tool calls for us to run.
    let server = MockServer::start().await;
    let body = chunks_to_sse("vercel-server-tool-with-cache-usage");
    serve(&server, vec![(200, SSE.into(), body)]).await;
    let turn = run(&model(&server), &ModelRequest::default()).await;
    assert_eq!(turn.error, None);
    assert!(turn.calls.is_empty(), "{:?}", turn.calls);
    assert_eq!(turn.usage, vec![usage(6, 198, 6289, 3337)]);
    assert_eq!(turn.stop, Some(StopReason::EndTurn));
}

async fn error_case(fixture: &str) -> (ModelError, usize) {
    let server = MockServer::start().await;
    replay(&server, &cassette(fixture)).await;
    let turn = run(&model(&server), &ModelRequest::default()).await;
    assert!(turn.events.is_empty());
    let requests = server.received_requests().await.unwrap().len();
    (turn.error_value.unwrap(), requests)
}

#[tokio::test]
async fn recorded_errors_say_what_to_do_and_are_not_retried() {
    let (err, requests) = error_case("error-401-authentication").await;
    let text = err.to_string();
    assert!(
        matches!(err, ModelError::Http { status: 401, .. }),
        "{err:?}"
    );
    assert!(
        text.contains("invalid x-api-key") && text.contains("set ANTHROPIC_API_KEY"),
        "{text}"
    );
    assert!(!err.is_retryable());
    assert_eq!(requests, 1);

    let (err, requests) = error_case("error-400-prompt-too-long").await;
    let text = err.to_string();
    assert!(
        text.contains("prompt is too long") && text.contains("context is too large"),
        "{text}"
    );
    assert!(!err.is_retryable());
    assert_eq!(requests, 1);

    let (err, requests) = error_case("error-404-not-found-on-stream-request").await;
    let text = err.to_string();
    assert!(
        text.contains("this-model-does-not-exist-12345") && text.contains("unknown model name"),
        "{text}"
    );
    assert!(!err.is_retryable());
    assert_eq!(requests, 1);
}
