//! Append latency: `cargo test -p cowork-audit --release --test perf -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use common::{entry, log_path};
use cowork_audit::{AuditLog, AuditOptions, verify};

#[test]
#[ignore = "timing measurement; run in release with --ignored --nocapture"]
fn append_latency() {
    let dir = tempfile::tempdir().unwrap();
    let path = log_path(&dir);
    let log = AuditLog::open(&path, AuditOptions::default()).unwrap();
    let entries: Vec<_> = (0..20_000).map(entry).collect();
    let mut samples = Vec::with_capacity(entries.len());
    let start = Instant::now();
    for e in entries {
        let t = Instant::now();
        log.append(e).unwrap();
        samples.push(t.elapsed());
    }
    let total = start.elapsed();
    samples.sort();
    let pct = |p: usize| samples[samples.len() * p / 100 - 1];
    println!(
        "append: mean {:?}, p50 {:?}, p99 {:?}, max {:?}",
        total / samples.len() as u32,
        pct(50),
        pct(99),
        samples[samples.len() - 1]
    );
    drop(log);
    let t = Instant::now();
    assert!(verify(&path).unwrap().is_intact());
    println!("verify 20000 records: {:?}", t.elapsed());
}
