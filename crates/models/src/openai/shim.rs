//! Tool calls written as text, for local models whose server does not parse them.
//!
//! Some local models (or their chat templates) emit a call as plain text instead of a native
//! `tool_calls` entry: the whole message as a JSON object or array, Qwen/Hermes-style
//! `<tool_call>{...}</tool_call>` tags, or a ```json fenced block. [`TextGate`] sits between the
//! streamed text and the caller: it lets ordinary text through at once and holds back only what
//! may turn out to be such a call, so the call text never reaches the person as prose. Only names
//! of tools offered in the request count, so text that merely shows JSON stays text.

use serde_json::Value;

use super::constrain;

const TAG_OPEN: &str = "<tool_call>";
const TAG_CLOSE: &str = "</tool_call>";
const FENCE: &str = "```";

/// A call recognised in the text. `input_json` is the arguments object as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShimCall {
    pub name: String,
    pub input_json: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Only whitespace so far: the message may still be one JSON object.
    Undecided,
    /// The message starts with `{` or `[`: held whole until the end of the turn.
    Whole,
    /// Ordinary text: streamed, except a `<tool_call>` tag or a fence until it closes.
    Flowing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Tag,
    Fence,
}

/// Streams text while recognising text tool calls (see the module docs).
#[derive(Debug)]
pub(crate) struct TextGate {
    tools: Vec<String>,
    mode: Mode,
    /// Text received but not yet released.
    pending: String,
    calls: Vec<ShimCall>,
    /// The text the recognised calls were made from, to give back if the turn has native calls.
    removed: String,
    /// The server was asked to constrain the output (see `constrain`).
    constrained: bool,
}

impl TextGate {
    /// A gate for a request offering `tools`; with no tools it passes all text straight through.
    pub(crate) fn new(tools: Vec<String>) -> TextGate {
        TextGate {
            tools,
            mode: Mode::Undecided,
            pending: String::new(),
            calls: Vec::new(),
            removed: String::new(),
            constrained: false,
        }
    }

    /// Also reads a whole-message `{"answer": TEXT}` as the text TEXT: the reply shape of a
    /// constrained request, which allows no plain text.
    pub(crate) fn constrained(mut self, constrained: bool) -> TextGate {
        self.constrained = constrained;
        self
    }

    /// Takes a text delta; returns the text that can be shown now (possibly empty).
    pub(crate) fn push(&mut self, delta: &str) -> String {
        if self.tools.is_empty() {
            return delta.to_string();
        }
        self.pending.push_str(delta);
        if self.mode == Mode::Undecided {
            match self.pending.trim_start().chars().next() {
                None => return String::new(),
                Some('{' | '[') => self.mode = Mode::Whole,
                Some(_) => self.mode = Mode::Flowing,
            }
        }
        match self.mode {
            Mode::Undecided | Mode::Whole => String::new(),
            Mode::Flowing => self.drain_flowing(),
        }
    }

    /// Ends the turn. With `native_calls` (the server sent real tool calls) nothing is read as
    /// a call and all held text comes back; otherwise returns the remaining text and the calls.
    pub(crate) fn finish(mut self, native_calls: bool) -> (String, Vec<ShimCall>) {
        if self.tools.is_empty() {
            return (String::new(), Vec::new());
        }
        if native_calls {
            let mut text = std::mem::take(&mut self.removed);
            text.push_str(&self.pending);
            return (text, Vec::new());
        }
        let mut text = String::new();
        if self.mode != Mode::Flowing {
            if let Ok(value) = serde_json::from_str::<Value>(self.pending.trim()) {
                if let Some(calls) = parse_calls(&value, &self.tools, false) {
                    self.calls.extend(calls);
                    return (String::new(), self.calls);
                }
                if self.constrained
                    && let Some(answer) = constrain::answer(&value)
                {
                    return (answer, self.calls);
                }
            }
            // Not one JSON call after all: read it as ordinary text.
            self.mode = Mode::Flowing;
            text.push_str(&self.drain_flowing());
        }
        // What is left starts with an unclosed marker or a partial one. A model that stops
        // right after `<tool_call>{...}` without the closing tag still meant the call.
        let rest = std::mem::take(&mut self.pending);
        match rest.strip_prefix(TAG_OPEN) {
            Some(inner) => match self.calls_in(inner, true) {
                Some(calls) => self.calls.extend(calls),
                None => text.push_str(&rest),
            },
            None => text.push_str(&rest),
        }
        (text, self.calls)
    }

    /// Releases pending text up to the next marker, resolving every marker that has closed.
    fn drain_flowing(&mut self) -> String {
        let mut out = String::new();
        loop {
            let Some((pos, marker)) = find_marker(&self.pending) else {
                // Hold back a tail that may be the start of a marker split across deltas.
                let keep = partial_marker_len(&self.pending);
                let cut = self.pending.len() - keep;
                out.push_str(&self.pending[..cut]);
                self.pending.drain(..cut);
                return out;
            };
            out.push_str(&self.pending[..pos]);
            self.pending.drain(..pos);
            let Some((inner, end)) = closed_segment(&self.pending, marker) else {
                return out;
            };
            match self.calls_in(inner, marker == Marker::Tag) {
                Some(calls) => {
                    self.calls.extend(calls);
                    self.removed.push_str(&self.pending[..end]);
                }
                None => out.push_str(&self.pending[..end]),
            }
            self.pending.drain(..end);
        }
    }

