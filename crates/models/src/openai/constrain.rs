//! Constrained decoding for OpenAI-compatible servers that run the model themselves.
//!
//! Local models often write tool calls badly. llama.cpp's server and vLLM accept
//! `response_format: {"type": "json_schema", "json_schema": {"name", "strict", "schema"}}` and
//! compile the schema into a grammar that masks every token which would break it; Ollama's
//! `/v1` takes the same field and passes `json_schema.schema` on as its native `format` (a top
//! level `format` key would be silently dropped there). The schema admits exactly one of:
//! `{"tool": NAME, "arguments": <that tool's input schema>}` per offered tool, or
//! `{"answer": TEXT}` for a reply to the person. The shim reads those back
//! (`shim::TextGate` with `constrained`).

use serde_json::{Map, Value, json};

use crate::{Constrain, ToolDef};

/// `json_schema.name`: llama.cpp and vLLM require one, and it shows in their logs.
const SCHEMA_NAME: &str = "tool_call";

/// Appended to the system prompt: a grammar only forbids tokens, so the model must be told
/// the shape it is held to, or it wastes the turn fighting the mask.
const INSTRUCTIONS: &str = "Reply with exactly one JSON object and nothing else: \
{\"tool\": \"NAME\", \"arguments\": {...}} to call one of the tools (one call per reply), \
or {\"answer\": \"TEXT\"} to reply to the person when no tool call is needed.";

/// The system prompt with the reply-format instructions after it.
pub(crate) fn with_instructions(system: &str) -> String {
    if system.is_empty() {
        INSTRUCTIONS.to_string()
    } else {
        format!("{system}\n\n{INSTRUCTIONS}")
    }
}

/// The `response_format` value for `constrain` (`Null` for [`Constrain::None`]).
pub(crate) fn response_format(constrain: Constrain, tools: &[ToolDef]) -> Value {
    match constrain {
        Constrain::None => Value::Null,
        Constrain::JsonSchema => json!({
            "type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "strict": true, "schema": schema(tools)},
        }),
        // Ollama reads only `schema` from `json_schema` (openai/openai.go, FromChatRequest).
        Constrain::OllamaFormat => json!({
            "type": "json_schema",
            "json_schema": {"schema": schema(tools)},
        }),
    }
}

/// One reply: a call to one of `tools`, or a final answer (see the module docs).
///
/// Tool input schemas (schemars output) may carry `$defs`/`definitions` referenced from the
/// schema's own root; nested under `arguments` those references would dangle, so each tool's
/// definitions move to the root `$defs` under `TOOL__NAME` and its `$ref`s are rewritten.
pub(crate) fn schema(tools: &[ToolDef]) -> Value {
    let mut defs = Map::new();
    let mut choices: Vec<Value> = tools
        .iter()
        .map(|tool| {
            json!({
                "type": "object",
                "properties": {
                    "tool": {"const": tool.name},
                    "arguments": hoisted(tool, &mut defs),
                },
                "required": ["tool", "arguments"],
                "additionalProperties": false,
            })
        })
        .collect();
    choices.push(json!({
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
        "additionalProperties": false,
    }));
    let mut schema = json!({"anyOf": choices});
    if !defs.is_empty() {
        schema["$defs"] = Value::Object(defs);
    }
    schema
}

/// `tool`'s input schema ready to nest, its definitions moved into `defs`.
fn hoisted(tool: &ToolDef, defs: &mut Map<String, Value>) -> Value {
    let mut schema = tool.input_schema.clone();
    let Some(object) = schema.as_object_mut() else {
        // Not a schema object (`true`, or malformed): anything the grammar allows will do.
        return json!({"type": "object"});
    };
    object.remove("$schema");
    let prefix = format!("{}__", tool.name);
    for key in ["$defs", "definitions"] {
        if let Some(Value::Object(own)) = object.remove(key) {
            for (name, mut def) in own {
                rewrite_refs(&mut def, &prefix);
                defs.insert(format!("{prefix}{name}"), def);
            }
        }
    }
    rewrite_refs(&mut schema, &prefix);
    schema
}

/// `#/$defs/X` and `#/definitions/X` → `#/$defs/{prefix}X`, everywhere in `value`.
fn rewrite_refs(value: &mut Value, prefix: &str) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if key == "$ref"
                    && let Value::String(target) = child
                {
                    let local = target
                        .strip_prefix("#/$defs/")
                        .or_else(|| target.strip_prefix("#/definitions/"));
                    if let Some(local) = local {
                        *target = format!("#/$defs/{prefix}{local}");
                    }
                } else {
                    rewrite_refs(child, prefix);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, prefix)),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

/// The text of a constrained `{"answer": TEXT}` reply.
pub(crate) fn answer(value: &Value) -> Option<String> {
    let object = value.as_object()?;
    if object.contains_key("tool") {
        return None;
    }
    object.get("answer")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_move_to_the_root_and_refs_follow() {
        let tool = ToolDef {
            name: "edit".into(),
            description: "Edit".into(),
            input_schema: json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {"change": {"$ref": "#/$defs/Change"}},
                "$defs": {"Change": {"type": "object", "properties": {"next": {"$ref": "#/definitions/Change"}}}},
            }),
        };
        let schema = schema(&[tool]);
        assert_eq!(
            schema["anyOf"][0]["properties"]["arguments"],
            json!({"type": "object", "properties": {"change": {"$ref": "#/$defs/edit__Change"}}})
        );
        assert_eq!(
            schema["$defs"]["edit__Change"]["properties"]["next"]["$ref"],
            "#/$defs/edit__Change"
        );
    }

    #[test]
    fn answers_are_recognised_only_without_a_tool() {
        assert_eq!(answer(&json!({"answer": "done"})), Some("done".into()));
        assert_eq!(answer(&json!({"tool": "x", "answer": "done"})), None);
        assert_eq!(answer(&json!({"answer": 3})), None);
        assert_eq!(answer(&json!("done")), None);
    }
}
