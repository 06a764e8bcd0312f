#!/usr/bin/env bash
# Document reader benchmark: cowork vs markitdown vs pdftotext over ../shared/corpus.
# Installs what it needs: markitdown (+ readability-lxml, icalendar for references) in a venv,
# LibreOffice and poppler-utils from Debian when missing. Prints one Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS="${CORPUS:-$(cd .. && pwd)/shared/corpus}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/cowork-bench"
VENV="${BENCH_VENV:-$CACHE/venv}"
mkdir -p "$CACHE"
if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y --no-install-recommends libreoffice-calc-nogui libreoffice-writer-nogui libreoffice-impress-nogui poppler-utils >/dev/null
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'markitdown[all]' readability-lxml icalendar
fi
cargo build --release -q -p cowork-docs --example read_corpus
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
"$target_dir/release/examples/read_corpus" "$CORPUS" > "$CACHE/cowork.jsonl"
"$VENV/bin/python" bench/docs/compare.py "$CORPUS" "$CACHE/cowork.jsonl" "$CACHE/work"
