//! search_files: find text in files (ripgrep's engine) and files by name.

use cowork_fs::{ActionTxn, EntryKind, WsPath};
use cowork_protocol::{ActionKind, Effect, Preview, Provenance};
use grep_matcher::Matcher;
use grep_regex::{RegexMatcher, RegexMatcherBuilder};
use grep_searcher::{BinaryDetection, SearcherBuilder, sinks::Lossy};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::format::{clip, plural};
use crate::input::{parse, schema};
use crate::{Prepared, Tool, ToolContext, ToolError, ToolOutput, ToolSpec, paths};

const NAME: &str = "search_files";
const DEFAULT_HITS: usize = 200;
const MAX_HITS: usize = 1000;
/// Files looked at in one search; a bigger tree needs a narrower `path` or `glob`.
const MAX_FILES: usize = 20_000;
/// Characters of a matching line shown.
const LINE_CHARS: usize = 240;

/// Search file contents and names.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Input {
    /// A regular expression (or plain text with `literal: true`). Case-insensitive unless it
    /// contains an uppercase letter.
    query: String,
    /// Folder (or file) to search in. Default `.`.
    #[serde(default)]
    path: Option<String>,
    /// Only files whose path relative to `path` matches this glob, e.g. `**/*.md`.
    #[serde(default)]
    glob: Option<String>,
    /// Treat `query` as plain text, not a regular expression.
    #[serde(default)]
    literal: bool,
    /// Only match file names, not contents.
    #[serde(default)]
    names_only: bool,
    /// Force case-sensitive (true) or case-insensitive (false) matching.
    #[serde(default)]
    case_sensitive: Option<bool>,
    /// At most this many hits (default 200, at most 1000).
    #[serde(default)]
    max_results: Option<usize>,
}

/// The `search_files` tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchFiles;

/// What prepare and execute both need.
struct Plan {
    input: Input,
    p: WsPath,
    is_dir: bool,
    matcher: RegexMatcher,
    /// The query was not a valid regex and is searched for literally.
    fell_back: bool,
}

fn plan(input: &serde_json::Value, ctx: &ToolContext) -> Result<Plan, ToolError> {
    let input: Input = parse(NAME, input)?;
    if input.query.is_empty() {
        return Err(ToolError::invalid(
            "`query` is empty; give the text or pattern to search for",
        ));
    }
    let p = paths::resolve(ctx, input.path.as_deref().unwrap_or("."))?;
    let meta = paths::existing(ctx, &p)?;
    let (matcher, fell_back) = matcher(&input)?;
    Ok(Plan {
        is_dir: matches!(meta.kind, EntryKind::Dir),
        input,
        p,
        matcher,
        fell_back,
    })
}

fn matcher(input: &Input) -> Result<(RegexMatcher, bool), ToolError> {
    let build = |literal: bool| {
        let mut b = RegexMatcherBuilder::new();
        match input.case_sensitive {
            Some(cs) => b.case_insensitive(!cs),
            None => b.case_smart(true),
        };
        // Matches never span lines: the searcher reports lines.
        b.line_terminator(Some(b'\n'))
            .fixed_strings(literal)
            .build(&input.query)
    };
    match build(input.literal) {
        Ok(m) => Ok((m, false)),
        // A model often passes text with regex metacharacters ("f(x)"); search it as written.
        Err(_) if !input.literal => build(true)
            .map(|m| (m, true))
            .map_err(|e| ToolError::invalid(format!("`query` cannot be searched for: {e}"))),
        Err(e) => Err(ToolError::invalid(format!(
            "`query` cannot be searched for: {e}"
        ))),
    }
}

