//! Low-level operations on confined directory handles. Nothing here follows a symlink: each
//! directory is opened with `open_dir_nofollow` and each file with `FollowSymlinks::No`, so a
//! symlink swapped in after a check makes the operation fail instead of escaping.

use std::io::{self, Read, Write};

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt};
use cap_std::fs::{Dir, File, Metadata, OpenOptions, OpenOptionsExt, Permissions};

/// Prefix of our temporary files; they live next to their target for an atomic rename.
pub(crate) const TMP_PREFIX: &str = ".cowork-tmp-";

/// Open `components` below `dir`, one directory at a time, never following a symlink.
pub(crate) fn open_dir_chain<S: AsRef<str>>(dir: &Dir, components: &[S]) -> io::Result<Dir> {
    let mut current = dir.try_clone()?;
    for c in components {
        current = current.open_dir_nofollow(c.as_ref())?;
    }
    Ok(current)
}

/// `lstat` of `name` in `dir`; `None` when it does not exist.
pub(crate) fn lstat(dir: &Dir, name: &str) -> io::Result<Option<Metadata>> {
    match dir.symlink_metadata(name) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `lstat` of a path below `dir` through a nofollow chain; `None` when it or a parent is absent.
pub(crate) fn lstat_path<S: AsRef<str>>(
    dir: &Dir,
    components: &[S],
) -> io::Result<Option<Metadata>> {
    let Some((last, parents)) = components.split_last() else {
        return dir.dir_metadata().map(Some);
    };
    let parent = match open_dir_chain(dir, parents) {
        Ok(d) => d,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    lstat(&parent, last.as_ref())
}

/// Open a regular file for reading without following a final symlink. `O_NONBLOCK` keeps a
/// FIFO swapped in after the type check from blocking us; regular files ignore it.
pub(crate) fn open_file_nofollow(dir: &Dir, name: &str) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options
        .read(true)
        .follow(FollowSymlinks::No)
        .custom_flags(libc::O_NONBLOCK);
    dir.open_with(name, &options)
}

/// BLAKE3 hex of everything `reader` yields.
pub(crate) fn hash_reader(mut reader: impl Read) -> io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().to_hex().to_string())
}

pub(crate) fn hash_bytes(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// Hash the regular file `name` in `dir` (no symlink following).
pub(crate) fn hash_file_in(dir: &Dir, name: &str) -> io::Result<String> {
    hash_reader(open_file_nofollow(dir, name)?)
}

/// Sync a directory so a rename inside it survives a crash.
pub(crate) fn sync_dir(dir: &Dir) -> io::Result<()> {
    // Directory handles may be `O_PATH` descriptors, which cannot be synced; open it for reading.
    let mut options = OpenOptions::new();
    options
        .read(true)
        .maybe_dir(true)
        .follow(FollowSymlinks::No);
    dir.open_with(".", &options)?.sync_all()
}

fn temp_name() -> String {
    format!("{TMP_PREFIX}{}", uuid::Uuid::new_v4().simple())
}

/// Write `bytes` to `name` in `dir` atomically: temp file in the same directory, fsync, rename,
/// fsync of the directory. `permissions` carries over the mode of a replaced file.
pub(crate) fn atomic_write(
    dir: &Dir,
    name: &str,
    bytes: &[u8],
    permissions: Option<Permissions>,
) -> io::Result<()> {
    let tmp = temp_name();
    let result = (|| {
        let mut options = OpenOptions::new();
        options
            .write(true)
            .create_new(true)
            .follow(FollowSymlinks::No);
        let mut file = dir.open_with(&tmp, &options)?;
        file.write_all(bytes)?;
        if let Some(p) = permissions {
            file.set_permissions(p)?;
        }
        file.sync_all()?;
        drop(file);
        dir.rename(&tmp, dir, name)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = dir.remove_file(&tmp);
    }
    result
}

/// Create `name` in `dir` only if it does not exist yet (for content-addressed blobs).
pub(crate) fn write_blob(dir: &Dir, name: &str, bytes: &[u8]) -> io::Result<()> {
    if lstat(dir, name)?.is_some() {
        return Ok(());
    }
    atomic_write(dir, name, bytes, None)
}

/// Read a whole regular file below `dir` via a nofollow chain.
pub(crate) fn read_all<S: AsRef<str>>(dir: &Dir, components: &[S]) -> io::Result<Vec<u8>> {
    let Some((last, parents)) = components.split_last() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a folder is not a file",
        ));
    };
    let parent = open_dir_chain(dir, parents)?;
    let mut file = open_file_nofollow(&parent, last.as_ref())?;
    let mut out = Vec::new();
    file.read_to_end(&mut out)?;
    Ok(out)
}

/// Why a tree cannot be copied across filesystems (found before copying anything).
#[derive(Debug)]
pub(crate) enum CopyRefusal {
    Symlink(String),
    HardLink(String, u64),
}

