#!/usr/bin/env bash
# Regenerates the page's pretrained starting models (www/models/) with the project's
# own command line: small networks, trained briefly, so that a first visit draws
# samples at once while the user's own training can start.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scoredyn/target}"
cargo build --release --bin scoredyn
BIN="$CARGO_TARGET_DIR/release/scoredyn"
systems=(Lorenz Rossler Thomas Aizawa)
for s in "${systems[@]}"; do
  "$BIN" train --system "$s" --steps 3000 --width 64 --depth 3 --seed 0 --out "www/models/$s.json" >&2
done
printf '%s\n' "${systems[@]}" | python3 -c 'import json,sys; print(json.dumps([l.strip() for l in sys.stdin if l.strip()]))' > www/models/index.json
ls -l www/models >&2
