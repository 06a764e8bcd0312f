//! One `[models.NAME]` table → a [`ModelEntry`], with errors that name the file, the table and
//! the key, and say what to write instead.

use toml::{Table, Value};

use super::{Constrain, ModelEntry, Price, Provider};
use crate::ModelError;

const ENTRY_KEYS: &[&str] = &[
    "provider",
    "model",
    "base_url",
    "api_key_env",
    "context_window",
    "max_output_tokens",
    "local",
    "region",
    "constrain",
    "price",
];
const PRICE_KEYS: &[&str] = &["input", "output", "cached_input"];
const PROVIDERS: &str = "anthropic, openai, ollama or tape";

/// A table in a file, for error messages.
pub(super) struct Place<'a> {
    origin: &'a str,
    /// Dotted path without brackets, e.g. `models.work`.
    table: String,
}

impl<'a> Place<'a> {
    pub(super) fn new(origin: &'a str, table: String) -> Place<'a> {
        Place { origin, table }
    }

    pub(super) fn error(&self, message: impl Into<String>) -> ModelError {
        ModelError::Catalog {
            origin: self.origin.to_string(),
            message: format!("in [{}], {}", self.table, message.into()),
        }
    }

    fn wrong_type(&self, key: &str, wanted: &str, value: &Value) -> ModelError {
        self.error(format!(
            "`{key}` must be {wanted}, not a {} ({value})",
            value.type_str()
        ))
    }

    fn unknown_key(&self, key: &str, known: &[&str]) -> ModelError {
        let hint = if key == "api_key" || key == "key" {
            "; cowork never reads API keys from config files: put the key in an environment \
             variable and name that variable with api_key_env = \"MY_LLM_KEY\""
                .to_string()
        } else if let Some(close) = closest(key, known) {
            format!("; did you mean `{close}`?")
        } else {
            String::new()
        };
        self.error(format!(
            "unknown key `{key}`{hint} (the keys are: {})",
            known.join(", ")
        ))
    }
}

/// `default = "NAME"` in `[models]`.
pub(super) fn default_name(place: &Place<'_>, value: &Value) -> Result<String, ModelError> {
    match value {
        Value::String(name) if !name.trim().is_empty() => Ok(name.trim().to_string()),
        Value::String(_) => Err(place
            .error("`default` is empty; name one of the models (default = \"work\") or remove it")),
        Value::Table(_) => Err(place.error(
            "`default` is reserved: it names the model used when --model is absent \
             (default = \"work\"); give this model another name",
        )),
        other => Err(place.wrong_type(
            "default",
            "a string naming one of the models, e.g. default = \"work\"",
            other,
        )),
    }
}

/// The `[models.NAME]` table `fields`, from the file `origin`.
pub(super) fn entry(name: &str, fields: &Table, origin: &str) -> Result<ModelEntry, ModelError> {
    let place = Place::new(origin, format!("models.{}", toml_key(name)));
    if let Some(key) = fields.keys().find(|k| !ENTRY_KEYS.contains(&k.as_str())) {
        return Err(place.unknown_key(key, ENTRY_KEYS));
    }
    let provider_text = string(&place, fields, "provider")?.ok_or_else(|| {
        place.error(format!(
            "`provider` is missing; add provider = \"openai\" (one of {PROVIDERS})"
        ))
    })?;
    let provider = Provider::parse(&provider_text).ok_or_else(|| {
        place.error(format!(
            "provider = \"{provider_text}\" is not one cowork knows; use {PROVIDERS} \
             (any OpenAI-compatible server, such as llama.cpp or vLLM, is \"openai\")"
        ))
    })?;
    let model = string(&place, fields, "model")?
        .filter(|m| !m.trim().is_empty())
        .ok_or_else(|| {
            place.error(format!(
                "`model` is missing or empty; add model = \"{}\"",
                example_model(provider)
            ))
        })?;
    let entry = ModelEntry {
        name: name.to_string(),
        provider,
        model,
        base_url: base_url(&place, fields)?,
        api_key_env: api_key_env(&place, fields)?,
        context_window: positive(&place, fields, "context_window", "32768")?,
        max_output_tokens: positive(&place, fields, "max_output_tokens", "4096")?
            .map(|n| {
                u32::try_from(n).map_err(|_| {
                    place.error(format!(
                        "max_output_tokens = {n} is too large; use at most {}",
                        u32::MAX
                    ))
                })
            })
            .transpose()?,
        local: boolean(&place, fields, "local")?,
        region: string(&place, fields, "region")?
            .map(|r| {
                let r = r.trim().to_string();
                if r.is_empty() {
                    Err(place.error("`region` is empty; write e.g. region = \"eu\" or remove it"))
                } else {
                    Ok(r)
                }
            })
            .transpose()?,
        constrain: constrain(&place, fields)?,
        price: price(&place, name, fields)?,
    };
    check_provider_fit(&place, &entry)?;
    Ok(entry)
}

/// Settings that mean nothing for the chosen provider are mistakes, not silently ignored.
fn check_provider_fit(place: &Place<'_>, entry: &ModelEntry) -> Result<(), ModelError> {
    let provider = entry.provider;
    match provider {
        Provider::OpenAi | Provider::Ollama => {}
        Provider::Anthropic | Provider::Tape if entry.constrain != Constrain::None => {
            return Err(place.error(format!(
                "constrain = \"{}\" only applies to openai and ollama servers; remove it for provider \"{provider}\"",
                entry.constrain.as_str()
            )));
        }
        Provider::Anthropic => {}
        Provider::Tape => {
            for (key, set) in [
                ("base_url", entry.base_url.is_some()),
                ("api_key_env", entry.api_key_env.is_some()),
            ] {
                if set {
                    return Err(place.error(format!(
                        "`{key}` means nothing for a tape, which replays the file named by `model`; remove it"
                    )));
                }
            }
        }
    }
    Ok(())
}

fn example_model(provider: Provider) -> &'static str {
    match provider {
        Provider::Anthropic => "claude-sonnet-4-5",
        Provider::OpenAi => "gpt-4.1-mini",
        Provider::Ollama => "llama3.2",
        Provider::Tape => "/path/to/session.tape.yaml",
    }
}

