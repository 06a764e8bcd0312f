#!/usr/bin/env bash
# Run a real cowork task on a copy of the example workspace, with the scripted demo model (no API key).
# On a terminal you approve each change yourself; without one, every ask is approved (--on-ask approve).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${COWORK_DEMO_DIR:-$(mktemp -d -t cowork-demo-XXXXXX)}"
cp -R "$here/quarterly/workspace/." "$work/"
# Keep the demo's audit log and grants beside the copy, not in your real ones.
export XDG_DATA_HOME="$work.data"
cargo build -q -p cowork-cli --manifest-path "$here/../Cargo.toml"
cowork="$here/../target/debug/cowork"
answer=()
[ -t 0 ] || answer=(--on-ask approve)
echo "workspace: $work"
"$cowork" run --folder "$work" --model "tape:$here/quarterly/tape.yaml" "${answer[@]}" \
  "Review the Q1 sales exports here, write a one-page summary against targets, and tidy the raw files."
echo
echo "Look around:   ls -R $work"
echo "History:       $cowork history -f $work"
echo "Undo it all:   $cowork undo -f $work"
echo "Audit log:     XDG_DATA_HOME=$XDG_DATA_HOME $cowork audit verify"
