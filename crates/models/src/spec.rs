use std::path::PathBuf;
use std::sync::Arc;

use crate::{
    AnthropicConfig, AnthropicModel, Model, ModelError, OpenAiConfig, OpenAiModel, TapeModel,
};

/// The model `from_environment` picks with an Anthropic key.
pub const DEFAULT_ANTHROPIC_MODEL: &str = "claude-sonnet-4-5";
/// The model `from_environment` picks with an OpenAI key or base URL.
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4.1-mini";

/// A parsed `--model SPEC` (DESIGN.md §9, stable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSpec {
    Anthropic(String),
    OpenAi(String),
    Ollama(String),
    Local(PathBuf),
    Tape(PathBuf),
}

impl ModelSpec {
    pub fn parse(spec: &str) -> Result<ModelSpec, ModelError> {
        let invalid = |message: &str| ModelError::InvalidSpec {
            spec: spec.to_string(),
            message: message.to_string(),
        };
        let (provider, rest) = spec.split_once(':').ok_or_else(|| {
            invalid("expected PROVIDER:NAME, e.g. tape:demo.yaml, anthropic:claude-sonnet-4-5, ollama:qwen3")
        })?;
        if rest.is_empty() {
            return Err(invalid("the part after ':' is empty"));
        }
        match provider {
            "anthropic" => Ok(ModelSpec::Anthropic(rest.to_string())),
            "openai" => Ok(ModelSpec::OpenAi(rest.to_string())),
            "ollama" => Ok(ModelSpec::Ollama(rest.to_string())),
            "local" => Ok(ModelSpec::Local(PathBuf::from(rest))),
            "tape" => Ok(ModelSpec::Tape(PathBuf::from(rest))),
            _ => Err(invalid(
                "unknown provider; use anthropic, openai, ollama, local or tape",
            )),
        }
    }

    /// Build the model this spec names.
    pub fn build(&self) -> Result<Arc<dyn Model>, ModelError> {
        self.build_with(None)
    }

    /// Build the model this spec names; `base_url` is `--base-url` for OpenAI-compatible servers.
    pub fn build_with(&self, base_url: Option<String>) -> Result<Arc<dyn Model>, ModelError> {
        match self {
            ModelSpec::Tape(path) => Ok(Arc::new(TapeModel::load(path)?)),
            ModelSpec::Anthropic(model) => Ok(Arc::new(AnthropicModel::new(
                AnthropicConfig::from_env(model.clone())?,
            )?)),
            ModelSpec::OpenAi(model) => Ok(Arc::new(OpenAiModel::new(
                OpenAiConfig::openai_from_env(model.clone(), base_url)?,
            )?)),
            ModelSpec::Ollama(model) => Ok(Arc::new(OpenAiModel::new(OpenAiConfig::ollama(
                model.clone(),
            ))?)),
            ModelSpec::Local(_) => Err(ModelError::ProviderUnavailable {
                provider: "local".into(),
            }),
        }
    }

    /// The model to use when `--model` is absent: `anthropic:` with `ANTHROPIC_API_KEY`, else
    /// `openai:` with `OPENAI_API_KEY` or `OPENAI_BASE_URL`; otherwise an error listing the options.
    pub fn from_environment() -> Result<ModelSpec, ModelError> {
        let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
        if set("ANTHROPIC_API_KEY") {
            return Ok(ModelSpec::Anthropic(DEFAULT_ANTHROPIC_MODEL.into()));
        }
        if set("OPENAI_API_KEY") || set("OPENAI_BASE_URL") {
            return Ok(ModelSpec::OpenAi(DEFAULT_OPENAI_MODEL.into()));
        }
        Err(ModelError::InvalidSpec {
            spec: String::new(),
            message: "no model given and none found in the environment. Pass --model (or set COWORK_MODEL): \
                      anthropic:MODEL with ANTHROPIC_API_KEY, openai:MODEL with OPENAI_API_KEY (or --base-url for \
                      any OpenAI-compatible server), ollama:MODEL for a local Ollama, or tape:FILE for a scripted run"
                .into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(
            ModelSpec::parse("tape:a.yaml").unwrap(),
            ModelSpec::Tape("a.yaml".into())
        );
        assert_eq!(
            ModelSpec::parse("ollama:qwen3:8b").unwrap(),
            ModelSpec::Ollama("qwen3:8b".into())
        );
        assert!(ModelSpec::parse("gpt4").is_err());
        assert!(
            ModelSpec::parse("foo:bar")
                .unwrap_err()
                .to_string()
                .contains("unknown provider")
        );
    }
}
