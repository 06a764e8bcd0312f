//! Which model a session gets: the resolution order, the Ollama probe against a mock
//! `/api/tags`, and configured settings reaching the wire and `Model`'s reports.
//!
//! The environment is passed to `resolve_with` as a closure, so these tests never touch the
//! process environment and can run in parallel.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use cowork_models::{
    Message, ModelCatalog, ModelError, ModelEvent, ModelRequest, Price, Resolved, probe_ollama,
    resolve_with,
};
use cowork_protocol::Usage;
use futures::StreamExt;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const USER: &str = "/home/u/.config/cowork/config.toml";

fn catalog(text: &str) -> ModelCatalog {
    let mut file: toml::Table = text.parse().unwrap();
    let tables = match file.remove("models") {
        Some(toml::Value::Table(models)) => vec![(models, USER.to_string())],
        _ => vec![],
    };
    ModelCatalog::from_tables(&tables).unwrap()
}

type Env = HashMap<&'static str, String>;

fn env(vars: &[(&'static str, &str)]) -> Env {
    vars.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// An address where nothing listens: connections are refused at once.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

async fn resolve(
    requested: Option<&str>,
    catalog: &ModelCatalog,
    base_url: Option<&str>,
    vars: &Env,
    ollama: &str,
) -> Result<Resolved, ModelError> {
    let lookup = |name: &str| vars.get(name).cloned();
    resolve_with(
        requested,
        catalog,
        base_url.map(str::to_string),
        &lookup,
        ollama,
    )
    .await
}

const CONFIG: &str = r#"
[models]
default = "work"
[models.work]
provider = "openai"
model = "qwen2.5-coder:32b"
base_url = "http://gpu-box.lan:8000/v1"
local = true
region = "eu"
context_window = 32768
max_output_tokens = 4096
price = { input = 0.2, output = 0.6 }
[models.claude]
provider = "anthropic"
model = "claude-sonnet-4-5"
api_key_env = "TEAM_ANTHROPIC_KEY"
"#;

#[tokio::test]
async fn the_resolution_order() {
    let config = catalog(CONFIG);
    let empty = catalog("");
    let down = closed_port();
    let all = env(&[
        ("COWORK_MODEL", "claude"),
        ("TEAM_ANTHROPIC_KEY", "sk-ant-team"),
        ("ANTHROPIC_API_KEY", "sk-ant-1"),
        ("OPENAI_API_KEY", "sk-1"),
    ]);

    // --model beats everything, by name or by spec.
    let r = resolve(Some("work"), &config, None, &all, &down)
        .await
        .unwrap();
    assert_eq!(r.model.info().spec, "openai:qwen2.5-coder:32b");
    assert_eq!(r.entry.as_ref().unwrap().name, "work");
    assert!(r.how.starts_with("from --model"), "{}", r.how);
    assert!(r.how.contains(USER), "{}", r.how);
    let r = resolve(Some("ollama:llama3.2"), &config, None, &all, &down)
        .await
        .unwrap();
    assert_eq!(
        (r.model.info().spec.as_str(), r.how.as_str()),
        ("ollama:llama3.2", "from --model")
    );
    assert!(r.entry.is_none());

    // Then COWORK_MODEL (a name here: the entry's own key variable is used).
    let r = resolve(None, &config, None, &all, &down).await.unwrap();
    assert_eq!(r.model.info().spec, "anthropic:claude-sonnet-4-5");
    assert!(r.how.starts_with("from COWORK_MODEL"), "{}", r.how);

    // Then the config default.
    let mut vars = all.clone();
    vars.remove("COWORK_MODEL");
    let r = resolve(None, &config, None, &vars, &down).await.unwrap();
    assert_eq!(r.how, format!("config default `work` ({USER})"));
    assert_eq!(r.entry.unwrap().name, "work");

    // Then an Anthropic key, then OpenAI.
    let r = resolve(None, &empty, None, &vars, &down).await.unwrap();
    assert_eq!(
        (r.model.info().spec.as_str(), r.how.as_str()),
        ("anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY is set")
    );
    vars.remove("ANTHROPIC_API_KEY");
    let r = resolve(None, &empty, None, &vars, &down).await.unwrap();
    assert_eq!(
        (r.model.info().spec.as_str(), r.how.as_str()),
        ("openai:gpt-4.1-mini", "OPENAI_API_KEY is set")
    );
    let only_base = env(&[("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")]);
    let r = resolve(None, &empty, None, &only_base, &down)
        .await
        .unwrap();
    assert_eq!(r.how, "OPENAI_BASE_URL is set (http://127.0.0.1:8080/v1)");
    assert!(r.model.info().local);
    let r = resolve(
        None,
        &empty,
        Some("http://127.0.0.1:9/v1"),
        &Env::new(),
        &down,
    )
    .await
    .unwrap();
    assert_eq!(r.how, "--base-url http://127.0.0.1:9/v1");

    // Blank values count as unset.
    let blank = env(&[("ANTHROPIC_API_KEY", "  "), ("COWORK_MODEL", "")]);
    let error = resolve(None, &empty, None, &blank, &down)
        .await
        .unwrap_err();
    assert!(matches!(error, ModelError::NoModel { .. }), "{error:?}");
}

#[tokio::test]
async fn a_spec_that_matches_an_entry_uses_its_settings() {
    let config = catalog(CONFIG);
    let r = resolve(
        Some("openai:qwen2.5-coder:32b"),
        &config,
        None,
        &Env::new(),
        &closed_port(),
    )
    .await
    .unwrap();
    assert_eq!(r.entry.as_ref().unwrap().name, "work");
    assert!(r.how.contains("settings of `work`"), "{}", r.how);
    let info = r.model.info();
    assert!(info.local, "declared local although not loopback");
    assert_eq!(info.region.as_deref(), Some("eu"));
    assert_eq!(r.model.context_window(), Some(32768));
}

#[tokio::test]
async fn unknown_names_and_missing_keys_say_what_to_do() {
    let config = catalog(CONFIG);
    let down = closed_port();
    let error = resolve(Some("wrok"), &config, None, &Env::new(), &down)
        .await
        .unwrap_err()
        .to_string();
    for part in ["`wrok`", "claude, work", "PROVIDER:MODEL"] {
        assert!(error.contains(part), "{part}: {error}");
    }
    let error = resolve(Some("claude"), &config, None, &Env::new(), &down)
        .await
        .unwrap_err();
    assert!(matches!(error, ModelError::Config { .. }));
    let error = error.to_string();
    for part in [
        "TEAM_ANTHROPIC_KEY is not set",
        "`claude`",
        USER,
        "export TEAM_ANTHROPIC_KEY",
    ] {
        assert!(error.contains(part), "{part}: {error}");
    }
    assert!(
        resolve(Some("gemini:pro"), &config, None, &Env::new(), &down)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn nothing_found_lists_every_option() {
    let start = Instant::now();
    let error = resolve(None, &catalog(""), None, &Env::new(), &closed_port())
        .await
        .unwrap_err()
        .to_string();
    assert!(start.elapsed() < Duration::from_secs(2));
    for part in [
        "--model",
        "COWORK_MODEL",
        "[models.NAME]",
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "--base-url",
        "ollama:MODEL",
        "ollama serve",
        "tape:FILE",
    ] {
        assert!(error.contains(part), "{part}: {error}");
    }
}

async fn ollama_with(models: Value, delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/tags"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"models": models}))
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    server
}

fn tag(name: &str) -> Value {
    json!({"name": name, "model": name, "size": 2019393189, "digest": "a80c4f17acd5"})
}

#[tokio::test]
async fn a_running_ollama_is_found_and_its_first_model_picked() {
    let server = ollama_with(
        json!([tag("llama3.2:latest"), tag("qwen3:8b")]),
        Duration::ZERO,
    )
    .await;
    assert_eq!(
        probe_ollama(&server.uri(), Duration::from_millis(500)).await,
        Some(vec!["llama3.2:latest".to_string(), "qwen3:8b".to_string()])
    );
    let r = resolve(None, &catalog(""), None, &Env::new(), &server.uri())
        .await
        .unwrap();
    let place = server.uri().trim_start_matches("http://").to_string();
    assert_eq!(r.how, format!("Ollama running on {place} (model llama3.2)"));
    assert_eq!(r.model.info().spec, "ollama:llama3.2");
    assert!(r.model.info().local);

    // A configured Ollama entry whose model is installed is preferred, with its settings.
    let config = catalog(
        "[models.coder]\nprovider = \"ollama\"\nmodel = \"qwen3:8b\"\ncontext_window = 40960\n\
         [models.absent]\nprovider = \"ollama\"\nmodel = \"mistral\"\n",
    );
    let r = resolve(None, &config, None, &Env::new(), &server.uri())
        .await
        .unwrap();
    assert_eq!(r.entry.as_ref().unwrap().name, "coder");
    assert!(
        r.how.contains("model qwen3:8b, configured as `coder`"),
        "{}",
        r.how
    );
    assert_eq!(r.model.context_window(), Some(40960));

    // The built model talks to the Ollama that answered.
    let request = text_reply_request();
    mount_chat(&server, "/v1/chat/completions").await;
    let events: Vec<_> = r.model.stream(&request).collect().await;
    assert!(events.iter().all(Result::is_ok), "{events:?}");
}

#[tokio::test]
async fn an_ollama_without_models_is_skipped_with_a_hint() {
    let server = ollama_with(json!([]), Duration::ZERO).await;
    let error = resolve(None, &catalog(""), None, &Env::new(), &server.uri())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("has no models") && error.contains("ollama pull"),
        "{error}"
    );
}

#[tokio::test]
async fn a_slow_or_absent_ollama_is_skipped_quickly() {
    let slow = ollama_with(json!([tag("llama3.2")]), Duration::from_secs(5)).await;
    let start = Instant::now();
    assert_eq!(
        probe_ollama(&slow.uri(), Duration::from_millis(200)).await,
        None
    );
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );

    let start = Instant::now();
    let error = resolve(None, &catalog(""), None, &Env::new(), &slow.uri())
        .await
        .unwrap_err();
    assert!(matches!(error, ModelError::NoModel { .. }));
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );

    let start = Instant::now();
    assert_eq!(
        probe_ollama(&closed_port(), Duration::from_millis(500)).await,
        None
    );
    assert!(start.elapsed() < Duration::from_millis(500));

    // Something that is not Ollama answers: not taken for one.
    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/tags"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>router</html>"))
        .mount(&other)
        .await;
    assert_eq!(
        probe_ollama(&other.uri(), Duration::from_millis(500)).await,
        None
    );
}

