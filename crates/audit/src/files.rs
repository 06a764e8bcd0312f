//! The files around the log: `<log>.head`, `<log>.anchor`, atomic writes, private directories.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::AuditError;

/// `<log>.head`: where the log ended the last time cowork wrote it. It lets `verify` notice
/// trailing records that were cut off, which the chain alone cannot show.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// `seq` of the last record.
    pub seq: u64,
    /// SHA-256 (lowercase hex) of the last line, without its newline.
    pub sha256: String,
}

/// `<log>.anchor`: where the chain starts after retention removed the oldest records.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// `seq` of the first record kept.
    pub first_seq: u64,
    /// The `prev` that first record must carry (the hash of the last removed line).
    pub prev: String,
}

/// `<log>.head` next to the log.
pub fn head_path(log: &Path) -> PathBuf {
    with_suffix(log, ".head")
}

/// `<log>.anchor` next to the log.
pub fn anchor_path(log: &Path) -> PathBuf {
    with_suffix(log, ".anchor")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Read a JSON sidecar; `None` when it does not exist.
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, AuditError> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| AuditError::BadSidecar {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(AuditError::io("read", path, e)),
    }
}

/// Write a JSON sidecar atomically. `durable` adds the fsyncs that make it survive power loss;
/// without them the rename still guarantees readers see the old or the new file, never a mix.
pub(crate) fn write_json<T: Serialize>(
    path: &Path,
    value: &T,
    durable: bool,
) -> Result<(), AuditError> {
    let bytes = serde_json::to_vec(value).map_err(|source| AuditError::Serialize { source })?;
    write_atomic(path, |f| f.write_all(&bytes), durable)
}

/// Create `path` atomically: a temp file in the same directory is filled by `fill`, optionally
/// fsynced, then renamed over `path` (and the directory fsynced).
pub(crate) fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
    durable: bool,
) -> Result<(), AuditError> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = private_file_options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| AuditError::io("create temporary file", &tmp, e))?;
        fill(&mut f).map_err(|e| AuditError::io("write", &tmp, e))?;
        if durable {
            f.sync_all().map_err(|e| AuditError::io("sync", &tmp, e))?;
        }
        drop(f);
        fs::rename(&tmp, path).map_err(|e| AuditError::io("replace", path, e))?;
        if durable {
            sync_dir(path)?;
        }
        Ok(())
    })();
    if result.is_err() {
        // Best effort: a leftover temp file is harmless but untidy.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A name no other writer (thread or process) uses at the same time.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp.{}.{n}", std::process::id()))
}

/// Make a rename in `path`'s directory durable.
pub(crate) fn sync_dir(path: &Path) -> Result<(), AuditError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| AuditError::io("sync directory", dir, e))
}

/// Open options for files only this user may read: the log holds who did what.
pub(crate) fn private_file_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

/// Create the log's parent directories, private to this user (0700).
pub(crate) fn create_private_dirs(log: &Path) -> Result<(), AuditError> {
    let Some(dir) = log.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
        .map_err(|e| AuditError::io("create directory", dir, e))
}

/// Which file a handle or path refers to, to notice the log being replaced under us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileId {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
}

impl FileId {
    pub(crate) fn of(meta: &fs::Metadata) -> FileId {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileId {
                dev: meta.dev(),
                ino: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            // Without inode numbers we cannot tell; retention by another process is then only
            // picked up when this one reopens the log.
            let _ = meta;
            FileId {}
        }
    }
}
