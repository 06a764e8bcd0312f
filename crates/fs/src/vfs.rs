//! A virtual view of the workspace used to *plan* an undo before touching anything.
//!
//! Undo must check every op of its target first and change nothing on a conflict, but each
//! op's expected state depends on the ops reverted before it (a file restored from the trash,
//! a folder moved back…). The planner therefore records the effect of each planned revert as an
//! override and looks paths up through them, falling back to the real (confined) filesystem.

use std::io;

use cap_std::fs::{Dir, MetadataExt};

use crate::confined::{hash_reader, lstat_path, open_dir_chain, open_file_nofollow};
use crate::error::FsError;
use crate::read::kind_of;
use crate::workspace::Workspace;
use crate::wspath::{EntryKind, WsPath};

/// Which confined handle a location is under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    Root(usize),
    State,
}

/// A location under a root or under the state dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Loc {
    pub base: Base,
    pub rel: String,
}

impl Loc {
    pub fn ws(p: &WsPath) -> Loc {
        Loc {
            base: Base::Root(p.root),
            rel: p.rel.clone(),
        }
    }

    pub fn state(rel: &str) -> Loc {
        Loc {
            base: Base::State,
            rel: rel.trim_matches('/').to_string(),
        }
    }

    pub fn components(&self) -> Vec<&str> {
        self.rel.split('/').filter(|c| !c.is_empty()).collect()
    }

    /// `self` is `other` or inside it.
    pub fn starts_with(&self, other: &Loc) -> bool {
        self.base == other.base
            && (other.rel.is_empty()
                || self.rel == other.rel
                || (self.rel.starts_with(&other.rel)
                    && self.rel.as_bytes().get(other.rel.len()) == Some(&b'/')))
    }

    /// Strictly inside `other`.
    pub fn inside(&self, other: &Loc) -> bool {
        self.starts_with(other) && self.rel != other.rel
    }

    /// Re-root `self` (inside `from`) under `to`.
    pub fn rebase(&self, from: &Loc, to: &Loc) -> Loc {
        let suffix = &self.rel[from.rel.len()..];
        Loc {
            base: to.base,
            rel: format!("{}{}", to.rel, suffix),
        }
    }

    pub fn join(&self, name: &str) -> Loc {
        let rel = if self.rel.is_empty() {
            name.to_string()
        } else {
            format!("{}/{}", self.rel, name)
        };
        Loc {
            base: self.base,
            rel,
        }
    }
}

/// The effect of a planned revert.
#[derive(Debug, Clone)]
pub(crate) enum Override {
    /// Nothing is at (or under) this location any more.
    Gone(Loc),
    /// What was at `from` is now at `to`.
    Moved { from: Loc, to: Loc },
    /// A file with this content is now at this location.
    PutFile { at: Loc, hash: String },
}

enum Translated {
    Absent,
    Put(String),
    Real(Loc),
}

/// What is at a location, as far as undo cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VKind {
    Absent,
    File,
    Dir,
    Other,
}

impl VKind {
    pub fn present(self) -> bool {
        self != VKind::Absent
    }
}

/// Hash reported for a file we refuse to read (several hard links): it never matches a record.
const UNREADABLE: &str = "(hard-linked file, not read)";

pub(crate) struct Vfs<'a> {
    ws: &'a Workspace,
    overrides: Vec<Override>,
}