fn text_reply_request() -> ModelRequest {
    ModelRequest {
        system: String::new(),
        messages: vec![Message::user_text("hi")],
        tools: vec![],
        max_output_tokens: 0,
    }
}

const TEXT_SSE: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n\
data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
data: [DONE]\n\n";

async fn mount_chat(server: &MockServer, at: &str) {
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .set_body_string(TEXT_SSE),
        )
        .mount(server)
        .await;
}

async fn bodies(server: &MockServer) -> Vec<(Value, wiremock::Request)> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| (serde_json::from_slice(&r.body).unwrap(), r))
        .collect()
}

#[tokio::test]
async fn configured_base_url_key_and_output_limit_reach_the_wire() {
    let server = MockServer::start().await;
    mount_chat(&server, "/v1/chat/completions").await;
    let config = catalog(&format!(
        "[models.work]\nprovider = \"openai\"\nmodel = \"qwen\"\nbase_url = \"{}/v1\"\n\
         api_key_env = \"WORK_LLM_KEY\"\nmax_output_tokens = 100\n",
        server.uri()
    ));
    let vars = env(&[
        ("WORK_LLM_KEY", "work-secret"),
        ("OPENAI_API_KEY", "sk-other"),
    ]);
    let r = resolve(Some("work"), &config, None, &vars, &closed_port())
        .await
        .unwrap();
    assert_eq!(r.model.max_output_tokens(), Some(100));
    for asked in [0, 5000, 50] {
        let mut request = text_reply_request();
        request.max_output_tokens = asked;
        let events: Vec<_> = r.model.stream(&request).collect().await;
        assert!(
            matches!(events.last(), Some(Ok(ModelEvent::Stop(_)))),
            "{events:?}"
        );
    }
    let sent = bodies(&server).await;
    let limits: Vec<u64> = sent
        .iter()
        .map(|(b, _)| b["max_tokens"].as_u64().unwrap())
        .collect();
    assert_eq!(limits, vec![100, 100, 50]);
    for (body, request) in &sent {
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            "Bearer work-secret"
        );
        assert_eq!(body["model"], "qwen");
    }
}

