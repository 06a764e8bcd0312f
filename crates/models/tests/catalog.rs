//! `[models]` tables from config files: a good file, layering, and every kind of mistake, whose
//! message must name the file, the table and the key and say what to write.

use cowork_models::{Constrain, ModelCatalog, ModelEntry, ModelError, Price, Provider};

const USER: &str = "/home/u/.config/cowork/config.toml";
const PROJECT: &str = "/work/proj/.cowork/config.toml";

fn layers(files: &[(&str, &str)]) -> Result<ModelCatalog, ModelError> {
    let tables: Vec<(toml::Table, String)> = files
        .iter()
        .map(|(origin, text)| {
            let mut file: toml::Table = text.parse().unwrap();
            let models = match file.remove("models") {
                Some(toml::Value::Table(models)) => models,
                other => panic!("test file without [models]: {other:?}"),
            };
            (models, origin.to_string())
        })
        .collect();
    ModelCatalog::from_tables(&tables)
}

fn error(text: &str) -> String {
    match layers(&[(USER, text)]) {
        Ok(catalog) => panic!("accepted: {catalog:?}"),
        Err(e) => {
            assert!(matches!(e, ModelError::Catalog { .. }), "{e:?}");
            assert!(!e.is_retryable());
            e.to_string()
        }
    }
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
}

#[test]
fn a_good_file_parses_every_key() {
    let catalog = layers(&[(
        USER,
        r#"
[models]
default = "work"

[models.work]
provider = "openai"
model = "qwen2.5-coder:32b"
base_url = "http://gpu-box.lan:8000/v1/"
api_key_env = "WORK_LLM_KEY"
context_window = 32768
max_output_tokens = 4096
local = true
region = "eu"
constrain = "json_schema"

[models.work.price]
input = 0
output = 0.5
cached_input = 0.1

[models.claude]
provider = "anthropic"
model = "claude-sonnet-4-5"
price = { input = 3.0, output = 15.0 }

[models."local:small"]
provider = "ollama"
model = "llama3.2"
constrain = "ollama_format"
"#,
    )])
    .unwrap();
    assert_eq!(catalog.default_name(), Some("work"));
    assert_eq!(catalog.default_source(), Some(USER));
    assert_eq!(catalog.names(), vec!["claude", "local:small", "work"]);
    assert_eq!(
        catalog.get("work").unwrap(),
        &ModelEntry {
            name: "work".into(),
            provider: Provider::OpenAi,
            model: "qwen2.5-coder:32b".into(),
            base_url: Some("http://gpu-box.lan:8000/v1".into()),
            api_key_env: Some("WORK_LLM_KEY".into()),
            context_window: Some(32768),
            max_output_tokens: Some(4096),
            local: Some(true),
            region: Some("eu".into()),
            constrain: Constrain::JsonSchema,
            price: Some(Price {
                input_per_mtok: 0.0,
                output_per_mtok: 0.5,
                cached_input_per_mtok: Some(0.1),
            }),
        }
    );
    let claude = catalog.get("claude").unwrap();
    assert_eq!(claude.spec(), "anthropic:claude-sonnet-4-5");
    assert_eq!(claude.constrain, Constrain::None);
    assert_eq!(claude.local, None);
    assert_eq!(
        claude.price.unwrap().cached_input_per_mtok,
        None,
        "cached_input is optional"
    );
    assert_eq!(
        catalog.get("local:small").unwrap().constrain,
        Constrain::OllamaFormat
    );
    assert_eq!(
        catalog
            .find_spec(Provider::OpenAi, "qwen2.5-coder:32b")
            .map(|e| e.name.as_str()),
        Some("work")
    );
    assert!(
        catalog
            .find_spec(Provider::Ollama, "qwen2.5-coder:32b")
            .is_none()
    );
}

#[test]
fn the_strongest_file_wins_whole_entries_and_the_default() {
    let catalog = layers(&[
        (
            PROJECT,
            r#"
[models]
default = "fast"
[models.fast]
provider = "ollama"
model = "llama3.2"
"#,
        ),
        (
            USER,
            r#"
[models]
default = "big"
[models.fast]
provider = "openai"
model = "gpt-4.1-mini"
region = "us"
[models.big]
provider = "anthropic"
model = "claude-opus-4-1"
"#,
        ),
    ])
    .unwrap();
    assert_eq!(catalog.default_name(), Some("fast"));
    assert_eq!(catalog.default_source(), Some(PROJECT));
    let fast = catalog.get("fast").unwrap();
    assert_eq!(fast.provider, Provider::Ollama);
    // Not merged field by field: the weaker file's region does not leak in.
    assert_eq!(fast.region, None);
    assert_eq!(catalog.source_of("fast"), Some(PROJECT));
    assert_eq!(catalog.source_of("big"), Some(USER));
    assert_eq!(catalog.names(), vec!["big", "fast"]);
    assert!(ModelCatalog::from_tables(&[]).unwrap().is_empty());
}

