//! Which model a session talks to: `--model` (a configured name or `PROVIDER:MODEL`), else
//! `COWORK_MODEL`, else the config's `default`, else whatever the machine offers (an Anthropic
//! key, an OpenAI key or base URL, a running Ollama), else an error listing every option.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::build::{EnvLookup, bare_entry, build_entry, build_provider};
use crate::openai::ollama_root;
use crate::spec::{DEFAULT_ANTHROPIC_MODEL, DEFAULT_OPENAI_MODEL};
use crate::{Model, ModelCatalog, ModelEntry, ModelError, ModelSpec, Provider};

/// Ollama's address when `OLLAMA_HOST` is unset.
const DEFAULT_OLLAMA_ROOT: &str = "http://localhost:11434";
/// Long enough for a local server to answer, short enough not to delay startup noticeably.
const OLLAMA_PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// The model a session will use, and why.
pub struct Resolved {
    pub model: Arc<dyn Model>,
    /// The configuration entry it came from, if any.
    pub entry: Option<ModelEntry>,
    /// How it was chosen, for the person and the audit log: "from --model",
    /// "config default `work` (/home/u/.config/cowork/config.toml)", "ANTHROPIC_API_KEY is set",
    /// "Ollama running on localhost:11434 (model llama3.2)".
    pub how: String,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("model", &self.model.info().spec)
            .field("entry", &self.entry)
            .field("how", &self.how)
            .finish()
    }
}

/// [`resolve_with`] on the process environment, probing Ollama at `OLLAMA_HOST` (default
/// `localhost:11434`). `base_url` is `--base-url`.
pub async fn resolve(
    requested: Option<&str>,
    catalog: &ModelCatalog,
    base_url: Option<String>,
) -> Result<Resolved, ModelError> {
    let env = |name: &str| std::env::var(name).ok();
    let ollama_base = env("OLLAMA_HOST")
        .filter(|h| !h.trim().is_empty())
        .map(|h| ollama_root(&h))
        .unwrap_or_else(|| DEFAULT_OLLAMA_ROOT.to_string());
    resolve_with(requested, catalog, base_url, &env, &ollama_base).await
}

/// The resolution order (see the module docs), with the environment and Ollama's root URL
/// passed in.
pub async fn resolve_with(
    requested: Option<&str>,
    catalog: &ModelCatalog,
    base_url: Option<String>,
    env: EnvLookup<'_>,
    ollama_base: &str,
) -> Result<Resolved, ModelError> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(text) = requested.map(str::trim).filter(|t| !t.is_empty()) {
        return named(text, catalog, base_url, env, "from --model");
    }
    if let Some(text) = var("COWORK_MODEL") {
        return named(text.trim(), catalog, base_url, env, "from COWORK_MODEL");
    }
    if let Some(name) = catalog.default_name()
        && let Some(entry) = catalog.get(name)
    {
        let origin = catalog.default_source().unwrap_or("the config");
        let how = format!("config default `{name}` ({origin})");
        return configured(entry, catalog, base_url, env, how);
    }
    if var("ANTHROPIC_API_KEY").is_some() {
        let how = "ANTHROPIC_API_KEY is set".to_string();
        return spec(
            Provider::Anthropic,
            DEFAULT_ANTHROPIC_MODEL,
            catalog,
            base_url,
            env,
            how,
        );
    }
    let openai_reason = match (&base_url, var("OPENAI_API_KEY"), var("OPENAI_BASE_URL")) {
        (Some(url), _, _) => Some(format!("--base-url {url}")),
        (None, Some(_), _) => Some("OPENAI_API_KEY is set".to_string()),
        (None, None, Some(url)) => Some(format!("OPENAI_BASE_URL is set ({url})")),
        (None, None, None) => None,
    };
    if let Some(how) = openai_reason {
        return spec(
            Provider::OpenAi,
            DEFAULT_OPENAI_MODEL,
            catalog,
            base_url,
            env,
            how,
        );
    }
    let ollama = probe_ollama(ollama_base, OLLAMA_PROBE_TIMEOUT).await;
    if let Some(installed) = &ollama
        && let Some(resolved) = local_ollama(installed, catalog, env, ollama_base)?
    {
        return Ok(resolved);
    }
    Err(nothing_found(catalog, ollama_base, ollama.as_deref()))
}

/// `GET {base}/api/tags`: the models a running Ollama has, or `None` when nothing answers
/// within `timeout` (or the answer is not Ollama's).
pub async fn probe_ollama(base: &str, timeout: Duration) -> Option<Vec<String>> {
    let url = format!("{}/api/tags", base.trim_end_matches('/'));
    // No proxy: the probe is for this machine, and a proxy would answer for anything.
    let client = reqwest::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .no_proxy()
        .build()
        .ok()?;
    let fetch = async {
        let response = client.get(url).send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        response.json::<Value>().await.ok()
    };
    let body = tokio::time::timeout(timeout, fetch).await.ok()??;
    let models = body.get("models")?.as_array()?;
    Some(
        models
            .iter()
            .filter_map(|m| m.get("name").or_else(|| m.get("model"))?.as_str())
            .map(str::to_string)
            .collect(),
    )
}

