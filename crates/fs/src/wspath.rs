//! Plain data types of the workspace: roots, checked paths and directory entries.

use std::path::PathBuf;

/// A folder the person granted, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootSpec {
    pub name: String,
    pub path: PathBuf,
}

impl RootSpec {
    /// A root named after the folder's base name (DESIGN §1).
    pub fn from_path(path: impl Into<PathBuf>) -> RootSpec {
        let path = path.into();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "root".to_string());
        RootSpec { name, path }
    }
}

/// A root of an open workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootInfo {
    pub name: String,
    /// Canonical absolute path.
    pub path: PathBuf,
    /// True for the first root, addressed without `@NAME/`.
    pub default: bool,
}

/// A path inside the workspace, already checked for confinement (not for existence).
///
/// Only [`crate::Workspace::resolve`] and the workspace's own walks make these, so holding one
/// means the path was normalized (no `.`/`..`, `/` separators) and was not hidden at that time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WsPath {
    pub(crate) root: usize,
    pub(crate) rel: String,
}

impl WsPath {
    pub(crate) fn new(root: usize, components: &[String]) -> WsPath {
        WsPath {
            root,
            rel: components.join("/"),
        }
    }

    /// Index of the root in [`crate::Workspace::roots`].
    pub fn root(&self) -> usize {
        self.root
    }

    /// Path relative to the root, `/`-separated; `""` for the root itself.
    pub fn rel(&self) -> &str {
        &self.rel
    }

    /// Lowercase extension with its dot (`".md"`), if the final name has one.
    pub fn extension(&self) -> Option<String> {
        let name = self.file_name()?;
        let dot = name.rfind('.')?;
        if dot == 0 || dot + 1 == name.len() {
            return None;
        }
        Some(name[dot..].to_lowercase())
    }

    /// The final component, `None` for the root itself.
    pub fn file_name(&self) -> Option<&str> {
        if self.rel.is_empty() {
            None
        } else {
            self.rel.rsplit('/').next()
        }
    }

    /// The components of the relative path.
    pub fn components(&self) -> Vec<&str> {
        if self.rel.is_empty() {
            Vec::new()
        } else {
            self.rel.split('/').collect()
        }
    }

    /// The parent folder; `None` for the root itself.
    pub fn parent(&self) -> Option<WsPath> {
        if self.rel.is_empty() {
            return None;
        }
        let rel = match self.rel.rfind('/') {
            Some(i) => self.rel[..i].to_string(),
            None => String::new(),
        };
        Some(WsPath {
            root: self.root,
            rel,
        })
    }

    /// A child of this path.
    pub fn join(&self, name: &str) -> WsPath {
        let rel = if self.rel.is_empty() {
            name.to_string()
        } else {
            format!("{}/{}", self.rel, name)
        };
        WsPath {
            root: self.root,
            rel,
        }
    }

    /// True when `self` is `other` or lies inside it (same root).
    pub fn starts_with(&self, other: &WsPath) -> bool {
        self.root == other.root
            && (other.rel.is_empty()
                || self.rel == other.rel
                || (self.rel.starts_with(&other.rel)
                    && self.rel.as_bytes().get(other.rel.len()) == Some(&b'/')))
    }

    /// The path relative to `base` when `self` lies strictly inside it.
    pub fn strip_prefix(&self, base: &WsPath) -> Option<&str> {
        if !self.starts_with(base) || self.rel == base.rel {
            return None;
        }
        if base.rel.is_empty() {
            Some(&self.rel)
        } else {
            Some(&self.rel[base.rel.len() + 1..])
        }
    }
}

/// What kind of thing a directory entry is (a final symlink is not followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Other,
}

/// One file or folder, as `metadata` and `list` report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryMeta {
    pub path: WsPath,
    /// The display path (`a/b.md`, `@NAME/a/b.md`).
    pub display: String,
    pub kind: EntryKind,
    pub size: u64,
    pub modified: Option<time::OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(rel: &str) -> WsPath {
        WsPath {
            root: 0,
            rel: rel.to_string(),
        }
    }

    #[test]
    fn extension_and_names() {
        assert_eq!(p("a/B.MD").extension().as_deref(), Some(".md"));
        assert_eq!(p("a/.bashrc").extension(), None);
        assert_eq!(p("a/x.tar.gz").extension().as_deref(), Some(".gz"));
        assert_eq!(p("").extension(), None);
        assert_eq!(p("a/b").parent(), Some(p("a")));
        assert_eq!(p("a").parent(), Some(p("")));
        assert!(p("ab/c").starts_with(&p("ab")));
        assert!(!p("abc").starts_with(&p("ab")));
        assert_eq!(p("ab/c/d").strip_prefix(&p("ab")), Some("c/d"));
        assert_eq!(p("ab").strip_prefix(&p("")), Some("ab"));
    }
}