#[test]
fn an_unknown_key_is_named_with_a_suggestion() {
    let message =
        error("[models.work]\nprovider = \"openai\"\nmodel = \"m\"\ncontxt_window = 8192\n");
    assert_mentions(
        &message,
        &[
            USER,
            "[models.work]",
            "`contxt_window`",
            "did you mean `context_window`",
        ],
    );
    let message =
        error("[models.work]\nprovider = \"openai\"\nmodel = \"m\"\napi_key = \"sk-1\"\n");
    assert_mentions(
        &message,
        &["`api_key`", "api_key_env", "environment variable"],
    );
    assert!(!message.contains("sk-1"));
    let message = error(
        "[models.work]\nprovider = \"openai\"\nmodel = \"m\"\n[models.work.price]\ninput = 1\noutput = 2\ncache = 3\n",
    );
    assert_mentions(
        &message,
        &["[models.work.price]", "`cache`", "cached_input"],
    );
}

#[test]
fn a_wrong_type_is_named_with_an_example() {
    let message =
        error("[models.work]\nprovider = \"openai\"\nmodel = \"m\"\ncontext_window = \"32k\"\n");
    assert_mentions(
        &message,
        &[
            USER,
            "[models.work]",
            "`context_window`",
            "positive whole number",
            "context_window = 32768",
            "string",
        ],
    );
    let message = error("[models.work]\nprovider = \"openai\"\nmodel = \"m\"\nlocal = \"yes\"\n");
    assert_mentions(&message, &["`local`", "true or false"]);
    let message =
        error("[models.work]\nprovider = \"openai\"\nmodel = \"m\"\nmax_output_tokens = -1\n");
    assert_mentions(&message, &["`max_output_tokens`", "positive"]);
    let message = error("[models.work]\nprovider = \"openai\"\nmodel = 3\n");
    assert_mentions(&message, &["`model`", "string", "integer"]);
    let message = error("[models]\nwork = \"openai:gpt-4o\"\n");
    assert_mentions(
        &message,
        &["[models]", "`work`", "must be a table", "[models.work]"],
    );
    let message = error("[models]\ndefault = 1\n");
    assert_mentions(&message, &["`default`", "default = \"work\""]);
    let message = error("[models.work]\nprovider = \"openai\"\nmodel = \"m\"\nprice = 3\n");
    assert_mentions(&message, &["`price`", "input = 3.0"]);
    let message = error(
        "[models.work]\nprovider = \"openai\"\nmodel = \"m\"\nprice = { input = \"free\", output = 1 }\n",
    );
    assert_mentions(&message, &["[models.work.price]", "`input`", "number"]);
}

#[test]
fn an_unknown_provider_lists_the_known_ones() {
    let message = error("[models.work]\nprovider = \"gemini\"\nmodel = \"m\"\n");
    assert_mentions(
        &message,
        &[
            USER,
            "[models.work]",
            "provider = \"gemini\"",
            "anthropic, openai, ollama or tape",
        ],
    );
}

#[test]
fn missing_provider_or_model_says_what_to_add() {
    let message = error("[models.work]\nprovider = \"ollama\"\n");
    assert_mentions(
        &message,
        &[
            USER,
            "[models.work]",
            "`model` is missing",
            "model = \"llama3.2\"",
        ],
    );
    let message = error("[models.work]\nmodel = \"m\"\n");
    assert_mentions(
        &message,
        &[
            "[models.work]",
            "`provider` is missing",
            "provider = \"openai\"",
        ],
    );
}

#[test]
fn values_that_cannot_work_are_refused() {
    let cases: &[(&str, &[&str])] = &[
        (
            "provider = \"openai\"\nmodel = \"m\"\nbase_url = \"gpu-box:8000\"",
            &["base_url", "http://gpu-box.lan:8000/v1"],
        ),
        (
            "provider = \"openai\"\nmodel = \"m\"\napi_key_env = \"sk-live-123\"",
            &["api_key_env", "NAME of the environment variable"],
        ),
        (
            "provider = \"anthropic\"\nmodel = \"m\"\nconstrain = \"json_schema\"",
            &["constrain", "only applies to openai and ollama"],
        ),
        (
            "provider = \"openai\"\nmodel = \"m\"\nconstrain = \"grammar\"",
            &["constrain = \"grammar\"", "json_schema", "ollama_format"],
        ),
        (
            "provider = \"tape\"\nmodel = \"a.yaml\"\nbase_url = \"http://x/v1\"",
            &["base_url", "tape"],
        ),
        (
            "provider = \"openai\"\nmodel = \"m\"\nregion = \" \"",
            &["region", "eu"],
        ),
        (
            "provider = \"openai\"\nmodel = \"m\"\nprice = { input = 1 }",
            &["[models.work.price]", "`output` is missing"],
        ),
        (
            "provider = \"openai\"\nmodel = \"m\"\nprice = { input = -1, output = 1 }",
            &["`input`", "zero or more"],
        ),
    ];
    for (body, parts) in cases {
        let message = error(&format!("[models.work]\n{body}\n"));
        assert_mentions(&message, &[USER, "[models.work"]);
        assert_mentions(&message, parts);
        assert!(!message.contains("sk-live-123"), "echoed a key: {message}");
    }
}

#[test]
fn the_default_must_name_a_model() {
    let message = error(
        "[models]\ndefault = \"wrok\"\n[models.work]\nprovider = \"openai\"\nmodel = \"m\"\n",
    );
    assert_mentions(
        &message,
        &[
            USER,
            "default = \"wrok\"",
            "names no configured model",
            "work",
        ],
    );
    let message = error("[models.default]\nprovider = \"openai\"\nmodel = \"m\"\n");
    assert_mentions(&message, &["`default` is reserved", "another name"]);
}