impl<'a> Vfs<'a> {
    pub fn new(ws: &'a Workspace) -> Vfs<'a> {
        Vfs {
            ws,
            overrides: Vec::new(),
        }
    }

    pub fn push(&mut self, o: Override) {
        self.overrides.push(o);
    }

    fn base_dir(&self, base: Base) -> Result<&Dir, FsError> {
        match base {
            Base::Root(i) => self.ws.dir(i),
            Base::State => Ok(&self.ws.state),
        }
    }

    pub fn shown(&self, loc: &Loc) -> String {
        match loc.base {
            Base::Root(root) => self.ws.display(&WsPath {
                root,
                rel: loc.rel.clone(),
            }),
            Base::State => self.ws.state_path.join(&loc.rel).display().to_string(),
        }
    }

    fn translate(&self, loc: &Loc) -> Translated {
        let mut q = loc.clone();
        for o in self.overrides.iter().rev() {
            match o {
                Override::Gone(g) => {
                    if q.starts_with(g) {
                        return Translated::Absent;
                    }
                }
                Override::Moved { from, to } => {
                    if q.starts_with(to) {
                        q = q.rebase(to, from);
                    } else if q.starts_with(from) {
                        return Translated::Absent;
                    }
                }
                Override::PutFile { at, hash } => {
                    if q == *at {
                        return Translated::Put(hash.clone());
                    }
                    if q.inside(at) {
                        return Translated::Absent;
                    }
                }
            }
        }
        Translated::Real(q)
    }

    fn real_kind(&self, loc: &Loc) -> Result<VKind, FsError> {
        let dir = self.base_dir(loc.base)?;
        match lstat_path(dir, &loc.components()) {
            Ok(None) => Ok(VKind::Absent),
            Ok(Some(m)) => Ok(match kind_of(&m) {
                EntryKind::File => VKind::File,
                EntryKind::Dir => VKind::Dir,
                EntryKind::Symlink | EntryKind::Other => VKind::Other,
            }),
            // A parent that is a file, or a link on the way: whatever is there is not ours.
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => Ok(VKind::Absent),
            Err(e) if crate::error::is_symlink_refusal(&e) => Ok(VKind::Other),
            Err(e) => Err(FsError::io("inspect", self.shown(loc), e)),
        }
    }

    fn real_hash(&self, loc: &Loc) -> Result<String, FsError> {
        let dir = self.base_dir(loc.base)?;
        let comps = loc.components();
        let shown = self.shown(loc);
        let Some((last, parents)) = comps.split_last() else {
            return Ok(UNREADABLE.to_string());
        };
        let result: io::Result<String> = (|| {
            let parent = open_dir_chain(dir, parents)?;
            let file = open_file_nofollow(&parent, last)?;
            if file.metadata()?.nlink() > 1 {
                return Ok(UNREADABLE.to_string());
            }
            hash_reader(file)
        })();
        result.map_err(|e| FsError::io("read", shown, e))
    }

    /// What is at `loc` after the planned reverts.
    pub fn kind(&self, loc: &Loc) -> Result<VKind, FsError> {
        match self.translate(loc) {
            Translated::Absent => Ok(VKind::Absent),
            Translated::Put(_) => Ok(VKind::File),
            Translated::Real(r) => self.real_kind(&r),
        }
    }

    /// Content hash of the file at `loc` after the planned reverts (`None` if not a file).
    pub fn hash(&self, loc: &Loc) -> Result<Option<String>, FsError> {
        match self.translate(loc) {
            Translated::Absent => Ok(None),
            Translated::Put(h) => Ok(Some(h)),
            Translated::Real(r) => match self.real_kind(&r)? {
                VKind::File => self.real_hash(&r).map(Some),
                VKind::Absent | VKind::Dir | VKind::Other => Ok(None),
            },
        }
    }

    /// True when the folder at `loc` holds nothing after the planned reverts.
    pub fn is_empty_dir(&self, loc: &Loc) -> Result<bool, FsError> {
        if let Translated::Real(r) = self.translate(loc) {
            let dir = self.base_dir(r.base)?;
            let comps = r.components();
            let names: Vec<String> = match open_dir_chain(dir, &comps) {
                Ok(d) => d
                    .entries()
                    .map_err(|e| FsError::io("list", self.shown(loc), e))?
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect(),
                Err(_) => Vec::new(),
            };
            for name in names {
                if self.kind(&loc.join(&name))?.present() {
                    return Ok(false);
                }
            }
        }
        for o in &self.overrides {
            let target = match o {
                Override::Gone(_) => continue,
                Override::Moved { to, .. } => to,
                Override::PutFile { at, .. } => at,
            };
            if target.inside(loc) && self.kind(target)?.present() {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