/// A configured name, or a `PROVIDER:MODEL` spec (using a matching entry's settings).
fn named(
    text: &str,
    catalog: &ModelCatalog,
    base_url: Option<String>,
    env: EnvLookup<'_>,
    how: &str,
) -> Result<Resolved, ModelError> {
    if let Some(entry) = catalog.get(text) {
        let origin = catalog.source_of(text).unwrap_or("the config");
        let how = format!("{how} (`{text}`, configured in {origin})");
        return configured(entry, catalog, base_url, env, how);
    }
    let parsed = match ModelSpec::parse(text) {
        Ok(parsed) => parsed,
        Err(error) if text.contains(':') => return Err(error),
        Err(_) => {
            let known = catalog.names();
            let configured = if known.is_empty() {
                "no models are configured".to_string()
            } else {
                format!("the configured models are {}", known.join(", "))
            };
            return Err(ModelError::InvalidSpec {
                spec: text.to_string(),
                message: format!(
                    "no model is named `{text}` ({configured}); give a configured name or \
                     PROVIDER:MODEL, e.g. anthropic:claude-sonnet-4-5, openai:gpt-4.1-mini, \
                     ollama:llama3.2 or tape:FILE"
                ),
            });
        }
    };
    let (provider, model) = match &parsed {
        ModelSpec::Anthropic(m) => (Provider::Anthropic, m.clone()),
        ModelSpec::OpenAi(m) => (Provider::OpenAi, m.clone()),
        ModelSpec::Ollama(m) => (Provider::Ollama, m.clone()),
        ModelSpec::Tape(path) => (Provider::Tape, path.display().to_string()),
        ModelSpec::Local(_) => {
            return Err(ModelError::ProviderUnavailable {
                provider: "local".into(),
            });
        }
    };
    spec(provider, &model, catalog, base_url, env, how.to_string())
}

/// `provider:model`, with the settings of a configured entry for the same model if one exists.
fn spec(
    provider: Provider,
    model: &str,
    catalog: &ModelCatalog,
    base_url: Option<String>,
    env: EnvLookup<'_>,
    how: String,
) -> Result<Resolved, ModelError> {
    if let Some(entry) = catalog.find_spec(provider, model) {
        let origin = catalog.source_of(&entry.name).unwrap_or("the config");
        let how = format!("{how} (settings of `{}` in {origin})", entry.name);
        return configured(entry, catalog, base_url, env, how);
    }
    let model = build_provider(&bare_entry(provider, model), base_url, env, None)?;
    Ok(Resolved {
        model,
        entry: None,
        how,
    })
}

fn configured(
    entry: &ModelEntry,
    catalog: &ModelCatalog,
    base_url: Option<String>,
    env: EnvLookup<'_>,
    how: String,
) -> Result<Resolved, ModelError> {
    let origin = catalog.source_of(&entry.name).unwrap_or("the config");
    Ok(Resolved {
        model: build_entry(entry, base_url, env, origin)?,
        entry: Some(entry.clone()),
        how,
    })
}

/// Ollama answered: the first configured local Ollama entry whose model is installed, else
/// the first installed model. `None` when it has no models.
fn local_ollama(
    installed: &[String],
    catalog: &ModelCatalog,
    env: EnvLookup<'_>,
    ollama_base: &str,
) -> Result<Option<Resolved>, ModelError> {
    let place = host_port(ollama_base);
    let is_installed = |model: &str| installed.iter().any(|i| same_tag(i, model));
    let wanted = catalog
        .entries()
        .find(|e| e.provider == Provider::Ollama && e.base_url.is_none() && is_installed(&e.model));
    if let Some(entry) = wanted {
        // The entry names no server, so it is the one that just answered.
        let mut here = entry.clone();
        here.base_url = Some(ollama_base.to_string());
        let origin = catalog.source_of(&entry.name).unwrap_or("the config");
        let how = format!(
            "Ollama running on {place} (model {}, configured as `{}` in {origin})",
            entry.model, entry.name
        );
        return Ok(Some(Resolved {
            model: build_entry(&here, None, env, origin)?,
            entry: Some(entry.clone()),
            how,
        }));
    }
    let Some(first) = installed.first() else {
        return Ok(None);
    };
    let model = first.strip_suffix(":latest").unwrap_or(first);
    let mut entry = bare_entry(Provider::Ollama, model);
    entry.base_url = Some(ollama_base.to_string());
    Ok(Some(Resolved {
        model: build_provider(&entry, None, env, None)?,
        entry: None,
        how: format!("Ollama running on {place} (model {model})"),
    }))
}

/// Ollama treats `NAME` as `NAME:latest`.
fn same_tag(a: &str, b: &str) -> bool {
    let bare = |s: &str| s.strip_suffix(":latest").unwrap_or(s).to_string();
    bare(a) == bare(b)
}

fn host_port(base: &str) -> String {
    match reqwest::Url::parse(base) {
        Ok(url) => match (url.host_str(), url.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            (None, _) => base.to_string(),
        },
        Err(_) => base.to_string(),
    }
}

/// Every way to name a model, given what was looked for.
fn nothing_found(
    catalog: &ModelCatalog,
    ollama_base: &str,
    ollama: Option<&[String]>,
) -> ModelError {
    let configured = if catalog.is_empty() {
        "a [models.NAME] table in the config file (with default = \"NAME\" to make it the default)"
            .to_string()
    } else {
        format!(
            "a configured model: {} (or set default = \"NAME\" under [models])",
            catalog.names().join(", ")
        )
    };
    let place = host_port(ollama_base);
    let ollama = match ollama {
        Some(_) => format!(
            "ollama:MODEL: Ollama is running on {place} but has no models; run `ollama pull llama3.2`"
        ),
        None => format!(
            "ollama:MODEL for a local Ollama (none answered on {place}; start it with `ollama serve`)"
        ),
    };
    ModelError::NoModel {
        message: format!(
            "no model given and none found. Pass --model (or set COWORK_MODEL) with one of:\n  \
             - {configured}\n  \
             - anthropic:MODEL with ANTHROPIC_API_KEY set\n  \
             - openai:MODEL with OPENAI_API_KEY, or --base-url / OPENAI_BASE_URL for any OpenAI-compatible server\n  \
             - {ollama}\n  \
             - tape:FILE for a scripted run"
        ),
    }
}
