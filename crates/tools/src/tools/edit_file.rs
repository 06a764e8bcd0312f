//! edit_file: replace one exact, unique piece of a text file.

use cowork_fs::{ActionTxn, EntryKind, WsPath};
use cowork_protocol::{ActionKind, Effect, OutputChange, Preview, Provenance};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::format::{diff_counts, human_size, plural, unified_diff};
use crate::input::{parse, schema};
use crate::readers::TextReader;
use crate::tools::kind_word;
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec, paths};

const NAME: &str = "edit_file";
const UTF8_BOM: &str = "\u{feff}";

/// Replace text in a file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// File to edit, relative to the workspace (`@NAME/…` for another root).
    path: String,
    /// The exact text to replace, including whitespace and line breaks; it must occur exactly
    /// once (include surrounding lines to make it unique).
    old: String,
    /// The replacement text.
    new: String,
    /// Replace every occurrence of `old` instead of requiring exactly one.
    #[serde(default)]
    replace_all: bool,
}

/// The `edit_file` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct EditFile;

/// An edit computed against the file as it is now.
struct Edit {
    p: WsPath,
    shown: String,
    old_size: u64,
    before: String,
    after: String,
    replaced: usize,
}

impl Edit {
    fn compute(input: &serde_json::Value, ctx: &ToolContext) -> Result<Edit, ToolError> {
        let input: Input = parse(NAME, input)?;
        if input.old.is_empty() {
            return Err(ToolError::invalid(
                "`old` is empty; give the exact text to replace (to create a file use write_file)",
            ));
        }
        if input.old == input.new {
            return Err(ToolError::invalid(
                "`old` and `new` are the same; nothing would change",
            ));
        }
        let p = paths::resolve(ctx, &input.path)?;
        let meta = paths::existing(ctx, &p)?;
        let shown = ctx.ws.display(&p);
        if !matches!(meta.kind, EntryKind::File | EntryKind::Symlink) {
            return Err(ToolError::invalid(format!(
                "`{shown}` is a {}; edit_file changes text files",
                kind_word(&meta.kind)
            )));
        }
        let bytes = ctx.ws.read(&p, ctx.max_read_bytes)?;
        let before = match std::str::from_utf8(&bytes) {
            Ok(text) if !TextReader::looks_binary(text.as_bytes()) => text.to_string(),
            // Rewriting Latin-1 or UTF-16 as UTF-8 would silently change every other byte.
            _ => {
                return Err(ToolError::invalid(format!(
                    "`{shown}` is not UTF-8 text; edit_file only changes UTF-8 text files \
                     (use write_file with overwrite: true to replace it whole)"
                )));
            }
        };
        let (old, new) = match_line_endings(&before, &input.old, &input.new);
        let count = before.matches(old.as_str()).count();
        if count == 0 {
            let hint = if before.to_lowercase().contains(&old.to_lowercase()) {
                " (a match differing in upper/lower case exists)"
            } else {
                ""
            };
            return Err(ToolError::invalid(format!(
                "`old` was not found in {shown}{hint}; read the file again and copy the exact \
                 text, whitespace and line breaks included"
            )));
        }
        if count > 1 && !input.replace_all {
            let lines: Vec<String> = before
                .match_indices(old.as_str())
                .take(10)
                .map(|(idx, _)| (before[..idx].matches('\n').count() + 1).to_string())
                .collect();
            return Err(ToolError::invalid(format!(
                "`old` occurs {count} times in {shown} (lines {}); include more surrounding text \
                 so it matches exactly once, or set `replace_all: true`",
                lines.join(", ")
            )));
        }
        let after = if input.replace_all {
            before.replace(old.as_str(), &new)
        } else {
            before.replacen(old.as_str(), &new, 1)
        };
        Ok(Edit {
            p,
            shown,
            old_size: meta.size,
            before,
            after,
            replaced: count,
        })
    }

    /// The diff and counts without a byte-order mark, which is invisible and never edited.
    fn bodies(&self) -> (&str, &str) {
        (
            self.before.strip_prefix(UTF8_BOM).unwrap_or(&self.before),
            self.after.strip_prefix(UTF8_BOM).unwrap_or(&self.after),
        )
    }
}

/// Models write `\n`; when the file uses `\r\n` and `old` only matches that way, use the file's
/// line endings for both `old` and `new`.
fn match_line_endings(text: &str, old: &str, new: &str) -> (String, String) {
    if !text.contains(old) && text.contains("\r\n") && old.contains('\n') && !old.contains("\r\n") {
        let crlf_old = old.replace('\n', "\r\n");
        if text.contains(&crlf_old) {
            return (crlf_old, new.replace("\r\n", "\n").replace('\n', "\r\n"));
        }
    }
    (old.to_string(), new.to_string())
}

impl Tool for EditFile {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description: "Replace an exact piece of a text file: `old` must occur exactly once \
                          (include surrounding lines to make it unique). A backup is kept."
                .to_string(),
            kind: ActionKind::FileWrite,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let edit = Edit::compute(input, ctx)?;
        let (before, after) = edit.bodies();
        let (added, removed) = diff_counts(before, after);
        Ok(Prepared {
            kind: ActionKind::FileWrite,
            folders: Vec::new(),
            effects: vec![Effect::Modify {
                path: edit.shown.clone(),
            }],
            description: format!("edit {}", edit.shown),
            consequence: format!(
                "edits {} ({}): {} removed, {} added; reversible: backup kept",
                edit.shown,
                human_size(edit.old_size),
                plural(removed, "line", "lines"),
                added
            ),
            preview: Preview::Diff {
                unified: unified_diff(&edit.shown, before, after),
            },
        })
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let edit = Edit::compute(input, ctx)?;
        txn.write_file(&edit.p, edit.after.as_bytes(), true)?;
        let (before, after) = edit.bodies();
        let (added, removed) = diff_counts(before, after);
        Ok(ToolOutput {
            content: format!(
                "edited {}: replaced {} ({} removed, {} added)",
                edit.shown,
                plural(edit.replaced, "occurrence", "occurrences"),
                plural(removed, "line", "lines"),
                added
            ),
            provenance: Provenance::Trusted,
            changes: vec![(edit.shown, OutputChange::Modified)],
            plan: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_files_accept_lf_edits() {
        let (old, new) = match_line_endings("a\r\nb\r\nc\r\n", "a\nb\n", "x\ny\n");
        assert_eq!(old, "a\r\nb\r\n");
        assert_eq!(new, "x\r\ny\r\n");
        let (old, _) = match_line_endings("a\nb\n", "a\nb\n", "x");
        assert_eq!(old, "a\nb\n");
    }
}
