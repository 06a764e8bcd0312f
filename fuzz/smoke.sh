#!/usr/bin/env bash
# Short fuzz run of every reader, for CI: seeds the corpora, builds all targets once, runs each
# for FUZZ_SECONDS, and exits non-zero when any target crashes (escaped panic, abort, stack
# overflow, out-of-memory past -rss_limit_mb, or an input slower than FUZZ_TIMEOUT).
#
#   fuzz/smoke.sh [TARGET...]          (default: every target)
#
# Environment:
#   FUZZ_SECONDS    seconds per target (default 10); FUZZ_SECONDS_<target> overrides one
#   FUZZ_KEEP_GOING 1 = a longer campaign: libFuzzer's -fork=1 mode keeps fuzzing past crashes,
#                   timeouts and OOMs, saving each to artifacts/<target>/ (exit is still non-zero)
#   FUZZ_PARALLEL   targets run at once (default 2: one per core of the CI machine)
#   FUZZ_SANITIZER  none (default) or address; see README.md for why none
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (default 60)
#   FUZZ_REPORT_ONLY  1 = only print the table (and crashes) of the last run from logs/
#   CARGO_TARGET_DIR  where to build (default fuzz/target)
#   COWORK_CORPUS   the shared corpus (default ../../shared/corpus beside the repo)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

ALL=(pdf docx pptx xlsx xls ods csv eml mbox ics html markdown json text detect data_load)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ALL[@]}")
seconds="${FUZZ_SECONDS:-10}"
parallel="${FUZZ_PARALLEL:-2}"
sanitizer="${FUZZ_SANITIZER:-none}"
timeout="${FUZZ_TIMEOUT:-60}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
# The project pins stable Rust; cargo-fuzz passes -Zsanitizer=address (nightly-only) for ASan
# builds, so let the stable compiler accept it. Harmless for -s none.
export RUSTC_BOOTSTRAP=1

# Longest input per target: big enough for the seeds that matter, small enough to stay fast.
max_len() {
    case "$1" in
        pdf|docx|pptx|xlsx|ods) echo 524288 ;;
        data_load) echo 262144 ;;
        detect) echo 65536 ;;
        *) echo 131072 ;;
    esac
}
dict() {
    case "$1" in
        pdf) echo dict/pdf.dict ;;
        docx|pptx|xlsx|ods|detect|data_load) echo dict/xml.dict ;;
        eml|mbox) echo dict/mail.dict ;;
        ics) echo dict/ics.dict ;;
        html|markdown) echo dict/html.dict ;;
        *) echo "" ;;
    esac
}

triple="$(rustc -vV | sed -n 's/^host: //p')"
bindir="$CARGO_TARGET_DIR/$triple/release"
logs="$here/logs"
report_only="${FUZZ_REPORT_ONLY:-0}"
start=$(date +%s)
installed=$start built=$start finished=$start
if [ "$report_only" != 1 ]; then

if ! command -v cargo-fuzz >/dev/null; then
    echo "smoke.sh: installing cargo-fuzz"
    cargo install cargo-fuzz --locked --version '^0.13'
fi
installed=$(date +%s)

./seed.sh "${targets[@]}" >/dev/null

# -a: overflow checks and debug assertions on, as in the test profile: an overflow that a
# release build would wrap silently is a finding.
cargo fuzz build -O -a --sanitizer "$sanitizer"
built=$(date +%s)

mkdir -p "$logs"

run_one() {
    local t="$1" d
    d="$(dict "$t")"
    mkdir -p "artifacts/$t" "corpus/$t"
    local var="FUZZ_SECONDS_$t"
    local args=(
        "-max_total_time=${!var:-$seconds}" "-max_len=$(max_len "$t")" "-rss_limit_mb=2048"
        "-timeout=$timeout" "-print_final_stats=1" "-artifact_prefix=artifacts/$t/"
    )
    [ -n "$d" ] && args+=("-dict=$d")
    [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    # Inputs that made a reader catch a panic of its own (see src/lib.rs): kept for the owners.
    if COWORK_FUZZ_GUARDED_DIR="$here/guarded/$t" \
        "$bindir/$t" "${args[@]}" "corpus/$t" >"$logs/$t.log" 2>&1; then
        echo 0 >"$logs/$t.rc"
    else
        echo $? >"$logs/$t.rc"
    fi
}

running=0
for t in "${targets[@]}"; do
    rm -f "$logs/$t.rc"
    touch "$logs/$t.rc.start"
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$parallel" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait
finished=$(date +%s)
fi

failed=()
printf '%-10s %10s %7s %7s %s\n' target execs cov ft 'result (oom/timeout/crash in fork mode)'
for t in "${targets[@]}"; do
    log="$logs/$t.log"
    rc="$(cat "$logs/$t.rc" 2>/dev/null || echo 1)"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1 || true)"
    # -fork mode prints "#EXECS: cov: .. oom/timeout/crash: a/b/c .." lines instead.
    [ -z "$execs" ] && execs="$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -n1 || true)"
    forked="$(grep -o 'oom/timeout/crash: [0-9/]*' "$log" | tail -n1 | cut -d' ' -f2 || true)"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2 || true)"
    ft="$(grep -o 'ft: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2 || true)"
    result=ok
    if [ "$rc" != 0 ]; then
        result="CRASH (exit $rc)${forked:+ $forked}"
        failed+=("$t")
    fi
    guarded="$(find "guarded/$t" -type f 2>/dev/null | wc -l || true)"
    [ "$guarded" -gt 0 ] && result="$result, $guarded guarded panic site(s) in guarded/$t"
    printf '%-10s %10s %7s %7s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
echo "smoke.sh: install $((installed - start)) s, build $((built - installed)) s, run $((finished - built)) s"

if [ ${#failed[@]} -ne 0 ]; then
    for t in "${failed[@]}"; do
        echo
        echo "=== $t crashed; log: $logs/$t.log"
        grep -E 'UNGUARDED PANIC|ERROR: libFuzzer|memory allocation of|overflowed its stack' "$logs/$t.log" | head -n 5 || true
        # The top of the Rust backtrace (escaped panic or allocation failure), when there is one.
        grep -A 24 -E 'stack backtrace:|UNGUARDED PANIC' "$logs/$t.log" | grep -E '^ +[0-9]+: |^ +at ' | head -n 24 || true
        # Every artifact this run wrote (one in plain mode, possibly many with FUZZ_KEEP_GOING).
        for a in $(find "artifacts/$t" -type f -newer "$logs/$t.rc.start" | sort | head -n 10); do
            echo "reproducer: $here/$a"
            echo "  replay:   $bindir/$t $here/$a"
            echo "  triage:   $here/triage.sh $t $here/$a   (top frames, also for hangs and OOMs)"
        done
    done
    echo
    echo "smoke.sh: ${#failed[@]} target(s) crashed: ${failed[*]}"
    exit 1
fi
echo "smoke.sh: all ${#targets[@]} targets ran ${seconds}s without a crash"