#[tokio::test]
async fn a_configured_anthropic_endpoint_gets_its_key_and_limit() {
    let server = MockServer::start().await;
    let sse = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-x\",\"stop_reason\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n\
event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":1}}\n\n\
event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .set_body_string(sse),
        )
        .mount(&server)
        .await;
    let config = catalog(&format!(
        "[models.gw]\nprovider = \"anthropic\"\nmodel = \"claude-x\"\nbase_url = \"{}\"\n\
         api_key_env = \"GATEWAY_KEY\"\nmax_output_tokens = 1234\nregion = \"eu\"\n",
        server.uri()
    ));
    let vars = env(&[
        ("GATEWAY_KEY", "gw-secret"),
        ("ANTHROPIC_API_KEY", "sk-ant-other"),
    ]);
    let r = resolve(Some("gw"), &config, None, &vars, &closed_port())
        .await
        .unwrap();
    let info = r.model.info();
    assert!(info.local, "an undeclared loopback endpoint is local");
    assert_eq!(info.region.as_deref(), Some("eu"));
    let events: Vec<_> = r.model.stream(&text_reply_request()).collect().await;
    assert!(events.iter().all(Result::is_ok), "{events:?}");
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1.headers.get("x-api-key").unwrap(), "gw-secret");
    assert_eq!(sent[0].0["max_tokens"], 1234);
}

