//! Load speed on the larger corpus CSVs. Run in release to measure:
//! `cargo test --release -p cowork-data --test speed -- --ignored --nocapture`.

mod common;

use std::time::Instant;

#[test]
#[ignore = "a measurement, not a check: run in release"]
fn load_speed() {
    for file in [
        "csv/vega__zipcodes.csv",
        "csv/vega__birdstrikes.csv",
        "json/vega__cars.json",
    ] {
        let bytes = common::corpus_bytes(file);
        let (mut best, mut best_cpu) = (f64::MAX, f64::MAX);
        for _ in 0..5 {
            let mut e = common::engine();
            let (start, cpu) = (Instant::now(), thread_cpu_ns());
            let t = e.load(file, &bytes).unwrap();
            best = best.min(start.elapsed().as_secs_f64() * 1e3);
            best_cpu = best_cpu.min((thread_cpu_ns() - cpu) as f64 / 1e6);
            assert!(t[0].rows > 0);
        }
        // CPU time is what to compare: wall time depends on what else runs on the machine.
        println!(
            "{file}: {} bytes, best of 5: {best:.1} ms wall, {best_cpu:.1} ms CPU",
            bytes.len()
        );
    }
}

/// Nanoseconds this thread has run on a CPU (Linux; 0 elsewhere).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

#[test]
fn zipcodes_load_quickly_even_unoptimised() {
    let bytes = common::corpus_bytes("csv/vega__zipcodes.csv");
    let mut e = common::engine();
    let start = Instant::now();
    let t = e.load("zip.csv", &bytes).unwrap();
    assert_eq!(t[0].rows, 42049);
    // Generous for a debug build on a shared 2-core machine; release is far below (see report).
    assert!(
        start.elapsed().as_secs_f64() < 10.0,
        "{:?}",
        start.elapsed()
    );
}
