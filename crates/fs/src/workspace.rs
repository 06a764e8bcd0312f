//! The workspace: its roots, their confined directory handles, the hidden folders, and turning
//! user/model text into checked [`WsPath`]s.

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use cap_fs_ext::DirExt;
use cap_std::ambient_authority;
use cap_std::fs::Dir;

use crate::error::FsError;
use crate::names::{HiddenKind, HiddenSet, normalize_components};
use crate::wspath::{RootInfo, RootSpec, WsPath};

/// Name of the state folder inside the default root.
pub const STATE_DIR_NAME: &str = ".cowork";

/// A set of granted roots. All file access goes through the confined `Dir` handles held here.
pub struct Workspace {
    pub(crate) roots: Vec<RootInfo>,
    pub(crate) dirs: Vec<Dir>,
    pub(crate) hidden: Vec<HiddenSet>,
    pub(crate) state: Dir,
    pub(crate) state_path: PathBuf,
    /// Serializes journal appends and undo within this process (a file lock covers other processes).
    pub(crate) journal_lock: Mutex<()>,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("roots", &self.roots)
            .finish_non_exhaustive()
    }
}

/// Lexically normalize an absolute path (for restricted entries that do not exist).
fn lexical_absolute(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn path_components(rel: &Path) -> Vec<String> {
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::Prefix(_)
            | Component::RootDir
            | Component::CurDir
            | Component::ParentDir => None,
        })
        .collect()
}

fn validate_root_name(spec: &RootSpec) -> Result<(), FsError> {
    let bad = spec.name.is_empty()
        || spec.name.contains('/')
        || spec.name.contains('\0')
        || spec.name.starts_with('@')
        || spec.name == "."
        || spec.name == "..";
    if bad {
        return Err(FsError::Root {
            path: spec.path.display().to_string(),
            reason: format!(
                "`{}` is not a usable folder name; use `--folder NAME=DIR` with a plain name",
                spec.name
            ),
        });
    }
    Ok(())
}

impl Workspace {
    /// Open the roots. The first root is the default root; its state dir `<root>/.cowork/` is
    /// created (with a `.gitignore` containing `*`). `restricted` entries are relative to a root
    /// (applying to every root) or absolute paths.
    pub fn open(roots: Vec<RootSpec>, restricted: &[String]) -> Result<Workspace, FsError> {
        if roots.is_empty() {
            return Err(FsError::NoRoots);
        }
        let mut infos: Vec<RootInfo> = Vec::with_capacity(roots.len());
        let mut dirs: Vec<Dir> = Vec::with_capacity(roots.len());
        for (i, spec) in roots.iter().enumerate() {
            validate_root_name(spec)?;
            let shown = spec.path.display().to_string();
            // The roots come from the person, not the model, so ambient canonicalization is fine.
            let canon = std::fs::canonicalize(&spec.path).map_err(|e| FsError::Root {
                path: shown.clone(),
                reason: format!("{e}; check the path given with --folder"),
            })?;
            if !canon.is_dir() {
                return Err(FsError::Root {
                    path: shown,
                    reason: "it is not a folder".into(),
                });
            }
            if infos.iter().any(|r| r.name == spec.name) {
                return Err(FsError::DuplicateRoot {
                    name: spec.name.clone(),
                    name_hint: format!("{}-2={}", spec.name, shown),
                });
            }
            let dir = Dir::open_ambient_dir(&canon, ambient_authority())
                .map_err(|e| FsError::io("open folder", shown.clone(), e))?;
            infos.push(RootInfo {
                name: spec.name.clone(),
                path: canon,
                default: i == 0,
            });
            dirs.push(dir);
        }

        let state_path = infos[0].path.join(STATE_DIR_NAME);
        let state = open_state_dir(&dirs[0], &state_path)?;
        let hidden = build_hidden(&infos, &state_path, restricted)?;

        Ok(Workspace {
            roots: infos,
            dirs,
            hidden,
            state,
            state_path,
            journal_lock: Mutex::new(()),
        })
    }

    /// The roots, default first.
    pub fn roots(&self) -> &[RootInfo] {
        &self.roots
    }

    /// Absolute path of `<default root>/.cowork`.
    pub fn state_dir(&self) -> &Path {
        &self.state_path
    }

