//! Named models from the config file's `[models]` tables.
//!
//! The config crate parses the files and hands over each layer's raw `[models]` table with the
//! file it came from; this module checks every key (an error names the file, the table and the
//! key, and says how to fix it) and merges the layers: a name defined in several files keeps the
//! strongest file's definition, whole, so settings never mix between two files' idea of a model.

mod parse;

use std::collections::BTreeMap;

use cowork_protocol::Usage;
use toml::Value;

use crate::ModelError;
use parse::Place;

/// Which wire protocol a configured model speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// The Anthropic Messages API.
    Anthropic,
    /// OpenAI Chat Completions and the servers that copy it (llama.cpp, vLLM, ...).
    OpenAi,
    /// Ollama's OpenAI-compatible `/v1`.
    Ollama,
    /// A scripted tape file (DESIGN.md §9); `model` is its path.
    Tape,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Provider::Anthropic,
        Provider::OpenAi,
        Provider::Ollama,
        Provider::Tape,
    ];

    /// The name used in the config file and in `--model PROVIDER:MODEL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Anthropic => "anthropic",
            Provider::OpenAi => "openai",
            Provider::Ollama => "ollama",
            Provider::Tape => "tape",
        }
    }

    pub fn parse(text: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an OpenAI-compatible server is asked to keep the model's output to the tool schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Constrain {
    /// Trust the server's native tool calls (and the text shim as a fallback).
    #[default]
    None,
    /// `response_format: {type: json_schema, ...}` as llama.cpp's server and vLLM take it.
    JsonSchema,
    /// Ollama's `format` (a JSON schema), which its `/v1` endpoint takes through
    /// `response_format.json_schema.schema`.
    OllamaFormat,
}

impl Constrain {
    pub const ALL: [Constrain; 3] = [
        Constrain::None,
        Constrain::JsonSchema,
        Constrain::OllamaFormat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Constrain::None => "none",
            Constrain::JsonSchema => "json_schema",
            Constrain::OllamaFormat => "ollama_format",
        }
    }

    pub fn parse(text: &str) -> Option<Constrain> {
        Constrain::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// USD per million tokens, for cost estimates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
    /// Tokens read from the prompt cache; the input price when not given.
    pub cached_input_per_mtok: Option<f64>,
}

impl Price {
    /// The estimated cost of `usage`. `Usage::input_tokens` excludes cached tokens for every
    /// provider, so the parts add up without double counting. Cache writes are billed at the
    /// input price: providers that charge a premium for them make this a slight underestimate.
    pub fn cost_usd(&self, usage: &Usage) -> f64 {
        let cached = self.cached_input_per_mtok.unwrap_or(self.input_per_mtok);
        let tokens = |n: u64| n as f64;
        (tokens(usage.input_tokens) * self.input_per_mtok
            + tokens(usage.cache_write_tokens) * self.input_per_mtok
            + tokens(usage.cache_read_tokens) * cached
            + tokens(usage.output_tokens) * self.output_per_mtok)
            / 1_000_000.0
    }
}

/// One `[models.NAME]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelEntry {
    pub name: String,
    pub provider: Provider,
    /// The model name the server knows (a tape's path for `tape`).
    pub model: String,
    pub base_url: Option<String>,
    /// The environment variable holding the API key (never the key itself).
    pub api_key_env: Option<String>,
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u32>,
    /// Declared: data sent to this model stays on the organization's machines.
    pub local: Option<bool>,
    pub region: Option<String>,
    pub constrain: Constrain,
    pub price: Option<Price>,
}

impl ModelEntry {
    /// `PROVIDER:MODEL`, the `--model` spelling of this entry.
    pub fn spec(&self) -> String {
        format!("{}:{}", self.provider, self.model)
    }
}

/// The named models of all config layers, merged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelCatalog {
    /// name → (entry, the file that defined it).
    entries: BTreeMap<String, (ModelEntry, String)>,
    /// `default = NAME` and the file that set it.
    default: Option<(String, String)>,
}

