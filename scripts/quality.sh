#!/usr/bin/env bash
# Regenerates docs/quality.md: trains Lorenz-63 under each SDE and objective and
# scores every sampler (about 20 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scoredyn/target}"
cargo run --release --example quality