impl Tool for SearchFiles {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME,
            description: "Search file contents (regex or literal) and file names under a folder; \
                          hits come as `path:line: text`. Files ignored by .gitignore and hidden \
                          files are skipped."
                .to_string(),
            kind: ActionKind::FileRead,
            input_schema: schema::<Input>(),
        }
    }

    fn prepare(&self, input: &serde_json::Value, ctx: &ToolContext) -> Result<Prepared, ToolError> {
        let plan = plan(input, ctx)?;
        let shown = ctx.ws.display(&plan.p);
        let what = if plan.input.names_only {
            "file names"
        } else {
            "files"
        };
        let glob = plan
            .input
            .glob
            .as_ref()
            .map(|g| format!(" matching {g}"))
            .unwrap_or_default();
        Ok(Prepared {
            kind: ActionKind::FileRead,
            folders: Vec::new(),
            effects: vec![Effect::Read {
                path: shown.clone(),
            }],
            description: format!("search {shown} for `{}`", clip(&plan.input.query, 80)),
            consequence: format!(
                "searches {what}{glob} under {shown} for `{}`; ignored and hidden files are skipped",
                clip(&plan.input.query, 80)
            ),
            preview: Preview::None,
        })
    }

    fn execute(
        &self,
        input: &serde_json::Value,
        ctx: &ToolContext,
        _txn: &mut ActionTxn<'_>,
    ) -> Result<ToolOutput, ToolError> {
        let plan = plan(input, ctx)?;
        let shown = ctx.ws.display(&plan.p);
        let cap = plan
            .input
            .max_results
            .unwrap_or(DEFAULT_HITS)
            .clamp(1, MAX_HITS);
        let files = if plan.is_dir {
            ctx.ws
                .walk_files(&plan.p, plan.input.glob.as_deref(), MAX_FILES)?
        } else {
            vec![plan.p.clone()]
        };

        let mut hits: Vec<String> = Vec::new();
        let mut files_hit = 0usize;
        let mut skipped = 0usize;
        let mut searcher = SearcherBuilder::new()
            .binary_detection(BinaryDetection::quit(0))
            .line_number(true)
            .build();
        for file in &files {
            if hits.len() >= cap {
                break;
            }
            let display = ctx.ws.display(file);
            let before = hits.len();
            let name = paths::file_name(file);
            if plan.matcher.is_match(name.as_bytes()).unwrap_or(false) {
                hits.push(format!("{display} (file name matches)"));
            }
            if !plan.input.names_only && hits.len() < cap {
                // Every read goes through the workspace (confined, capped); files it refuses
                // (too large, hard-linked, vanished) are counted, not fatal.
                match ctx.ws.read(file, ctx.max_read_bytes) {
                    Ok(bytes) => {
                        let sink = Lossy(|line_no, line: &str| {
                            let line = line.trim_end_matches(['\n', '\r']);
                            hits.push(format!("{display}:{line_no}: {}", clip(line, LINE_CHARS)));
                            Ok(hits.len() < cap)
                        });
                        if searcher.search_slice(&plan.matcher, &bytes, sink).is_err() {
                            skipped += 1;
                        }
                    }
                    Err(_) => skipped += 1,
                }
            }
            if hits.len() > before {
                files_hit += 1;
            }
        }

        let mut notes = Vec::new();
        if plan.fell_back {
            notes.push(
                "`query` is not a valid regular expression; it was searched for as plain text"
                    .to_string(),
            );
        }
        if hits.is_empty() {
            notes.push(format!(
                "no matches for `{}` in {} under {shown}",
                clip(&plan.input.query, 80),
                plural(files.len(), "file", "files")
            ));
        } else {
            notes.push(format!(
                "{} in {}",
                plural(hits.len(), "match", "matches"),
                plural(files_hit, "file", "files")
            ));
        }
        if hits.len() >= cap {
            notes.push(format!("stopped at {cap} matches; narrow the search with `path`, `glob` or a more precise `query`"));
        }
        if files.len() >= MAX_FILES {
            notes.push(format!(
                "only the first {MAX_FILES} files were searched; narrow with `path` or `glob`"
            ));
        }
        if skipped > 0 {
            notes.push(format!(
                "{} could not be searched (larger than the read limit, binary or unreadable)",
                plural(skipped, "file", "files")
            ));
        }
        let mut content = hits.join("\n");
        if !content.is_empty() {
            content.push('\n');
        }
        content.push_str(&format!("[{}]", notes.join("; ")));
        // Matching lines are file content, and file names are chosen by whoever filled the
        // folder: both are data, never instructions.
        let provenance = if plan.input.names_only {
            Provenance::Untrusted {
                source: format!("listing:{shown}"),
            }
        } else {
            Provenance::Untrusted {
                source: format!("search:{shown}"),
            }
        };
        Ok(ToolOutput {
            content,
            provenance,
            changes: Vec::new(),
            plan: None,
        })
    }
}