#[tokio::test]
async fn declarations_reach_info_and_the_model_reports() {
    let down = closed_port();
    let config = catalog(
        "[models.remote]\nprovider = \"openai\"\nmodel = \"m\"\nbase_url = \"https://llm.example.com/v1\"\n\
         [models.lan]\nprovider = \"openai\"\nmodel = \"m\"\nbase_url = \"http://gpu-box.lan:8000/v1\"\nlocal = true\nregion = \"eu\"\n\
         [models.denied]\nprovider = \"ollama\"\nmodel = \"m\"\nlocal = false\n\
         [models.priced]\nprovider = \"anthropic\"\nmodel = \"claude-sonnet-4-5\"\n\
         price = { input = 3.0, output = 15.0, cached_input = 0.3 }\n",
    );
    let vars = env(&[("ANTHROPIC_API_KEY", "k")]);
    let info = |name: &'static str| {
        let config = &config;
        let vars = &vars;
        let down = &down;
        async move {
            resolve(Some(name), config, None, vars, down)
                .await
                .unwrap()
                .model
                .info()
        }
    };
    let remote = info("remote").await;
    assert_eq!((remote.local, remote.region), (false, None));
    let lan = info("lan").await;
    assert_eq!((lan.local, lan.region.as_deref()), (true, Some("eu")));
    assert!(!info("denied").await.local, "a declaration beats loopback");

    let priced = resolve(Some("priced"), &config, None, &vars, &down)
        .await
        .unwrap()
        .model;
    assert_eq!(
        priced.context_window(),
        Some(200_000),
        "built-in window kept"
    );
    let price: Price = priced.price().unwrap();
    let usage = Usage {
        input_tokens: 10_000,
        output_tokens: 2_000,
        cache_read_tokens: 100_000,
        cache_write_tokens: 0,
    };
    // 0.03 + 0.03 + 0.03
    assert!((price.cost_usd(&usage) - 0.09).abs() < 1e-9);
}

#[tokio::test]
async fn built_in_context_windows() {
    let down = closed_port();
    let vars = env(&[("ANTHROPIC_API_KEY", "k"), ("OPENAI_API_KEY", "k")]);
    let empty = catalog("");
    for (spec, window) in [
        ("anthropic:claude-sonnet-4-5", Some(200_000)),
        ("openai:gpt-4.1-mini", Some(1_047_576)),
        ("openai:gpt-4o", Some(128_000)),
        ("openai:o3", None),
        ("ollama:llama3.2", None),
    ] {
        let r = resolve(Some(spec), &empty, None, &vars, &down)
            .await
            .unwrap();
        assert_eq!(r.model.context_window(), window, "{spec}");
        assert_eq!(r.model.price(), None);
        assert_eq!(r.model.max_output_tokens(), None);
    }
}
