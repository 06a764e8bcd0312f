//! The writer: appends records to the chain, shared by threads and by cowork processes.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::files::{self, Anchor, FileId, Head};
use crate::lines::{self, Tail};
use crate::record::{AuditEntry, AuditRecord, GENESIS_PREV, now_ts, sha256_hex};
use crate::verify::Tamper;
use crate::{AuditError, retention};

/// How often, at most, an append also rewrites the head file.
///
/// Trade-off, measured on ext4 with 2 shared cores, release build, 20 000 appends
/// (`tests/perf.rs`): about 8 µs mean and 16 µs p99 per append with this throttle, against about
/// 90 µs mean when the head is rewritten atomically (temp file + rename) on every append — over
/// the "well under 50 µs" budget of the hot path. So the head is rewritten at
/// most this often, and always by [`AuditLog::sync`], [`AuditLog::close`] and on drop. Until then
/// the head may lag behind the log: `verify` still checks the whole chain, but cannot tell
/// whether records appended since the last head write were later cut off. A crash (not a clean
/// exit) can leave that window open; power loss can also lose records not yet written back,
/// as nothing is fsynced per record.
pub const HEAD_INTERVAL: Duration = Duration::from_millis(200);

/// How the log records things (DESIGN.md §4 `[audit]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditOptions {
    /// Record content verbatim; when false only its SHA-256 is kept.
    pub include_content: bool,
    /// Remove records older than this many days when the log is opened.
    pub retention_days: Option<u32>,
}

/// An open, append-only, hash-chained audit log.
///
/// Threads share it through `&self` (an interior mutex); cowork processes sharing the same file
/// take an exclusive advisory lock around each append, and each process picks up the records the
/// others appended before writing its own, so the chain stays one chain.
pub struct AuditLog {
    path: PathBuf,
    head_path: PathBuf,
    anchor_path: PathBuf,
    include_content: bool,
    state: Mutex<State>,
}

struct State {
    /// The log, opened for reading and appending.
    file: File,
    /// Which file `file` is, to notice when retention in another process replaced the log.
    id: FileId,
    /// The log's length as of our last look; `None` right after (re)opening. When the file's
    /// length differs, another process appended and we re-read the tail.
    known_len: Option<u64>,
    last_seq: u64,
    last_hash: String,
    /// Our appends are not yet reflected in the head file.
    head_dirty: bool,
    next_head_write: Instant,
    /// Reused serialization buffer: keeps allocation off the hot path.
    buf: Vec<u8>,
}

impl AuditLog {
    /// Open (creating if needed) the log FILE at `path`, e.g.
    /// `~/.local/share/cowork/audit/audit.jsonl`; parent directories are created private (0700).
    ///
    /// Applies retention, then reads the end of the log to continue its chain. Refuses, with
    /// [`AuditError::Tampered`], a log whose end is damaged (a cut-off last line, an invalid last
    /// record) or disagrees with its head file: appending would bury that evidence.
    pub fn open(path: &Path, opts: AuditOptions) -> Result<AuditLog, AuditError> {
        files::create_private_dirs(path)?;
        let (file, id) = open_log_file(path)?;
        let log = AuditLog {
            path: path.to_path_buf(),
            head_path: files::head_path(path),
            anchor_path: files::anchor_path(path),
            include_content: opts.include_content,
            state: Mutex::new(State {
                file,
                id,
                known_len: None,
                last_seq: 0,
                last_hash: GENESIS_PREV.to_string(),
                head_dirty: false,
                // The first append writes the head, so even a short run leaves one behind.
                next_head_write: Instant::now(),
                buf: Vec::with_capacity(1024),
            }),
        };
        {
            let mut st = log.lock_state();
            if let Some(days) = opts.retention_days {
                // Retention replaces the file; the next lock notices and reopens it.
                log.with_file_lock(&mut st, |_, len| {
                    retention::apply(&log.path, &log.anchor_path, days, len).map(drop)
                })?;
            }
            log.with_file_lock(&mut st, |st, len| log.resync(st, len))?;
        }
        Ok(log)
    }

