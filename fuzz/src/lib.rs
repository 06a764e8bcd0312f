//! Shared plumbing for the fuzz targets: read options derived from the input, "entry-list"
//! inputs turned into zip packages, and a panic guard that tells an escaped panic (a crash)
//! from one a reader caught itself (logged, not fatal).
//!
//! Why entry lists: every OOXML/ODF entry is read to its end, which checks its CRC-32, so a
//! byte flip inside a deflated or stored entry of a real .docx only ever reaches "entry is
//! damaged". An input that starts with [`ENTRY_MARK`] is instead a list of
//! `@@ENTRY@@ name\n<content>` records that [`package`] zips (stored, correct CRCs) before the
//! reader sees it, so mutations land in the XML itself. Raw zip inputs keep fuzzing the
//! container parsing; seed.sh writes both kinds.

use std::backtrace::Backtrace;
use std::cell::RefCell;
use std::collections::HashSet;
use std::io::{Cursor, Write};
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};
use std::sync::{Mutex, Once};

use cowork_docmodel::{CellRange, Document, PageRange, ReadOptions};

/// First bytes of an entry-list input (see the module docs).
pub const ENTRY_MARK: &[u8] = b"@@ENTRY@@ ";
/// Entries zipped at most: more only slows the fuzzer down.
const MAX_ENTRIES: usize = 256;

/// Read options for one input. Small limits keep the fuzzer off legitimately huge work, and
/// the input's length picks one of eight chunk selections, so page/sheet/range handling is
/// fuzzed too without spending input bytes on it (which would break file magic numbers).
pub fn opts_for(data: &[u8]) -> ReadOptions {
    let mut opts = ReadOptions {
        max_expanded_bytes: 64 * 1024 * 1024,
        max_parts: 50,
        max_sheet_rows: 200,
        max_input_bytes: 16 * 1024 * 1024,
        ..ReadOptions::default()
    };
    let range = |first_row, first_col, last_row, last_col| CellRange {
        first_row,
        first_col,
        last_row,
        last_col,
    };
    match data.len() % 8 {
        1 => opts.pages = Some(PageRange { first: 2, last: 3 }),
        2 => {
            opts.range = Some(range(1, 1, 20, 5));
            opts.max_sheet_rows = 5;
        }
        3 => {
            opts.pages = Some(PageRange { first: 1, last: 1 });
            opts.max_parts = 2;
        }
        5 => {
            opts.max_parts = 1;
            opts.max_sheet_rows = 1;
        }
        6 => opts.range = Some(range(0, 0, 0, u32::MAX)),
        7 => {
            opts.sheet = Some("Sheet1".into());
            opts.range = Some(range(0, 0, 2, 2));
        }
        _ => {}
    }
    opts
}

/// Whether `data` is an entry-list input.
pub fn is_entry_list(data: &[u8]) -> bool {
    data.starts_with(ENTRY_MARK)
}

/// The entries of an entry-list input: (name, content) pairs, in order.
pub fn entries(data: &[u8]) -> Vec<(String, &[u8])> {
    let Some(body) = data.strip_prefix(ENTRY_MARK) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        // A record ends where the next line starts with the mark.
        let end = find_record_end(rest);
        let record = &rest[..end];
        let (name, content) = match record.iter().position(|&b| b == b'\n') {
            Some(nl) => (&record[..nl], &record[nl + 1..]),
            None => (record, &record[record.len()..]),
        };
        let name = String::from_utf8_lossy(name).trim().to_string();
        if out.len() < MAX_ENTRIES {
            out.push((name, content));
        }
        if end >= rest.len() {
            break;
        }
        // Skip "\n" + mark.
        rest = &rest[end + 1 + ENTRY_MARK.len()..];
    }
    out
}

fn find_record_end(rest: &[u8]) -> usize {
    let mut from = 0;
    while let Some(pos) = rest[from..].iter().position(|&b| b == b'\n') {
        let nl = from + pos;
        if rest[nl + 1..].starts_with(ENTRY_MARK) {
            return nl;
        }
        from = nl + 1;
    }
    rest.len()
}