    /// The calls in the inside of a tag or a fence, if it is nothing but calls.
    fn calls_in(&self, inner: &str, in_tag: bool) -> Option<Vec<ShimCall>> {
        let value: Value = serde_json::from_str(inner.trim()).ok()?;
        parse_calls(&value, &self.tools, in_tag)
    }
}

/// Text split into what stays text and the calls it held (the whole-message logic of
/// [`TextGate`] applied to a finished text).
#[cfg(test)]
pub(crate) fn extract(text: &str, tools: &[&str]) -> (String, Vec<ShimCall>) {
    let mut gate = TextGate::new(tools.iter().map(|t| t.to_string()).collect());
    let mut out = gate.push(text);
    let (rest, calls) = gate.finish(false);
    out.push_str(&rest);
    (out, calls)
}

/// The earliest complete marker in `text`.
fn find_marker(text: &str) -> Option<(usize, Marker)> {
    let tag = text.find(TAG_OPEN).map(|p| (p, Marker::Tag));
    let fence = text.find(FENCE).map(|p| (p, Marker::Fence));
    match (tag, fence) {
        (Some(t), Some(f)) => Some(if t.0 <= f.0 { t } else { f }),
        (t, f) => t.or(f),
    }
}

/// How many bytes at the end of `text` are a proper prefix of a marker.
fn partial_marker_len(text: &str) -> usize {
    [TAG_OPEN, FENCE]
        .iter()
        .flat_map(|marker| (1..marker.len()).map(move |n| &marker[..n]))
        .filter(|prefix| text.ends_with(prefix))
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// For `text` starting with `marker`: the inside of the segment and the byte length of the
/// whole segment including its closing marker, once it has closed.
fn closed_segment(text: &str, marker: Marker) -> Option<(&str, usize)> {
    match marker {
        Marker::Tag => {
            let body = &text[TAG_OPEN.len()..];
            let close = body.find(TAG_CLOSE)?;
            Some((&body[..close], TAG_OPEN.len() + close + TAG_CLOSE.len()))
        }
        Marker::Fence => {
            let after = &text[FENCE.len()..];
            // The info string runs to the end of the opening line; wait for that line.
            let line_end = after.find('\n')?;
            let info = after[..line_end].trim();
            let body = &after[line_end + 1..];
            let close = body.find(FENCE)?;
            let end = FENCE.len() + line_end + 1 + close + FENCE.len();
            // Only an untyped or JSON fence can hold a call; other fences stay text.
            let inner = if info.is_empty() || info.eq_ignore_ascii_case("json") {
                &body[..close]
            } else {
                ""
            };
            Some((inner, end))
        }
    }
}

/// A call object or a non-empty array of them, every one naming an offered tool.
/// `lenient` (inside an explicit `<tool_call>` tag) lets a call omit its arguments.
fn parse_calls(value: &Value, tools: &[String], lenient: bool) -> Option<Vec<ShimCall>> {
    match value {
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| parse_call(item, tools, lenient))
            .collect(),
        Value::Object(_) => Some(vec![parse_call(value, tools, lenient)?]),
        _ => None,
    }
}