    /// Append one record; returns its `seq`. The line is written with one `write` while holding
    /// the lock, and flushed to the OS (not fsynced: see [`HEAD_INTERVAL`]).
    pub fn append(&self, entry: AuditEntry) -> Result<u64, AuditError> {
        let mut st = self.lock_state();
        self.with_file_lock(&mut st, |st, len| {
            self.resync(st, len)?;
            let seq = st.last_seq + 1;
            let record = AuditRecord::from_entry(
                entry,
                seq,
                now_ts(),
                st.last_hash.clone(),
                self.include_content,
            );
            st.buf.clear();
            serde_json::to_writer(&mut st.buf, &record)
                .map_err(|source| AuditError::Serialize { source })?;
            let hash = sha256_hex(&st.buf);
            st.buf.push(b'\n');
            if let Err(e) = st.file.write_all(&st.buf) {
                // We hold the lock, so any bytes that made it are ours: cut them off so the next
                // record starts on a fresh line instead of continuing a broken one.
                let _ = st.file.set_len(len);
                st.known_len = None;
                return Err(AuditError::io("append to", &self.path, e));
            }
            st.known_len = Some(len + st.buf.len() as u64);
            st.last_seq = seq;
            st.last_hash = hash;
            st.head_dirty = true;
            if Instant::now() >= st.next_head_write {
                // The record is in the log whatever happens here; a failed head write stays
                // pending and is retried (and reported) by `sync`/`close`.
                let _ = self.write_head(st, false);
            }
            Ok(seq)
        })
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Make everything appended so far durable (fsync) and record it in the head file.
    pub fn sync(&self) -> Result<(), AuditError> {
        let mut st = self.lock_state();
        if !st.head_dirty {
            return Ok(());
        }
        self.with_file_lock(&mut st, |st, len| {
            self.resync(st, len)?;
            self.write_head(st, true)
        })
    }

    /// [`sync`](Self::sync), then close, reporting what dropping would have to ignore.
    pub fn close(self) -> Result<(), AuditError> {
        self.sync()
    }

    fn lock_state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the mutex cannot leave the file inconsistent with `State` in a
        // way `resync` does not repair, so a poisoned mutex is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Run `f` holding the advisory lock on the current log file; `f` gets the file's length.
    fn with_file_lock<R>(
        &self,
        st: &mut State,
        f: impl FnOnce(&mut State, u64) -> Result<R, AuditError>,
    ) -> Result<R, AuditError> {
        let len = self.lock_current(st)?;
        let result = f(st, len);
        let unlocked = st
            .file
            .unlock()
            .map_err(|e| AuditError::io("unlock", &self.path, e));
        let value = result?;
        unlocked?;
        Ok(value)
    }

    /// Lock the log, first making sure our handle is the file now at `path`: retention in
    /// another process replaces the file, and appending to the old one would lose records.
    fn lock_current(&self, st: &mut State) -> Result<u64, AuditError> {
        loop {
            st.file
                .lock()
                .map_err(|e| AuditError::io("lock", &self.path, e))?;
            match fs::metadata(&self.path) {
                Ok(meta) if FileId::of(&meta) == st.id => return Ok(meta.len()),
                // Replaced or removed: reopen (recreating it if removed; `resync` then compares
                // the empty log with the head file and reports the deletion).
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    let _ = st.file.unlock();
                    return Err(AuditError::io("inspect", &self.path, e));
                }
            }
            let _ = st.file.unlock();
            let (file, id) = open_log_file(&self.path)?;
            st.file = file;
            st.id = id;
            st.known_len = None;
        }
    }

