#!/usr/bin/env bash
# Regenerates docs/models.md: every model family (RealNVP, CNF, flow matching, DSM under
# VP, VE and NCSN's ladder, the NCSN loss) trained on the same five systems and scored on
# the same held-out trajectories, by one sweep (plans/models.toml) and its report.
#   bash scripts/models.sh               # resumes an interrupted run
#   FRESH=1 bash scripts/models.sh       # starts over
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scoredyn/target}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/scoredyn"
OUT=docs/models
mkdir -p "$OUT"
[ "${FRESH:-0}" = 1 ] && rm -f "$OUT/results.jsonl"
t0=$SECONDS
"$BIN" sweep --plan plans/models.toml --out "$OUT/results.jsonl" --jobs 2 --resume
echo "sweep: $((SECONDS - t0)) s of wall time" >&2
node scripts/models_report.mjs plans/models.toml "$OUT/results.jsonl" docs/models.md "$((SECONDS - t0))"
echo "wrote docs/models.md" >&2
