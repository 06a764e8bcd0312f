//! A [`ModelEntry`] → a working provider, with the environment passed in (so resolution is
//! testable without touching the process environment).

use std::path::Path;
use std::sync::Arc;

use crate::{
    AnthropicConfig, AnthropicModel, ConfiguredModel, Model, ModelEntry, ModelError, OpenAiConfig,
    OpenAiModel, Provider, TapeModel,
};

/// Looks up an environment variable; blank counts as unset.
pub type EnvLookup<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// Builds the model `entry` describes, wrapped so it reports what the entry declares
/// ([`ConfiguredModel`]). `base_url` is `--base-url`, which beats the entry's own for
/// OpenAI-compatible and Ollama servers. `origin` (the config file) makes errors point at it.
pub fn build_entry(
    entry: &ModelEntry,
    base_url: Option<String>,
    env: EnvLookup<'_>,
    origin: &str,
) -> Result<Arc<dyn Model>, ModelError> {
    let inner = build_provider(entry, base_url, env, Some(origin))?;
    Ok(Arc::new(ConfiguredModel::new(inner, entry.clone())))
}

/// The provider model alone. Settings come from the entry first, then the provider's usual
/// environment variables (`ANTHROPIC_BASE_URL`, `OPENAI_BASE_URL`, `OLLAMA_HOST`, keys).
pub(crate) fn build_provider(
    entry: &ModelEntry,
    base_url: Option<String>,
    env: EnvLookup<'_>,
    origin: Option<&str>,
) -> Result<Arc<dyn Model>, ModelError> {
    let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let provider = entry.provider.as_str();
    // A configured key variable must be set: the entry says the server needs that key.
    let key = |default_var: &str| -> Result<Option<String>, ModelError> {
        let Some(var) = &entry.api_key_env else {
            return Ok(env(default_var));
        };
        env(var).map(Some).ok_or_else(|| ModelError::Config {
            provider,
            message: format!(
                "{var} is not set, and model `{}`{} reads its API key from it (api_key_env); \
                 export {var}=YOUR_KEY",
                entry.name,
                origin.map(|o| format!(" in {o}")).unwrap_or_default()
            ),
        })
    };
    let server_url = base_url
        .filter(|b| !b.trim().is_empty())
        .or_else(|| entry.base_url.clone());
    match entry.provider {
        Provider::Anthropic => {
            let config = AnthropicConfig::from_vars(
                entry.model.clone(),
                key("ANTHROPIC_API_KEY")?,
                entry.base_url.clone().or_else(|| env("ANTHROPIC_BASE_URL")),
            )?;
            Ok(Arc::new(AnthropicModel::new(config)?))
        }
        Provider::OpenAi => {
            let mut config = OpenAiConfig::openai_from_vars(
                entry.model.clone(),
                server_url,
                env("OPENAI_BASE_URL"),
                key("OPENAI_API_KEY")?,
            )?;
            config.constrain = entry.constrain;
            Ok(Arc::new(OpenAiModel::new(config)?))
        }
        Provider::Ollama => {
            let mut config = OpenAiConfig::ollama_from_vars(
                entry.model.clone(),
                server_url.or_else(|| env("OLLAMA_HOST")),
                key("OLLAMA_API_KEY")?,
            );
            config.constrain = entry.constrain;
            Ok(Arc::new(OpenAiModel::new(config)?))
        }
        Provider::Tape => Ok(Arc::new(TapeModel::load(Path::new(&entry.model))?)),
    }
}

/// An entry with nothing configured: what `--model PROVIDER:MODEL` means on its own.
pub(crate) fn bare_entry(provider: Provider, model: &str) -> ModelEntry {
    ModelEntry {
        name: format!("{provider}:{model}"),
        provider,
        model: model.to_string(),
        base_url: None,
        api_key_env: None,
        context_window: None,
        max_output_tokens: None,
        local: None,
        region: None,
        constrain: crate::Constrain::None,
        price: None,
    }
}