fn parse_call(value: &Value, tools: &[String], lenient: bool) -> Option<ShimCall> {
    // The OpenAI shape `{"type":"function","function":{...}}` also shows up as text.
    let object = match value.get("function") {
        Some(inner @ Value::Object(_)) => inner,
        _ => value,
    };
    // `tool` is the constrained reply's key (see `constrain`); some models use it unasked.
    let name = object
        .get("name")
        .or_else(|| object.get("tool"))?
        .as_str()?;
    if !tools.iter().any(|t| t == name) {
        return None;
    }
    let input_json = match object.get("arguments").or_else(|| object.get("parameters")) {
        Some(args @ Value::Object(_)) => args.to_string(),
        // Some models double-encode the arguments as a JSON string.
        Some(Value::String(raw)) => match serde_json::from_str::<Value>(raw) {
            Ok(args @ Value::Object(_)) => args.to_string(),
            _ => return None,
        },
        None if lenient => "{}".to_string(),
        _ => return None,
    };
    Some(ShimCall {
        name: name.to_string(),
        input_json,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOOLS: &[&str] = &["read_file", "list_dir"];

    fn call(name: &str, input_json: &str) -> ShimCall {
        ShimCall {
            name: name.into(),
            input_json: input_json.into(),
        }
    }

    #[test]
    fn whole_message_object_and_array() {
        let (text, calls) = extract(
            "  {\"name\": \"read_file\", \"arguments\": {\"path\": \"a.txt\"}}\n",
            TOOLS,
        );
        assert_eq!(text, "");
        assert_eq!(calls, vec![call("read_file", r#"{"path":"a.txt"}"#)]);

        let (text, calls) = extract(
            r#"[{"name":"read_file","parameters":{"path":"a"}},{"name":"list_dir","arguments":"{\"path\":\".\"}"}]"#,
            TOOLS,
        );
        assert_eq!(text, "");
        assert_eq!(
            calls,
            vec![
                call("read_file", r#"{"path":"a"}"#),
                call("list_dir", r#"{"path":"."}"#)
            ]
        );
    }

    #[test]
    fn hermes_tags_among_text() {
        let (text, calls) = extract(
            "Let me look.\n<tool_call>\n{\"name\": \"list_dir\", \"arguments\": {\"path\": \"docs\"}}\n</tool_call>\n<tool_call>{\"name\":\"read_file\",\"arguments\":{\"path\":\"x\"}}</tool_call>",
            TOOLS,
        );
        assert_eq!(text, "Let me look.\n\n");
        assert_eq!(
            calls,
            vec![
                call("list_dir", r#"{"path":"docs"}"#),
                call("read_file", r#"{"path":"x"}"#)
            ]
        );
        // An unclosed tag at the end of the turn, and a tag without arguments.
        let (text, calls) = extract("<tool_call>{\"name\":\"list_dir\"}", TOOLS);
        assert_eq!((text.as_str(), calls), ("", vec![call("list_dir", "{}")]));
    }

    #[test]
    fn json_fence_and_openai_shape() {
        let (text, calls) = extract(
            "I will read it:\n```json\n{\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"arguments\":{\"path\":\"b\"}}}\n```",
            TOOLS,
        );
        assert_eq!(text, "I will read it:\n");
        assert_eq!(calls, vec![call("read_file", r#"{"path":"b"}"#)]);
    }

    #[test]
    fn text_that_merely_mentions_json_stays_text() {
        for sample in [
            "Call it like {\"name\": \"read_file\", \"arguments\": {\"path\": \"a\"}} to read.",
            "```json\n{\"name\": \"Alice\", \"arguments\": {\"age\": 3}}\n```",
            "```python\n{\"name\": \"read_file\", \"arguments\": {}}\n```\nDone.",
            "{\"name\": \"delete_everything\", \"arguments\": {}}",
            "{\"name\": \"read_file\"}",
            "[1, 2, 3]",
            "{not json at all",
            "Use <tool_call> tags? No: <tool_call>hello</tool_call> is not a call.",
            "a ``` stray fence",
        ] {
            let (text, calls) = extract(sample, TOOLS);
            assert_eq!(text, sample, "changed: {sample}");
            assert!(calls.is_empty(), "call found in: {sample}");
        }
        // With no tools offered nothing is recognised at all.
        let raw = "{\"name\": \"read_file\", \"arguments\": {}}";
        assert_eq!(extract(raw, &[]), (raw.to_string(), vec![]));
    }

    #[test]
    fn streams_plain_text_and_holds_only_possible_calls() {
        let mut gate = TextGate::new(vec!["read_file".into()]);
        assert_eq!(gate.push("Hello "), "Hello ");
        assert_eq!(gate.push("world <tool"), "world ");
        assert_eq!(gate.push("_call>{\"name\":\"read_file\","), "");
        assert_eq!(gate.push("\"arguments\":{}}</tool_call> bye"), " bye");
        assert_eq!(gate.push("``"), "");
        assert_eq!(gate.push("`sh\nls\n```!"), "```sh\nls\n```!");
        let (rest, calls) = gate.finish(false);
        assert_eq!(rest, "");
        assert_eq!(calls, vec![call("read_file", "{}")]);
    }

    #[test]
    fn constrained_replies() {
        let mut gate = TextGate::new(vec!["read_file".into()]).constrained(true);
        assert_eq!(gate.push("{\"answer\": \"All "), "");
        assert_eq!(gate.push("done.\"}"), "");
        assert_eq!(gate.finish(false), ("All done.".to_string(), vec![]));

        let (text, calls) = extract(
            r#"{"tool": "read_file", "arguments": {"path": "a"}}"#,
            TOOLS,
        );
        assert_eq!(text, "");
        assert_eq!(calls, vec![call("read_file", r#"{"path":"a"}"#)]);

        // Unconstrained, an answer object is just text.
        let raw = r#"{"answer": "hi"}"#;
        assert_eq!(extract(raw, TOOLS), (raw.to_string(), vec![]));
    }

    #[test]
    fn native_calls_give_the_text_back() {
        let mut gate = TextGate::new(vec!["read_file".into()]);
        let mut shown =
            gate.push("x <tool_call>{\"name\":\"read_file\",\"arguments\":{}}</tool_call>");
        let (rest, calls) = gate.finish(true);
        shown.push_str(&rest);
        assert_eq!(
            shown,
            "x <tool_call>{\"name\":\"read_file\",\"arguments\":{}}</tool_call>"
        );
        assert!(calls.is_empty());
    }
}
