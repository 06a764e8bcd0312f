//! Confined reads: metadata, file contents, listings and the search walk.
//!
//! A symlink may be followed for reading when it stays inside its root and outside hidden
//! folders: `Dir::canonicalize` (sandboxed by cap-std) resolves it, the canonical path is checked
//! again, and then opened component by component without following anything.

use std::cmp::Ordering;
use std::io::{self, Read, Seek, SeekFrom};

use cap_fs_ext::DirExt;
use cap_std::fs::{Dir, File, Metadata, MetadataExt};
use globset::{GlobBuilder, GlobMatcher};

use crate::confined::{lstat, open_dir_chain, open_file_nofollow};
use crate::error::{FsError, is_escape, is_symlink_refusal};
use crate::names::HiddenKind;
use crate::workspace::Workspace;
use crate::wspath::{EntryKind, EntryMeta, WsPath};

pub(crate) fn compile_glob(glob: &str) -> Result<GlobMatcher, FsError> {
    GlobBuilder::new(glob)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| FsError::InvalidGlob {
            glob: glob.to_string(),
            reason: e.kind().to_string(),
        })
}

pub(crate) fn path_order(a: &WsPath, b: &WsPath) -> Ordering {
    a.root
        .cmp(&b.root)
        .then_with(|| a.rel.split('/').cmp(b.rel.split('/')))
}

pub(crate) fn kind_of(meta: &Metadata) -> EntryKind {
    let ft = meta.file_type();
    if ft.is_symlink() {
        EntryKind::Symlink
    } else if ft.is_dir() {
        EntryKind::Dir
    } else if ft.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    }
}

fn modified_of(meta: &Metadata) -> Option<time::OffsetDateTime> {
    meta.modified()
        .ok()
        .map(|t| time::OffsetDateTime::from(t.into_std()))
}

impl Workspace {
    fn entry_meta(&self, path: WsPath, meta: &Metadata) -> EntryMeta {
        EntryMeta {
            display: self.display(&path),
            path,
            kind: kind_of(meta),
            size: meta.len(),
            modified: modified_of(meta),
        }
    }

