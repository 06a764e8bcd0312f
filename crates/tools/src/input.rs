//! Parsing the model's JSON input into typed structs, with errors the model can act on.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::ToolError;

/// Parse `input` for `tool`. A missing input (`null`) counts as `{}` so tools whose inputs are all
/// optional (list_dir) accept a bare call.
pub(crate) fn parse<T: DeserializeOwned>(
    tool: &str,
    input: &serde_json::Value,
) -> Result<T, ToolError> {
    let value = match input {
        serde_json::Value::Null => serde_json::Value::Object(serde_json::Map::new()),
        serde_json::Value::Object(_) => input.clone(),
        other => {
            return Err(ToolError::invalid(format!(
                "{tool} takes a JSON object of named inputs, got {}",
                json_type(other)
            )));
        }
    };
    serde_json::from_value(value).map_err(|e| ToolError::invalid(explain(tool, &e.to_string())))
}

/// JSON Schema of an input struct, as a plain JSON value for the model's tool list.
pub(crate) fn schema<T: JsonSchema>() -> serde_json::Value {
    let mut value = schemars::schema_for!(T).to_value();
    // The title is the Rust struct's name ("Input"): noise for the model.
    if let Some(map) = value.as_object_mut() {
        map.remove("title");
    }
    value
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Rephrase serde's messages ("missing field `path`") the way a tool user thinks ("`path` is required").
fn explain(tool: &str, msg: &str) -> String {
    if let Some(rest) = msg.strip_prefix("missing field ") {
        return format!("{rest} is required by {tool}");
    }
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        // "`foo`, expected one of `a`, `b`" -> "`foo` is not an input of TOOL; expected one of `a`, `b`"
        let (field, expected) = match rest.split_once(", expected ") {
            Some((field, expected)) => (field, expected),
            None => (rest, "no other fields"),
        };
        return format!("{field} is not an input of {tool}; expected {expected}");
    }
    format!("{tool}: {msg}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct In {
        path: String,
        #[serde(default)]
        recursive: bool,
    }

    #[test]
    fn messages_name_the_field() {
        let err = parse::<In>("t", &serde_json::json!({}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`path` is required"), "{err}");
        let err = parse::<In>("t", &serde_json::json!({"path": "a", "x": 1}))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`x` is not an input of t; expected `path` or `recursive`"),
            "{err}"
        );
        let err = parse::<In>("t", &serde_json::json!("a"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("JSON object"), "{err}");
    }
}
