#!/usr/bin/env bash
# Replay fuzz artifacts and print, for each, what went wrong and the top project/dependency
# frames: the backtrace of an escaped panic or allocation failure, or for a hang or memory
# blow-up a gdb snapshot of the stack a few seconds in (needs gdb; without it, only the kind).
#
#   fuzz/triage.sh TARGET ARTIFACT...
#
# Uses the binaries smoke.sh built ($CARGO_TARGET_DIR, default fuzz/target).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
t="$1"; shift
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin="${CARGO_TARGET_DIR:-$here/target}/$triple/release/$t"
snapshot_after="${TRIAGE_SNAPSHOT_SECONDS:-4}"

# Frames worth reading, one line each ("function @ file:line"): ours and our dependencies',
# not std or libFuzzer plumbing. Reads Rust backtraces and gdb's "bt".
frames() {
    awk '/^ *[0-9]+: /{ if (f) print f; sub(/^ *[0-9]+: /, ""); f = $0; next }
         /^ +at /{ sub(/^ +at /, ""); print f " @ " $0; f = ""; next }
         /^#[0-9]+ /{ sub(/^#[0-9]+ +(0x[0-9a-f]+ in )?/, ""); sub(/ \(.*\) at /, " @ "); print }' |
        grep -E '/work/|registry/src|fuzz_targets|src/' | grep -vE 'libfuzzer-sys|/rustc/|libfuzzer/' |
        sed -E 's#/root/\.cargo/registry/src/[^/]*/##; s#/work/main/##' | head -n "${TRIAGE_FRAMES:-8}"
}

for a in "$@"; do
    echo "== $a ($(stat -c %s "$a") bytes)"
    log="$(mktemp)"
    # A 3 GB address-space cap instead of libFuzzer's RSS watchdog: a memory blow-up then ends
    # in a failed allocation, whose backtrace Rust prints.
    (ulimit -v "${TRIAGE_VMEM_KB:-3000000}"
     COWORK_FUZZ_GUARDED_DIR='' RUST_BACKTRACE=1 exec timeout 60 "$bin" -rss_limit_mb=0 -timeout=20 "$a") >"$log" 2>&1 &
    pid=$!
    sleep "$snapshot_after"
    if kill -0 "$pid" 2>/dev/null && command -v gdb >/dev/null; then
        child="$(pgrep -P "$pid" | head -n1)"  # the fuzz binary under timeout
        echo "still running after ${snapshot_after}s (rss $(ps -o rss= -p "${child:-$pid}") KB); stack:"
        gdb -p "${child:-$pid}" -batch -ex 'bt 60' 2>/dev/null | frames
        kill "$pid" 2>/dev/null
    fi
    wait "$pid"
    rc=$?
    grep -m3 -E 'UNGUARDED PANIC|memory allocation of|ERROR: libFuzzer|overflowed its stack|panicked at' "$log"
    grep -A 120 -E 'stack backtrace:|UNGUARDED PANIC' "$log" | frames
    echo "exit $rc"
    rm -f "$log"
done