    /// Parse `rel/path`, `./x`, `@NAME/rel`, `@NAME` into a checked path.
    pub fn resolve(&self, path: &str) -> Result<WsPath, FsError> {
        if path.contains('\0') {
            return Err(FsError::InvalidPath {
                path: path.replace('\0', "\\0"),
                reason: "it contains a NUL byte".into(),
            });
        }
        if path.starts_with('/') {
            return Err(self.absolute_refusal(path));
        }
        let (root, rest) = match path.strip_prefix('@') {
            Some(after) => {
                let (name, rest) = after.split_once('/').unwrap_or((after, ""));
                let index = self
                    .roots
                    .iter()
                    .position(|r| r.name == name)
                    .ok_or_else(|| FsError::UnknownRoot {
                        name: name.to_string(),
                        path: path.to_string(),
                        known: self.known_roots(),
                    })?;
                (index, rest)
            }
            None => (0, path),
        };
        let components = normalize_components(rest).ok_or_else(|| FsError::Outside {
            path: path.to_string(),
            reason: "`..` climbs above the folder it starts in; use a path inside the workspace"
                .into(),
        })?;
        let ws = WsPath::new(root, &components);
        self.check_visible(&ws, path)?;
        Ok(ws)
    }

    /// `a/b.md` for the default root, `@NAME/a/b.md` otherwise, `.` for the default root itself.
    pub fn display(&self, p: &WsPath) -> String {
        if p.root == 0 {
            if p.rel.is_empty() {
                ".".to_string()
            } else if p.rel.starts_with('@') {
                // Keeps a file literally named `@x` from reading back as another root.
                format!("./{}", p.rel)
            } else {
                p.rel.clone()
            }
        } else {
            let name = self
                .roots
                .get(p.root)
                .map(|r| r.name.as_str())
                .unwrap_or("?");
            if p.rel.is_empty() {
                format!("@{name}")
            } else {
                format!("@{name}/{}", p.rel)
            }
        }
    }

    /// Absolute path of a workspace path (for showing to the person, never for opening).
    pub fn absolute(&self, p: &WsPath) -> PathBuf {
        let base = self
            .roots
            .get(p.root)
            .map(|r| r.path.clone())
            .unwrap_or_default();
        if p.rel.is_empty() {
            base
        } else {
            base.join(&p.rel)
        }
    }

    pub(crate) fn known_roots(&self) -> String {
        let names: Vec<String> = self
            .roots
            .iter()
            .map(|r| {
                if r.default {
                    format!("{} (default, no prefix)", r.name)
                } else {
                    format!("@{}", r.name)
                }
            })
            .collect();
        names.join(", ")
    }

    fn absolute_refusal(&self, path: &str) -> FsError {
        let abs = lexical_absolute(Path::new(path));
        for (i, root) in self.roots.iter().enumerate() {
            if let Ok(rel) = abs.strip_prefix(&root.path) {
                let ws = WsPath::new(i, &path_components(rel));
                return FsError::Outside {
                    path: path.to_string(),
                    reason: format!(
                        "absolute paths are not accepted; write it as `{}`",
                        self.display(&ws)
                    ),
                };
            }
        }
        FsError::Outside {
            path: path.to_string(),
            reason: format!(
                "absolute paths are not accepted; use a path relative to a granted folder ({})",
                self.known_roots()
            ),
        }
    }

    /// Refuse a path that is (inside) the state dir or a restricted folder.
    pub(crate) fn check_visible(&self, p: &WsPath, shown: &str) -> Result<(), FsError> {
        let Some(set) = self.hidden.get(p.root) else {
            return Err(FsError::UnknownRoot {
                name: format!("#{}", p.root),
                path: shown.to_string(),
                known: self.known_roots(),
            });
        };
        match set.matching(&p.components()) {
            None => Ok(()),
            Some(entry) => Err(match entry.kind {
                HiddenKind::StateDir => FsError::StateDir {
                    path: shown.to_string(),
                },
                HiddenKind::Restricted => FsError::Restricted {
                    path: shown.to_string(),
                    folder: entry.label.clone(),
                },
            }),
        }
    }

    /// True when the path is hidden (for walks, which skip rather than fail).
    pub(crate) fn is_hidden(&self, root: usize, components: &[&str]) -> bool {
        self.hidden
            .get(root)
            .is_none_or(|set| set.matching(components).is_some())
    }