    /// Bring `last_seq`/`last_hash` up to date with the file (of length `len`) when someone else
    /// appended, and check the end of the log against the head file. Call holding the lock.
    fn resync(&self, st: &mut State, len: u64) -> Result<(), AuditError> {
        if st.known_len == Some(len) {
            return Ok(());
        }
        let tail =
            lines::read_tail(&st.file, len).map_err(|e| AuditError::io("read", &self.path, e))?;
        let (seq, hash) = match tail {
            Tail::Empty => self.chain_start()?,
            Tail::Line(bytes) => match serde_json::from_slice::<AuditRecord>(&bytes) {
                Ok(record) => (record.seq, sha256_hex(&bytes)),
                Err(e) => {
                    let seq = self.seq_expected_at(st, len - bytes.len() as u64 - 1)?;
                    return Err(self.tampered(
                        seq,
                        Tamper::Malformed,
                        format!("the last line is not a valid record ({e})"),
                    ));
                }
            },
            Tail::Partial(bytes) => {
                let seq = self.seq_expected_at(st, len - bytes.len() as u64)?;
                return Err(self.tampered(
                    seq,
                    Tamper::Truncated,
                    "the last line has no newline: the log was cut off in the middle of a record"
                        .into(),
                ));
            }
        };
        if let Some(head) = files::read_json::<Head>(&self.head_path)? {
            // The head is written after the log, so it can lag behind but never lead.
            if head.seq > seq {
                return Err(self.tampered(
                    seq + 1,
                    Tamper::Truncated,
                    format!(
                        "{} says the log ends at seq {}, but it ends at seq {seq}",
                        self.head_path.display(),
                        head.seq
                    ),
                ));
            }
            if head.seq == seq && head.sha256 != hash {
                return Err(self.tampered(
                    seq,
                    Tamper::Edited,
                    format!(
                        "the last record differs from the one recorded in {}",
                        self.head_path.display()
                    ),
                ));
            }
        }
        st.last_seq = seq;
        st.last_hash = hash;
        st.known_len = Some(len);
        Ok(())
    }

    /// `seq` the record starting at byte `start` should have (for error reports).
    fn seq_expected_at(&self, st: &State, start: u64) -> Result<u64, AuditError> {
        let tail =
            lines::read_tail(&st.file, start).map_err(|e| AuditError::io("read", &self.path, e))?;
        Ok(match tail {
            Tail::Line(bytes) => {
                serde_json::from_slice::<AuditRecord>(&bytes).map_or(0, |r| r.seq) + 1
            }
            Tail::Empty | Tail::Partial(_) => self.chain_start()?.0 + 1,
        })
    }

    /// The (seq, hash) the first record of an empty log chains to.
    fn chain_start(&self) -> Result<(u64, String), AuditError> {
        Ok(match files::read_json::<Anchor>(&self.anchor_path)? {
            Some(anchor) => (anchor.first_seq.saturating_sub(1), anchor.prev),
            None => (0, GENESIS_PREV.to_string()),
        })
    }

    fn tampered(&self, seq: u64, problem: Tamper, detail: String) -> AuditError {
        AuditError::Tampered {
            path: self.path.clone(),
            seq,
            problem,
            detail,
        }
    }

    /// Record the current end of the log in the head file. Call holding the lock, resynced.
    fn write_head(&self, st: &mut State, durable: bool) -> Result<(), AuditError> {
        st.next_head_write = Instant::now() + HEAD_INTERVAL;
        if durable {
            // The head must never claim records the disk does not have yet.
            st.file
                .sync_data()
                .map_err(|e| AuditError::io("sync", &self.path, e))?;
        }
        let head = Head {
            seq: st.last_seq,
            sha256: st.last_hash.clone(),
        };
        files::write_json(&self.head_path, &head, durable)?;
        st.head_dirty = false;
        Ok(())
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        // Drop cannot report failure; callers who care use `close`.
        let _ = self.sync();
    }
}

fn open_log_file(path: &Path) -> Result<(File, FileId), AuditError> {
    let file = files::private_file_options()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| AuditError::io("open", path, e))?;
    let meta = file
        .metadata()
        .map_err(|e| AuditError::io("inspect", path, e))?;
    Ok((file, FileId::of(&meta)))
}