    /// Map an error met while resolving `p` for a read.
    pub(crate) fn read_error(&self, p: &WsPath, e: io::Error, action: &'static str) -> FsError {
        let shown = self.display(p);
        if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR) {
            FsError::NotFound { path: shown }
        } else if is_escape(&e) {
            FsError::SymlinkEscape {
                path: shown,
                target: "outside the workspace".into(),
            }
        } else if is_symlink_refusal(&e) {
            FsError::SymlinkEscape {
                path: shown,
                target: "somewhere else than it did a moment ago (it changed during the read)"
                    .into(),
            }
        } else {
            FsError::io(action, shown, e)
        }
    }

    /// The canonical components of `p` inside its root (symlinks resolved by cap-std, which
    /// refuses escapes), re-checked against the hidden folders.
    pub(crate) fn canonical(&self, p: &WsPath) -> Result<Vec<String>, FsError> {
        let dir = self.dir(p.root)?;
        let target = if p.rel.is_empty() {
            "."
        } else {
            p.rel.as_str()
        };
        let canon = dir
            .canonicalize(target)
            .map_err(|e| self.read_error(p, e, "resolve"))?;
        let mut comps = Vec::new();
        for c in canon.components() {
            match c {
                std::path::Component::Normal(s) => match s.to_str() {
                    Some(s) => comps.push(s.to_string()),
                    None => {
                        return Err(FsError::InvalidPath {
                            path: self.display(p),
                            reason: "it leads to a name that is not valid UTF-8".into(),
                        });
                    }
                },
                std::path::Component::CurDir => {}
                std::path::Component::Prefix(_)
                | std::path::Component::RootDir
                | std::path::Component::ParentDir => {
                    return Err(FsError::SymlinkEscape {
                        path: self.display(p),
                        target: "outside the workspace".into(),
                    });
                }
            }
        }
        if let Some(entry) = self.hidden.get(p.root).and_then(|s| s.matching(&comps)) {
            let target = match entry.kind {
                HiddenKind::StateDir => "into cowork's state folder (.cowork)".to_string(),
                HiddenKind::Restricted => format!("into the restricted folder `{}`", entry.label),
            };
            return Err(FsError::SymlinkEscape {
                path: self.display(p),
                target,
            });
        }
        Ok(comps)
    }

    /// Open `p` as a regular file with one link, for reading.
    fn open_regular(&self, p: &WsPath) -> Result<(File, Metadata), FsError> {
        let comps = self.canonical(p)?;
        let shown = self.display(p);
        let Some((last, parents)) = comps.split_last() else {
            return Err(FsError::NotAFile {
                path: shown,
                what: "a folder".into(),
            });
        };
        let root = self.dir(p.root)?;
        let parent = open_dir_chain(root, parents).map_err(|e| self.read_error(p, e, "open"))?;
        let meta = lstat(&parent, last)
            .map_err(|e| self.read_error(p, e, "inspect"))?
            .ok_or_else(|| FsError::NotFound {
                path: shown.clone(),
            })?;
        match kind_of(&meta) {
            EntryKind::File => {}
            EntryKind::Dir => {
                return Err(FsError::NotAFile {
                    path: shown,
                    what: "a folder".into(),
                });
            }
            EntryKind::Symlink => {
                return Err(FsError::SymlinkEscape {
                    path: shown,
                    target: "somewhere else than it did a moment ago (it changed during the read)"
                        .into(),
                });
            }
            EntryKind::Other => {
                return Err(FsError::NotAFile {
                    path: shown,
                    what: "a device, pipe or socket".into(),
                });
            }
        }
        let file = open_file_nofollow(&parent, last).map_err(|e| self.read_error(p, e, "open"))?;
        // Check the opened file itself: the name may have been swapped since the lstat.
        let meta = file
            .metadata()
            .map_err(|e| FsError::io("inspect", shown.clone(), e))?;
        if !meta.is_file() {
            return Err(FsError::NotAFile {
                path: shown,
                what: "not a regular file".into(),
            });
        }
        if meta.nlink() > 1 {
            return Err(FsError::HardLink {
                path: shown,
                links: meta.nlink(),
            });
        }
        Ok((file, meta))
    }

    /// Metadata of `p`; `None` when it does not exist. A final symlink is not followed.
    pub fn metadata(&self, p: &WsPath) -> Result<Option<EntryMeta>, FsError> {
        let root = self.dir(p.root)?;
        let Some(parent) = p.parent() else {
            let meta = root
                .dir_metadata()
                .map_err(|e| FsError::io("inspect", self.display(p), e))?;
            return Ok(Some(self.entry_meta(p.clone(), &meta)));
        };
        let name = p.file_name().unwrap_or_default();
        let mut comps = match self.canonical(&parent) {
            Ok(c) => c,
            Err(FsError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        comps.push(name.to_string());
        if self.is_hidden(
            p.root,
            &comps.iter().map(String::as_str).collect::<Vec<_>>(),
        ) {
            return Err(FsError::SymlinkEscape {
                path: self.display(p),
                target: "into a restricted folder or cowork's state folder".into(),
            });
        }
        let parent_dir = match open_dir_chain(root, &comps[..comps.len() - 1]) {
            Ok(d) => d,
            Err(e)
                if e.raw_os_error() == Some(libc::ENOTDIR)
                    || e.kind() == io::ErrorKind::NotFound =>
            {
                return Ok(None);
            }
            Err(e) => return Err(self.read_error(p, e, "open")),
        };
        match lstat(&parent_dir, name).map_err(|e| self.read_error(p, e, "inspect"))? {
            None => Ok(None),
            Some(meta) => Ok(Some(self.entry_meta(p.clone(), &meta))),
        }
    }

    /// Confined read of a regular file; over `max_bytes` is [`FsError::FileTooLarge`].
    pub fn read(&self, p: &WsPath, max_bytes: u64) -> Result<Vec<u8>, FsError> {
        let (file, meta) = self.open_regular(p)?;
        if meta.len() > max_bytes {
            return Err(FsError::FileTooLarge {
                path: self.display(p),
                size: meta.len(),
                max: max_bytes,
            });
        }
        let mut out = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        // Read one byte past the cap so a file that grew since the stat is still refused.
        file.take(max_bytes.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| FsError::io("read", self.display(p), e))?;
        if out.len() as u64 > max_bytes {
            return Err(FsError::FileTooLarge {
                path: self.display(p),
                size: out.len() as u64,
                max: max_bytes,
            });
        }
        Ok(out)
    }

    /// Read `len` bytes from `offset` (fewer at the end of the file).
    pub fn read_range(&self, p: &WsPath, offset: u64, len: u64) -> Result<Vec<u8>, FsError> {
        let (mut file, _) = self.open_regular(p)?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| FsError::io("read", self.display(p), e))?;
        let mut out = Vec::new();
        file.take(len)
            .read_to_end(&mut out)
            .map_err(|e| FsError::io("read", self.display(p), e))?;
        Ok(out)
    }

    /// BLAKE3 hex of a file; `None` when it does not exist.
    pub fn hash_file(&self, p: &WsPath) -> Result<Option<String>, FsError> {
        match self.open_regular(p) {
            Ok((file, _)) => crate::confined::hash_reader(file)
                .map(Some)
                .map_err(|e| FsError::io("read", self.display(p), e)),
            Err(FsError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// List a folder (optionally recursively), never showing hidden folders. `glob` filters
    /// files by their path relative to `p`. Returns the entries sorted by path and whether
    /// `max_entries` cut the walk short.
    pub fn list(
        &self,
        p: &WsPath,
        recursive: bool,
        glob: Option<&str>,
        max_entries: usize,
    ) -> Result<(Vec<EntryMeta>, bool), FsError> {
        let matcher = glob.map(compile_glob).transpose()?;
        let canon = self.canonical(p)?;
        let root = self.dir(p.root)?;
        let dir = open_dir_chain(root, &canon).map_err(|e| {
            if e.raw_os_error() == Some(libc::ENOTDIR) {
                FsError::NotADirectory {
                    path: self.display(p),
                }
            } else {
                self.read_error(p, e, "open")
            }
        })?;
        let mut walk = ListWalk {
            ws: self,
            base: p,
            matcher,
            recursive,
            max: max_entries,
            out: Vec::new(),
            truncated: false,
        };
        walk.visit(&dir, &canon, &[])?;
        let mut out = walk.out;
        let truncated = walk.truncated;
        out.sort_by(|a, b| path_order(&a.path, &b.path));
        Ok((out, truncated))
    }

    /// Files under `p` for search: honours .gitignore/.ignore/hidden rules, skips hidden
    /// folders, never follows symlinks. The walk enumerates ambient paths; every read of the
    /// results still goes through [`Workspace::read`].
    pub fn walk_files(
        &self,
        p: &WsPath,
        glob: Option<&str>,
        max_files: usize,
    ) -> Result<Vec<WsPath>, FsError> {
        let matcher = glob.map(compile_glob).transpose()?;
        let canon = self.canonical(p)?;
        let root = self.dir(p.root)?;
        let meta = crate::confined::lstat_path(root, &canon)
            .map_err(|e| self.read_error(p, e, "inspect"))?
            .ok_or_else(|| FsError::NotFound {
                path: self.display(p),
            })?;
        if meta.is_file() {
            let name = p.file_name().unwrap_or_default();
            let keep = matcher.as_ref().is_none_or(|m| m.is_match(name));
            return Ok(if keep && max_files > 0 {
                vec![p.clone()]
            } else {
                Vec::new()
            });
        }
        let root_abs = self.absolute(&WsPath {
            root: p.root,
            rel: String::new(),
        });
        let start = root_abs.join(canon.join("/"));
        let hidden = self.hidden.get(p.root).cloned().unwrap_or_default();
        let filter_root = root_abs.clone();
        let walker = ignore::WalkBuilder::new(&start)
            .follow_links(false)
            .hidden(true)
            .git_ignore(true)
            .ignore(true)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(move |entry| match entry.path().strip_prefix(&filter_root) {
                Ok(rel) => {
                    let comps: Vec<String> = rel
                        .iter()
                        .map(|c| c.to_string_lossy().into_owned())
                        .collect();
                    hidden.matching(&comps).is_none()
                }
                Err(_) => false,
            })
            .build();
        let mut out = Vec::new();
        for entry in walker.flatten() {
            if out.len() >= max_files {
                break;
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&start) else {
                continue;
            };
            let Some(rel) = rel.to_str() else { continue };
            if rel.is_empty() {
                continue;
            }
            if let Some(m) = &matcher
                && !m.is_match(rel)
            {
                continue;
            }
            let mut path = p.clone();
            for c in rel.split('/') {
                path = path.join(c);
            }
            out.push(path);
        }
        out.sort_by(path_order);
        Ok(out)
    }
}

/// State of one `list` walk.
struct ListWalk<'a> {
    ws: &'a Workspace,
    base: &'a WsPath,
    matcher: Option<GlobMatcher>,
    recursive: bool,
    max: usize,
    out: Vec<EntryMeta>,
    truncated: bool,
}

impl ListWalk<'_> {
    /// Visit `dir` (canonical components `canon`, components `rel` below the listed folder).
    fn visit(&mut self, dir: &Dir, canon: &[String], rel: &[String]) -> Result<(), FsError> {
        let here = self.base_join(rel);
        let entries = dir
            .entries()
            .map_err(|e| FsError::io("list", self.ws.display(&here), e))?;
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| !n.starts_with(crate::confined::TMP_PREFIX))
            .collect();
        names.sort();
        for name in names {
            if self.truncated {
                return Ok(());
            }
            let mut child_canon = canon.to_vec();
            child_canon.push(name.clone());
            let mut child_rel = rel.to_vec();
            child_rel.push(name.clone());
            let child_path = self.base_join(&child_rel);
            let canon_refs: Vec<&str> = child_canon.iter().map(String::as_str).collect();
            if self.ws.is_hidden(self.base.root, &canon_refs)
                || self.ws.is_hidden(child_path.root, &child_path.components())
            {
                continue;
            }
            let Ok(Some(meta)) = lstat(dir, &name) else {
                continue;
            };
            let kind = kind_of(&meta);
            let include = match &self.matcher {
                None => true,
                Some(m) => kind != EntryKind::Dir && m.is_match(child_rel.join("/")),
            };
            if include {
                if self.out.len() >= self.max {
                    self.truncated = true;
                    return Ok(());
                }
                self.out.push(self.ws.entry_meta(child_path.clone(), &meta));
            }
            if self.recursive && kind == EntryKind::Dir {
                // Subfolders are opened without following links, so a walk cannot loop or leave.
                let Ok(sub) = dir.open_dir_nofollow(&name) else {
                    continue;
                };
                self.visit(&sub, &child_canon, &child_rel)?;
            }
        }
        Ok(())
    }

    fn base_join(&self, rel: &[String]) -> WsPath {
        let mut p = self.base.clone();
        for c in rel {
            p = p.join(c);
        }
        p
    }
}
