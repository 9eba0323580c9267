#!/usr/bin/env bash
# Runs (or resumes) the robustness study of plans/study.toml on every core and writes its
# report into docs/robustness/: README.md (docs/robustness/FINDINGS.md on top, the
# generated tables below), the SVG figures and cells.json for www/study.html.
# About an hour on 2 cores; an interrupted run resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scoredyn/target}"
cargo build --release --bin scoredyn
bin="$CARGO_TARGET_DIR/release/scoredyn"
out=docs/robustness
jobs="${JOBS:-$(nproc)}"
start=$(date +%s)
"$bin" sweep --plan plans/study.toml --out "$out/results.jsonl" --jobs "$jobs" --resume
echo "sweep: $(( $(date +%s) - start )) s of wall time on $jobs jobs" >&2
"$bin" report "$out/results.jsonl" --out "$out" --preface "$out/FINDINGS.md"  # FINDINGS.md: written by hand from the tables