    /// Refuse moving/deleting a folder that contains a hidden folder.
    pub(crate) fn check_no_hidden_inside(&self, p: &WsPath) -> Result<(), FsError> {
        if let Some(entry) = self
            .hidden
            .get(p.root)
            .and_then(|set| set.inside(&p.components()))
        {
            let shown = self.display(p);
            return Err(match entry.kind {
                HiddenKind::StateDir => FsError::StateDir { path: shown },
                HiddenKind::Restricted => FsError::Restricted {
                    path: format!("{shown} (it contains that folder)"),
                    folder: entry.label.clone(),
                },
            });
        }
        Ok(())
    }

    /// The name of a root (`?` for an index no root has; callers checked it via `dir`).
    pub(crate) fn root_name(&self, root: usize) -> &str {
        self.roots.get(root).map(|r| r.name.as_str()).unwrap_or("?")
    }

    pub(crate) fn dir(&self, root: usize) -> Result<&Dir, FsError> {
        self.dirs.get(root).ok_or_else(|| FsError::UnknownRoot {
            name: format!("#{root}"),
            path: String::new(),
            known: self.known_roots(),
        })
    }
}

fn open_state_dir(root: &Dir, state_path: &Path) -> Result<Dir, FsError> {
    let shown = state_path.display().to_string();
    match root.symlink_metadata(STATE_DIR_NAME) {
        Ok(meta) if meta.file_type().is_dir() => {}
        Ok(_) => {
            return Err(FsError::Root {
                path: shown,
                reason: "cowork's state folder exists but is not a plain folder (a file or a symbolic link); move it away".into(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            root.create_dir(STATE_DIR_NAME)
                .map_err(|e| FsError::io("create", shown.clone(), e))?;
        }
        Err(e) => return Err(FsError::io("inspect", shown, e)),
    }
    let state = root
        .open_dir_nofollow(STATE_DIR_NAME)
        .map_err(|e| FsError::io("open", shown.clone(), e))?;
    if !state.exists(".gitignore") {
        // Keeps journal, backups and trash out of the person's git history.
        crate::confined::atomic_write(&state, ".gitignore", b"*\n", None)
            .map_err(|e| FsError::io("write", format!("{shown}/.gitignore"), e))?;
    }
    Ok(state)
}

/// Compute each root's hidden folders. Absolute entries (and the state dir) are mapped into
/// every root that contains them, so nested roots cannot reach them by another name.
fn build_hidden(
    roots: &[RootInfo],
    state_path: &Path,
    restricted: &[String],
) -> Result<Vec<HiddenSet>, FsError> {
    let mut sets = vec![HiddenSet::default(); roots.len()];
    let mut absolute: Vec<(PathBuf, String, HiddenKind)> = vec![(
        state_path.to_path_buf(),
        STATE_DIR_NAME.to_string(),
        HiddenKind::StateDir,
    )];

    for entry in restricted {
        let trimmed = entry.trim();
        if trimmed.is_empty() {
            continue;
        }
        if Path::new(trimmed).is_absolute() {
            let lexical = lexical_absolute(Path::new(trimmed));
            if let Ok(canon) = std::fs::canonicalize(&lexical) {
                absolute.push((canon, trimmed.to_string(), HiddenKind::Restricted));
            }
            absolute.push((lexical, trimmed.to_string(), HiddenKind::Restricted));
        } else {
            let comps = normalize_components(trimmed).ok_or_else(|| FsError::InvalidPath {
                path: trimmed.to_string(),
                reason: "a restricted folder relative to a root may not climb out with `..`; fix restricted_folders in the config".into(),
            })?;
            for (i, root) in roots.iter().enumerate() {
                sets[i].add(&comps, trimmed.to_string(), HiddenKind::Restricted);
                let abs = root.path.join(comps.join("/"));
                if let Ok(canon) = std::fs::canonicalize(&abs) {
                    absolute.push((canon, trimmed.to_string(), HiddenKind::Restricted));
                }
                absolute.push((abs, trimmed.to_string(), HiddenKind::Restricted));
            }
        }
    }

    for (abs, label, kind) in &absolute {
        for (i, root) in roots.iter().enumerate() {
            if let Ok(rel) = abs.strip_prefix(&root.path) {
                sets[i].add(&path_components(rel), label.clone(), kind.clone());
            }
            if root.path.starts_with(abs) {
                return Err(FsError::Root {
                    path: root.path.display().to_string(),
                    reason: match kind {
                        HiddenKind::StateDir => {
                            "it is inside cowork's state folder; grant a folder outside .cowork"
                                .into()
                        }
                        HiddenKind::Restricted => format!(
                            "it is inside the restricted folder `{label}`; grant a folder outside it"
                        ),
                    },
                });
            }
        }
    }
    Ok(sets)
}
