//! Path helpers on top of the workspace: resolving, existence checks with "did you mean",
//! parents and joins. All paths go through `Workspace::resolve`, so confinement stays with cowork-fs.

use cowork_fs::{EntryKind, EntryMeta, WsPath};

use crate::{ToolContext, ToolError};

/// How many siblings we look at to suggest a name.
const SUGGEST_SCAN: usize = 2000;

/// Resolve a path given by the model.
pub(crate) fn resolve(ctx: &ToolContext, path: &str) -> Result<WsPath, ToolError> {
    if path.trim().is_empty() {
        return Err(ToolError::invalid(
            "the path is empty; give a path like `notes/report.md` or `.`",
        ));
    }
    Ok(ctx.ws.resolve(path)?)
}

/// The string that resolves to (root, rel): the inverse of `Workspace::resolve`.
fn spell(ctx: &ToolContext, root: usize, rel: &str) -> Result<String, ToolError> {
    if root == 0 {
        // "./" keeps a first component starting with '@' from being read as a root name.
        return Ok(if rel.is_empty() {
            ".".to_string()
        } else {
            format!("./{rel}")
        });
    }
    let name = ctx
        .ws
        .roots()
        .get(root)
        .map(|r| r.name.clone())
        .ok_or_else(|| {
            ToolError::Failed(format!("internal: root #{root} is not in this workspace"))
        })?;
    Ok(if rel.is_empty() {
        format!("@{name}")
    } else {
        format!("@{name}/{rel}")
    })
}

/// The workspace path for (root index, normalized relative path).
pub(crate) fn at(ctx: &ToolContext, root: usize, rel: &str) -> Result<WsPath, ToolError> {
    Ok(ctx.ws.resolve(&spell(ctx, root, rel)?)?)
}

/// `p`'s parent folder; None for a root itself.
pub(crate) fn parent(ctx: &ToolContext, p: &WsPath) -> Result<Option<WsPath>, ToolError> {
    if p.rel().is_empty() {
        return Ok(None);
    }
    let parent_rel = p
        .rel()
        .rsplit_once('/')
        .map(|(parent, _)| parent)
        .unwrap_or("");
    Ok(Some(ctx.ws.resolve(&spell(ctx, p.root(), parent_rel)?)?))
}

/// `dir/name`.
pub(crate) fn join(ctx: &ToolContext, dir: &WsPath, name: &str) -> Result<WsPath, ToolError> {
    let rel = if dir.rel().is_empty() {
        name.to_string()
    } else {
        format!("{}/{name}", dir.rel())
    };
    Ok(ctx.ws.resolve(&spell(ctx, dir.root(), &rel)?)?)
}

/// The last component ("" for a root).
pub(crate) fn file_name(p: &WsPath) -> &str {
    p.rel().rsplit('/').next().unwrap_or("")
}

/// True when `inner` is `outer` or lies below it.
pub(crate) fn is_within(inner: &WsPath, outer: &WsPath) -> bool {
    inner.root() == outer.root()
        && (outer.rel().is_empty()
            || inner.rel() == outer.rel()
            || inner.rel().starts_with(&format!("{}/", outer.rel())))
}

/// The metadata of `p`, or an error the model can act on: "no such file or folder `notes.md`
/// (did you mean `notes.txt`?)".
pub(crate) fn existing(ctx: &ToolContext, p: &WsPath) -> Result<EntryMeta, ToolError> {
    match ctx.ws.metadata(p)? {
        Some(meta) => Ok(meta),
        None => Err(not_found(ctx, p)),
    }
}

/// The "does not exist" error for `p`, with a suggestion from its folder when one is close.
pub(crate) fn not_found(ctx: &ToolContext, p: &WsPath) -> ToolError {
    let shown = ctx.ws.display(p);
    match suggest(ctx, p) {
        Some(s) => ToolError::invalid(format!(
            "no such file or folder `{shown}` (did you mean `{s}`?)"
        )),
        None => ToolError::invalid(format!(
            "no such file or folder `{shown}`; use list_dir or search_files to find the right path"
        )),
    }
}

/// A sibling whose name is close to `p`'s: same stem with another extension, different case,
/// or a few typos away.
fn suggest(ctx: &ToolContext, p: &WsPath) -> Option<String> {
    let dir = parent(ctx, p).ok()??;
    if !matches!(ctx.ws.metadata(&dir).ok()??.kind, EntryKind::Dir) {
        return None;
    }
    let (entries, _) = ctx.ws.list(&dir, false, None, SUGGEST_SCAN).ok()?;
    let wanted = file_name(p).to_lowercase();
    let wanted_stem = stem(&wanted);
    entries
        .iter()
        .filter_map(|e| {
            let name = file_name(&e.path).to_lowercase();
            let score = if stem(&name) == wanted_stem {
                0
            } else {
                let d = levenshtein(&name, &wanted);
                let allowed = (wanted.chars().count() / 3).max(2);
                if d > allowed {
                    return None;
                }
                d
            };
            Some((score, e.display.clone()))
        })
        .min()
        .map(|(_, display)| display)
}

fn stem(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    }
}

/// Edit distance in characters.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev_diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev_diag
            } else {
                1 + prev_diag.min(above).min(row[j])
            };
            prev_diag = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "ab"), 2);
        assert_eq!(levenshtein("notes.md", "notes.md"), 0);
        assert_eq!(stem("notes.md"), "notes");
        assert_eq!(stem(".bashrc"), ".bashrc");
    }
}