/// Check that a tree holds only plain files and folders, each file with a single link, since a
/// copy reads every file and must not read through a link to outside.
pub(crate) fn check_copyable(
    dir: &Dir,
    name: &str,
    shown: &str,
) -> io::Result<Result<(), CopyRefusal>> {
    use cap_std::fs::MetadataExt;
    let Some(meta) = lstat(dir, name)? else {
        return Err(io::Error::new(io::ErrorKind::NotFound, "vanished"));
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Ok(Err(CopyRefusal::Symlink(shown.to_string())));
    }
    if ft.is_file() {
        if meta.nlink() > 1 {
            return Ok(Err(CopyRefusal::HardLink(shown.to_string(), meta.nlink())));
        }
        return Ok(Ok(()));
    }
    if ft.is_dir() {
        let sub = dir.open_dir_nofollow(name)?;
        for entry in sub.entries()? {
            let entry = entry?;
            let child = entry.file_name().to_string_lossy().into_owned();
            if let Err(refusal) = check_copyable(&sub, &child, &format!("{shown}/{child}"))? {
                return Ok(Err(refusal));
            }
        }
        return Ok(Ok(()));
    }
    Ok(Err(CopyRefusal::Symlink(format!("{shown} (special file)"))))
}

/// Copy a checked tree `src_dir/src_name` to `dst_dir/dst_name` (which must not exist).
fn copy_tree(src_dir: &Dir, src_name: &str, dst_dir: &Dir, dst_name: &str) -> io::Result<()> {
    let meta = lstat(src_dir, src_name)?
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "vanished"))?;
    if meta.file_type().is_dir() {
        dst_dir.create_dir(dst_name)?;
        let src = src_dir.open_dir_nofollow(src_name)?;
        let dst = dst_dir.open_dir_nofollow(dst_name)?;
        for entry in src.entries()? {
            let entry = entry?;
            let child = entry.file_name();
            let child = child.to_str().ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, "a file name is not valid UTF-8")
            })?;
            copy_tree(&src, child, &dst, child)?;
        }
        sync_dir(&dst)
    } else {
        let mut input = open_file_nofollow(src_dir, src_name)?;
        let mut options = OpenOptions::new();
        options
            .write(true)
            .create_new(true)
            .follow(FollowSymlinks::No);
        let mut output = dst_dir.open_with(dst_name, &options)?;
        io::copy(&mut input, &mut output)?;
        output.set_permissions(meta.permissions())?;
        output.sync_all()
    }
}

/// Remove a file, symlink or whole folder.
pub(crate) fn remove_any(dir: &Dir, name: &str) -> io::Result<()> {
    match lstat(dir, name)? {
        None => Ok(()),
        Some(m) if m.file_type().is_dir() => dir.remove_dir_all(name),
        Some(_) => dir.remove_file_or_symlink(name),
    }
}

/// Move a checked tree to another filesystem: copy to a temp name, rename it into place, then
/// remove the source.
pub(crate) fn copy_then_remove(
    src_dir: &Dir,
    src_name: &str,
    dst_dir: &Dir,
    dst_name: &str,
) -> io::Result<()> {
    let tmp = temp_name();
    if let Err(e) = copy_tree(src_dir, src_name, dst_dir, &tmp) {
        let _ = remove_any(dst_dir, &tmp);
        return Err(e);
    }
    dst_dir.rename(&tmp, dst_dir, dst_name)?;
    sync_dir(dst_dir)?;
    remove_any(src_dir, src_name)?;
    sync_dir(src_dir)
}

/// Open (creating as needed, not journaled) a chain of plain folders; for the state dir only.
pub(crate) fn create_dir_chain<S: AsRef<str>>(dir: &Dir, components: &[S]) -> io::Result<Dir> {
    let mut current = dir.try_clone()?;
    for c in components {
        let c = c.as_ref();
        match current.create_dir(c) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        current = current.open_dir_nofollow(c)?;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cap_std::ambient_authority;

    #[test]
    fn copy_then_remove_moves_a_tree() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("a/sub")).unwrap();
        std::fs::write(tmp.path().join("a/sub/f.txt"), b"hello").unwrap();
        std::fs::create_dir(tmp.path().join("b")).unwrap();
        let dir = Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        let b = dir.open_dir("b").unwrap();
        assert!(check_copyable(&dir, "a", "a").unwrap().is_ok());
        copy_then_remove(&dir, "a", &b, "moved").unwrap();
        assert!(!tmp.path().join("a").exists());
        assert_eq!(
            std::fs::read(tmp.path().join("b/moved/sub/f.txt")).unwrap(),
            b"hello"
        );
    }

    #[test]
    fn copy_check_refuses_links() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("a")).unwrap();
        std::fs::write(tmp.path().join("x"), b"x").unwrap();
        std::fs::hard_link(tmp.path().join("x"), tmp.path().join("a/hl")).unwrap();
        let dir = Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        assert!(matches!(
            check_copyable(&dir, "a", "a").unwrap(),
            Err(CopyRefusal::HardLink(_, 2))
        ));
        std::fs::remove_file(tmp.path().join("a/hl")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", tmp.path().join("a/ln")).unwrap();
        assert!(matches!(
            check_copyable(&dir, "a", "a").unwrap(),
            Err(CopyRefusal::Symlink(_))
        ));
    }
}
