//! The Anthropic provider under faults: rate limits, overload, broken and silent streams,
//! malformed data, cancellation, configuration. Recorded replays are in `anthropic.rs`.

#[path = "support/anthropic_replay.rs"]
mod support;

use std::time::{Duration, Instant};

use cowork_models::{
    AnthropicConfig, AnthropicModel, HttpSettings, Message, Model, ModelError, ModelEvent,
    ModelRequest, StopReason,
};
use serde_json::json;
use support::*;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};
// Hand-written (no recording exists, see the fixtures README): the error envelope that public
// logs show for 429 and 529.
fn error_body(kind: &str, message: &str) -> String {
    json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_hand"})
        .to_string()
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_raw(
                    error_body("rate_limit_error", "slow down"),
                    "application/json",
                ),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    replay(&server, &cassette("stream-stop-max_tokens")).await;
    let started = Instant::now();
    let turn = run(&model(&server), &ModelRequest::default()).await;
    assert_eq!(turn.error, None);
    assert_eq!(turn.stop, Some(StopReason::MaxTokens));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retry-after was not honored"
    );
    let bodies = sent_bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1]);
}

#[tokio::test]
async fn overloaded_529_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    serve(
        &server,
        vec![(
            529,
            "application/json".into(),
            error_body("overloaded_error", "Overloaded"),
        )],
    )
    .await;
    replay(&server, &cassette("stream-stop-max_tokens")).await;
    let turn = run(&model(&server), &ModelRequest::default()).await;
    assert_eq!(turn.error, None);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn overload_that_persists_gives_up_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(529).set_body_raw(
            error_body("overloaded_error", "Overloaded"),
            "application/json",
        ))
        .mount(&server)
        .await;
    let turn = run(&model(&server), &ModelRequest::default()).await;
    let err = turn.error_value.unwrap();
    assert!(
        matches!(err, ModelError::Http { status: 529, .. }),
        "{err:?}"
    );
    assert!(
        err.is_retryable(),
        "the core may still retry the turn later"
    );
    assert!(err.to_string().contains("overloaded"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn overloaded_error_mid_stream_is_a_retryable_error_item() {
    let server = MockServer::start().await;
    let body = first_events("stream-thinking-then-text", 20)
        + "event: error\ndata: "
        + &error_body("overloaded_error", "Overloaded")
        + "\n\n";
    serve(&server, vec![(200, SSE.into(), body)]).await;
    let turn = run(&model(&server), &ModelRequest::default()).await;
    let err = turn.error_value.unwrap();
    assert!(err.is_retryable(), "{err}");
    assert!(err.to_string().contains("overloaded_error"), "{err}");
    assert!(turn.stop.is_none() && turn.usage.is_empty());
    // Only one request: after the first byte the provider does not retry on its own.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    let server = MockServer::start().await;
    let body = first_events("stream-thinking-then-text", 3)
        + "event: error\ndata: "
        + &error_body("invalid_request_error", "bad")
        + "\n\n";
    serve(&server, vec![(200, SSE.into(), body)]).await;
    let err = run(&model(&server), &ModelRequest::default())
        .await
        .error_value
        .unwrap();
    assert!(!err.is_retryable(), "{err}");
}

#[tokio::test]
async fn a_stream_that_ends_before_message_stop_is_an_error() {
    let server = MockServer::start().await;
    let recorded = cassette("stream-text-then-2-parallel-tool_use");
    let half = recorded[0].body.len() / 2;
    serve(
        &server,
        vec![(200, SSE.into(), recorded[0].body[..half].to_string())],
    )
    .await;
    let turn = run(&model(&server), &ModelRequest::default()).await;
    let err = turn.error_value.unwrap();
    assert!(err.to_string().contains("before message_stop"), "{err}");
    assert!(err.is_retryable());
    assert!(turn.stop.is_none());
}

#[tokio::test]
async fn a_connection_dropped_mid_body_is_an_error() {
    let body = cassette("stream-text-then-2-parallel-tool_use")[0]
        .body
        .clone();
    let half = body.len() / 2;
    let server = RawServer::start(vec![Step::Send(body.as_bytes()[..half].to_vec())], false).await;
    let turn = run(&model_at(&server.url, settings()), &ModelRequest::default()).await;
    let err = turn.error_value.unwrap();
    assert!(err.is_retryable(), "{err}");
    assert!(turn.stop.is_none());
}

#[tokio::test]
async fn malformed_event_data_is_an_error() {
    let server = MockServer::start().await;
    let body = first_events("stream-stop-max_tokens", 3)
        + "event: content_block_delta\ndata: {\"type\":\"content_bl\n\n";
    serve(&server, vec![(200, SSE.into(), body)]).await;
    let err = run(&model(&server), &ModelRequest::default())
        .await
        .error_value
        .unwrap();
    assert!(matches!(err, ModelError::Stream { .. }), "{err:?}");
    assert!(err.to_string().contains("malformed"), "{err}");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    // Silence between chunks.
    let body = cassette("stream-stop-max_tokens")[0].body.clone();
    let server = RawServer::start(
        vec![
            Step::Send(first_events("stream-stop-max_tokens", 3).into_bytes()),
            Step::Sleep(Duration::from_secs(2)),
            Step::Send(body.into_bytes()),
        ],
        true,
    )
    .await;
    let http = HttpSettings {
        idle_timeout: Duration::from_millis(300),
        ..settings()
    };
    let started = Instant::now();
    let err = run(&model_at(&server.url, http), &ModelRequest::default())
        .await
        .error_value
        .unwrap();
    assert!(
        matches!(
            err,
            ModelError::Timeout {
                stage: "between stream chunks",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_millis(1500));

    // Silence before the headers.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let http = HttpSettings {
        first_byte_timeout: Duration::from_millis(300),
        ..settings()
    };
    let err = run(&model_at(&server.uri(), http), &ModelRequest::default())
        .await
        .error_value
        .unwrap();
    assert!(
        matches!(
            err,
            ModelError::Timeout {
                stage: "first byte",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn random_chunk_splits_give_the_same_turn() {
    let body = std::fs::read(fixture_path("stream-thinking-then-text.sse")).unwrap();
    let server = MockServer::start().await;
    serve(
        &server,
        vec![(200, SSE.into(), String::from_utf8(body.clone()).unwrap())],
    )
    .await;
    let whole = run(&model(&server), &ModelRequest::default()).await;
    assert_eq!(whole.error, None);
    for seed in 0..3 {
        let server = RawServer::start(random_pieces(&body, seed), true).await;
        let request = ModelRequest {
            system: "s".into(),
            messages: vec![Message::user_text("How do I cross the street?")],
            ..ModelRequest::default()
        };
        let split = run(&model_at(&server.url, settings()), &request).await;
        assert_eq!(split.events, whole.events, "seed {seed}");
        let sent = server.request().await;
        assert!(sent.head.contains("x-api-key: test-key"), "{}", sent.head);
        assert!(sent.head.contains("anthropic-version: 2023-06-01"));
        assert_eq!(sent.body["system"][0]["cache_control"], eph());
    }
}

#[tokio::test]
async fn info_and_configuration() {
    let local = model_at("http://127.0.0.1:9", settings());
    let info = local.info();
    assert_eq!(info.spec, "anthropic:claude-test");
    assert!(info.local);
    assert_eq!(info.region, None);
    assert!(
        !model_at("https://api.anthropic.com", settings())
            .info()
            .local
    );

    // The only test touching the environment, so nothing races with it.
    // SAFETY: no other thread in this test binary reads or writes these variables.
    unsafe {
        std::env::remove_var("ANTHROPIC_API_KEY");
        std::env::remove_var("ANTHROPIC_BASE_URL");
    }
    let err = AnthropicConfig::from_env("claude-x").unwrap_err();
    assert!(err.to_string().contains("ANTHROPIC_API_KEY"), "{err}");
    unsafe {
        std::env::set_var("ANTHROPIC_API_KEY", "sk-ant-test");
    }
    let config = AnthropicConfig::from_env("claude-x").unwrap();
    assert_eq!(config.base_url, "https://api.anthropic.com");
    assert_eq!(config.api_key, "sk-ant-test");
    unsafe {
        std::env::set_var("ANTHROPIC_BASE_URL", "http://localhost:4000/");
    }
    let model = AnthropicModel::new(AnthropicConfig::from_env("claude-x").unwrap()).unwrap();
    assert!(model.info().local);
    assert!(!format!("{:?}", model.config()).contains("sk-ant-test"));
}

#[tokio::test]
async fn dropping_the_stream_stops_the_request() {
    let server = RawServer::start(
        vec![
            Step::Send(first_events("stream-stop-max_tokens", 3).into_bytes()),
            Step::Sleep(Duration::from_secs(10)),
        ],
        true,
    )
    .await;
    let model = model_at(&server.url, settings());
    let mut stream = model.stream(&ModelRequest::default());
    use futures::StreamExt;
    assert!(matches!(
        stream.next().await,
        Some(Ok(ModelEvent::TextDelta(_)))
    ));
    drop(stream);
    // The server sees its connection closed well before its 10 s script ends.
    tokio::time::timeout(Duration::from_secs(3), server.closed())
        .await
        .unwrap();
}