fn string(place: &Place<'_>, fields: &Table, key: &str) -> Result<Option<String>, ModelError> {
    match fields.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(place.wrong_type(key, "a string in quotes", other)),
    }
}

fn boolean(place: &Place<'_>, fields: &Table, key: &str) -> Result<Option<bool>, ModelError> {
    match fields.get(key) {
        None => Ok(None),
        Some(Value::Boolean(b)) => Ok(Some(*b)),
        Some(other) => Err(place.wrong_type(key, "true or false (no quotes)", other)),
    }
}

fn positive(
    place: &Place<'_>,
    fields: &Table,
    key: &str,
    example: &str,
) -> Result<Option<u64>, ModelError> {
    match fields.get(key) {
        None => Ok(None),
        Some(Value::Integer(n)) if *n > 0 => Ok(Some(n.unsigned_abs())),
        Some(other) => Err(place.wrong_type(
            key,
            &format!("a positive whole number of tokens such as {key} = {example}"),
            other,
        )),
    }
}

fn base_url(place: &Place<'_>, fields: &Table) -> Result<Option<String>, ModelError> {
    let Some(text) = string(place, fields, "base_url")? else {
        return Ok(None);
    };
    let text = text.trim().trim_end_matches('/').to_string();
    let fix = "write it in full, e.g. base_url = \"http://gpu-box.lan:8000/v1\"";
    match reqwest::Url::parse(&text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
            Ok(Some(text))
        }
        Ok(url) => Err(place.error(format!(
            "base_url = \"{text}\" is not an http(s) URL (scheme `{}`); {fix}",
            url.scheme()
        ))),
        Err(e) => Err(place.error(format!("base_url = \"{text}\" is not a URL ({e}); {fix}"))),
    }
}

fn api_key_env(place: &Place<'_>, fields: &Table) -> Result<Option<String>, ModelError> {
    let Some(name) = string(place, fields, "api_key_env")? else {
        return Ok(None);
    };
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(Some(name))
    } else {
        // Most often the key itself was pasted here; do not echo it into logs.
        Err(place.error(
            "`api_key_env` must be the NAME of the environment variable that holds the key \
             (letters, digits and _, e.g. api_key_env = \"WORK_LLM_KEY\"), not the key itself",
        ))
    }
}

fn constrain(place: &Place<'_>, fields: &Table) -> Result<Constrain, ModelError> {
    let Some(text) = string(place, fields, "constrain")? else {
        return Ok(Constrain::None);
    };
    Constrain::parse(&text).ok_or_else(|| {
        place.error(format!(
            "constrain = \"{text}\" is not known; use \"none\", \"json_schema\" (llama.cpp server, vLLM) \
             or \"ollama_format\" (Ollama)"
        ))
    })
}

fn price(place: &Place<'_>, name: &str, fields: &Table) -> Result<Option<Price>, ModelError> {
    let table = match fields.get("price") {
        None => return Ok(None),
        Some(Value::Table(table)) => table,
        Some(other) => {
            return Err(place.wrong_type(
                "price",
                "a table of USD per million tokens, e.g. price = { input = 3.0, output = 15.0 }",
                other,
            ));
        }
    };
    let place = Place::new(place.origin, format!("models.{}.price", toml_key(name)));
    if let Some(key) = table.keys().find(|k| !PRICE_KEYS.contains(&k.as_str())) {
        return Err(place.unknown_key(key, PRICE_KEYS));
    }
    let number = |key: &str| -> Result<Option<f64>, ModelError> {
        let value = match table.get(key) {
            None => return Ok(None),
            Some(Value::Float(f)) => *f,
            Some(Value::Integer(i)) => *i as f64,
            Some(other) => {
                return Err(place.wrong_type(
                    key,
                    &format!("a number of USD per million tokens, e.g. {key} = 3.0"),
                    other,
                ));
            }
        };
        if value.is_finite() && value >= 0.0 {
            Ok(Some(value))
        } else {
            Err(place.error(format!(
                "`{key}` = {value} must be zero or more USD per million tokens"
            )))
        }
    };
    let required = |key: &str| -> Result<f64, ModelError> {
        number(key)?.ok_or_else(|| {
            place.error(format!(
                "`{key}` is missing; a price needs input and output, e.g. {key} = 3.0"
            ))
        })
    };
    Ok(Some(Price {
        input_per_mtok: required("input")?,
        output_per_mtok: required("output")?,
        cached_input_per_mtok: number("cached_input")?,
    }))
}

/// `name` as written in a TOML table header: bare when it can be, quoted otherwise.
fn toml_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

/// The known key within two edits of `key`, for "did you mean".
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let replaced = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = replaced.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_and_quoting() {
        assert_eq!(closest("contxt_window", ENTRY_KEYS), Some("context_window"));
        assert_eq!(closest("modle", ENTRY_KEYS), Some("model"));
        assert_eq!(closest("temperature", ENTRY_KEYS), None);
        assert_eq!(toml_key("work"), "work");
        assert_eq!(toml_key("qwen:32b"), "\"qwen:32b\"");
    }
}
