use std::path::PathBuf;
use std::sync::Arc;

use crate::{Model, ModelError, TapeModel};

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
        match self {
            ModelSpec::Tape(path) => Ok(Arc::new(TapeModel::load(path)?)),
            ModelSpec::Anthropic(_) => Err(ModelError::ProviderUnavailable {
                provider: "anthropic".into(),
            }),
            ModelSpec::OpenAi(_) => Err(ModelError::ProviderUnavailable {
                provider: "openai".into(),
            }),
            ModelSpec::Ollama(_) => Err(ModelError::ProviderUnavailable {
                provider: "ollama".into(),
            }),
            ModelSpec::Local(_) => Err(ModelError::ProviderUnavailable {
                provider: "local".into(),
            }),
        }
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
