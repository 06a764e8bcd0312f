//! The one error type of this crate. Every message names the path involved and says what the
//! person (or the model) can do next, because these texts reach both of them verbatim.

use std::io;

/// Errors of the confined workspace, its journal and undo.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("no folder was given; grant at least one folder with `--folder DIR`")]
    NoRoots,

    #[error("cannot use folder {path}: {reason}")]
    Root { path: String, reason: String },

    #[error(
        "two folders are both named `{name}`; give one another name with `--folder OTHER={name_hint}`"
    )]
    DuplicateRoot { name: String, name_hint: String },

    #[error("{path} is outside the workspace: {reason}")]
    Outside { path: String, reason: String },

    #[error(
        "{path} is inside cowork's state folder (.cowork), which tools can neither see nor change; use a path outside .cowork"
    )]
    StateDir { path: String },

    #[error(
        "{path} is inside the restricted folder `{folder}`, which is off limits; choose a path outside it"
    )]
    Restricted { path: String, folder: String },

    #[error("unknown folder `@{name}` in {path}; known folders: {known}")]
    UnknownRoot {
        name: String,
        path: String,
        known: String,
    },

    #[error("invalid path {path:?}: {reason}")]
    InvalidPath { path: String, reason: String },

    #[error("invalid glob {glob:?}: {reason}; use globset syntax such as `*.md` or `**/*.csv`")]
    InvalidGlob { glob: String, reason: String },

    #[error("no such file or folder: {path}; list the parent folder to see what exists")]
    NotFound { path: String },

    #[error("{path} is not a regular file ({what}); give the path of a file")]
    NotAFile { path: String, what: String },

    #[error("{path} is not a folder; give the path of a folder")]
    NotADirectory { path: String },

    #[error(
        "{path} already exists; choose another name (write_file replaces a file only with `overwrite: true`)"
    )]
    AlreadyExists { path: String },

    #[error(
        "{path} is a symbolic link; cowork does not write or move through symbolic links ({detail}); use the real path instead"
    )]
    SymlinkRefused { path: String, detail: String },

    #[error(
        "{path} is a symbolic link that leads {target}; cowork only follows links that stay inside the workspace and outside restricted folders"
    )]
    SymlinkEscape { path: String, target: String },

    #[error(
        "{path} has {links} hard links; another link may be outside the workspace, so cowork will not read or change it; make a copy of the file (e.g. `cp {path} copy-of-file`) and use the copy"
    )]
    HardLink { path: String, links: u64 },

    #[error(
        "{path} is {size} bytes, over the limit of {max} bytes; read a part of it with an offset and a limit, or raise [limits] max_file_size_mb"
    )]
    FileTooLarge { path: String, size: u64, max: u64 },

    #[error(
        "this action did not declare the effect `{effect}`, so it may not {effect} {path}; declare the effect before running the action"
    )]
    UndeclaredEffect { effect: String, path: String },

    #[error("{path} {reason}")]
    /// `reason` continues the sentence after the path: "was changed after cowork wrote it; …".
    Conflict { path: String, reason: String },

    #[error("nothing to undo: {detail}")]
    NothingToUndo { detail: String },

    #[error("unknown task `{task}`; run `cowork history` to see the tasks of this workspace")]
    UnknownTask { task: String },

    #[error("unknown action `{action}`; run `cowork history` to see the actions of this workspace")]
    UnknownAction { action: String },

    #[error(
        "the journal {path} is damaged at line {line}: {reason}; keep a copy of it and report the problem"
    )]
    Journal {
        path: String,
        line: usize,
        reason: String,
    },

    #[error(
        "could not {action} {path}: {source}; check that it exists and that you have permission"
    )]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: io::Error,
    },
}

impl FsError {
    pub(crate) fn io(action: &'static str, path: impl Into<String>, source: io::Error) -> Self {
        FsError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// True when cap-std refused an access because the path (through `..` or a symlink) would
/// leave the directory handle. On Linux this surfaces as `PermissionDenied` with a fixed text.
pub(crate) fn is_escape(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::PermissionDenied
        && err.to_string().contains("outside of the filesystem")
}

/// `ELOOP` / `ENOTDIR`: what a nofollow open reports when it meets a symlink.
pub(crate) fn is_symlink_refusal(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(code) if code == libc::ELOOP || code == libc::ENOTDIR)
}