impl ModelCatalog {
    /// Merges each layer's `[models]` table, strongest first, each with its source label (the
    /// file path). Any unknown key, wrong type or bad value is an error naming the source, the
    /// table and the key.
    pub fn from_tables(tables: &[(toml::Table, String)]) -> Result<ModelCatalog, ModelError> {
        let mut catalog = ModelCatalog::default();
        for (table, origin) in tables {
            let place = Place::new(origin, "models".to_string());
            for (key, value) in table {
                if key == "default" {
                    let name = parse::default_name(&place, value)?;
                    // Strongest first: the first file to set it wins.
                    if catalog.default.is_none() {
                        catalog.default = Some((name, origin.clone()));
                    }
                    continue;
                }
                let Value::Table(fields) = value else {
                    return Err(place.error(format!(
                        "`{key}` must be a table describing a model, not a {}; write\n  [models.{key}]\n  provider = \"openai\"\n  model = \"...\"",
                        value.type_str()
                    )));
                };
                let entry = parse::entry(key, fields, origin)?;
                catalog
                    .entries
                    .entry(key.clone())
                    .or_insert_with(|| (entry, origin.clone()));
            }
        }
        if let Some((name, origin)) = &catalog.default
            && !catalog.entries.contains_key(name)
        {
            let known = catalog.names();
            let fix = if known.is_empty() {
                format!("define [models.{name}] with provider and model, or remove `default`")
            } else {
                format!(
                    "define [models.{name}], or set default to one of: {}",
                    known.join(", ")
                )
            };
            return Err(Place::new(origin, "models".into()).error(format!(
                "default = \"{name}\" names no configured model; {fix}"
            )));
        }
        Ok(catalog)
    }

    pub fn get(&self, name: &str) -> Option<&ModelEntry> {
        self.entries.get(name).map(|(entry, _)| entry)
    }

    /// The model `default = NAME` picks when `--model` is absent.
    pub fn default_name(&self) -> Option<&str> {
        self.default.as_ref().map(|(name, _)| name.as_str())
    }

    /// The file that set `default`.
    pub fn default_source(&self) -> Option<&str> {
        self.default.as_ref().map(|(_, origin)| origin.as_str())
    }

    /// The configured names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.entries.keys().map(String::as_str).collect()
    }

    /// The file that defined `name` (the strongest, when several did).
    pub fn source_of(&self, name: &str) -> Option<&str> {
        self.entries.get(name).map(|(_, origin)| origin.as_str())
    }

    /// Every entry, sorted by name.
    pub fn entries(&self) -> impl Iterator<Item = &ModelEntry> {
        self.entries.values().map(|(entry, _)| entry)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry whose provider and model are these, preferring the default, then by name:
    /// `--model openai:qwen` then uses that entry's base URL, key, limits and declarations.
    pub fn find_spec(&self, provider: Provider, model: &str) -> Option<&ModelEntry> {
        let matches = |e: &&ModelEntry| e.provider == provider && e.model == model;
        self.default_name()
            .and_then(|name| self.get(name))
            .filter(matches)
            .or_else(|| self.entries().find(matches))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_adds_every_kind_of_token() {
        let price = Price {
            input_per_mtok: 3.0,
            output_per_mtok: 15.0,
            cached_input_per_mtok: Some(0.3),
        };
        let usage = Usage {
            input_tokens: 1_000_000,
            output_tokens: 200_000,
            cache_read_tokens: 2_000_000,
            cache_write_tokens: 100_000,
        };
        // 3 + 0.3 (writes at input price) + 0.6 + 3
        assert!((price.cost_usd(&usage) - 6.9).abs() < 1e-9);
        let no_cache_price = Price {
            cached_input_per_mtok: None,
            ..price
        };
        assert!((no_cache_price.cost_usd(&usage) - 12.3).abs() < 1e-9);
        assert_eq!(price.cost_usd(&Usage::default()), 0.0);
    }
}