/// The zip package an entry-list input describes (entries stored, so their CRCs match),
/// or None when `data` is not an entry list. Duplicate or unwritable names are skipped.
pub fn package(data: &[u8]) -> Option<Vec<u8>> {
    if !is_entry_list(data) {
        return None;
    }
    let mut buf = Cursor::new(Vec::with_capacity(data.len() + 4096));
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut seen = HashSet::new();
        for (name, content) in entries(data) {
            if name.is_empty() || !seen.insert(name.clone()) {
                continue;
            }
            if zip.start_file(name, stored).is_err() {
                continue;
            }
            let _ = zip.write_all(content);
        }
        zip.finish().ok()?;
    }
    Some(buf.into_inner())
}

/// Render a document every way the callers do: the renderers are fuzzed with the readers.
pub fn exercise(doc: &Document) {
    std::hint::black_box(doc.to_markdown());
    std::hint::black_box(doc.plain_text());
    std::hint::black_box(serde_json::to_string(doc).ok());
}

struct PanicRecord {
    message: String,
    location: String,
    backtrace: Backtrace,
}

thread_local! {
    static PANICS: RefCell<Vec<PanicRecord>> = const { RefCell::new(Vec::new()) };
}

/// Locations of guarded panics already logged (one line each per run).
static SEEN_GUARDED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
static HOOK: Once = Once::new();

fn strict() -> bool {
    std::env::var_os("COWORK_FUZZ_STRICT").is_some_and(|v| v != "0")
}

fn record_panic(info: &PanicHookInfo<'_>) {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-string payload)".into());
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_else(|| "(unknown)".into());
    if strict() {
        eprintln!(
            "panic at {location}: {message}\n{}",
            Backtrace::force_capture()
        );
        std::process::abort();
    }
    let backtrace = Backtrace::force_capture();
    PANICS.with(|p| {
        p.borrow_mut().push(PanicRecord {
            message,
            location,
            backtrace,
        })
    });
}

/// Run one reader call on `data`. A panic that escapes `f` is a crash: it is printed with its
/// backtrace and the process aborts, which libFuzzer records as a crash artifact. A panic the
/// reader caught itself (cowork-pdf, cowork-sheets and the mail reader guard their parser
/// dependencies) is logged once per source location as `GUARDED PANIC`, and the input is
/// saved under `$COWORK_FUZZ_GUARDED_DIR` when set; `COWORK_FUZZ_STRICT=1` makes those fatal
/// as well.
pub fn run(data: &[u8], f: impl FnOnce()) {
    HOOK.call_once(|| std::panic::set_hook(Box::new(record_panic)));
    PANICS.with(|p| p.borrow_mut().clear());
    let escaped = catch_unwind(AssertUnwindSafe(f)).is_err();
    let panics = PANICS.with(|p| std::mem::take(&mut *p.borrow_mut()));
    if escaped {
        for p in &panics {
            eprintln!(
                "==cowork-fuzz== UNGUARDED PANIC at {}: {}\n{}",
                p.location, p.message, p.backtrace
            );
        }
        std::process::abort();
    }
    for p in panics {
        log_guarded(data, &p);
    }
}

fn log_guarded(data: &[u8], p: &PanicRecord) {
    let Ok(mut seen) = SEEN_GUARDED.lock() else {
        return;
    };
    if !seen
        .get_or_insert_with(HashSet::new)
        .insert(p.location.clone())
    {
        return;
    }
    eprintln!(
        "==cowork-fuzz== GUARDED PANIC at {}: {}",
        p.location, p.message
    );
    if let Some(dir) = std::env::var_os("COWORK_FUZZ_GUARDED_DIR") {
        let dir = std::path::PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        let name: String = p
            .location
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let _ = std::fs::write(dir.join(name), data);
    }
}
