#!/usr/bin/env bash
# Benchmarks that print figures (no assertions): native training/sampling throughput
# per backend, then the browser's (CPU and WebGPU, headless Chromium).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
step "native: simulation"
DYSTS_PY="${SCOREDYN_DYSTS_VENV:-$HOME/.cache/scoredyn/dysts-venv}/bin/python"
if [ -x "$DYSTS_PY" ] && "$DYSTS_PY" -c "import dysts" 2>/dev/null; then
  echo "timing dysts' make_trajectory (Radau, rtol 1e-12) ..."
  "$DYSTS_PY" scripts/bench_dysts.py > "$CARGO_TARGET_DIR/dysts_timings.json"
  export SCOREDYN_DYSTS_TIMINGS="$CARGO_TARGET_DIR/dysts_timings.json"
else
  echo "(dysts not installed: run scripts/dysts_reference.sh for the comparison with dysts)"
fi
cargo run --release --example bench_dynamics
step "native: training and sampling (and scoredyn / JAX)"
# The JAX reference (bench/jax_dsm.py) in its own venv, from PyPI, once.
JAX_VENV="${SCOREDYN_JAX_VENV:-$HOME/.cache/scoredyn/jax-venv}"
if [ ! -x "$JAX_VENV/bin/python" ] || ! "$JAX_VENV/bin/python" -c "import jax, optax" 2>/dev/null; then
  echo "installing JAX and optax into $JAX_VENV (once)"
  python3 -m venv "$JAX_VENV" && "$JAX_VENV/bin/pip" install --quiet "jax[cpu]" optax \
    || echo "(could not install JAX: the comparison is skipped)"
fi
if "$JAX_VENV/bin/python" -c "import jax, optax" 2>/dev/null; then
  export SCOREDYN_JAX_PY="$JAX_VENV/bin/python"
fi
cargo run --release --example bench -- "${1:-1000}" | tee "$CARGO_TARGET_DIR/bench_native.txt"
step "browser"
CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=900 \
  cargo test --release --target wasm32-unknown-unknown --no-default-features --test web_bench -- --nocapture 2>&1 \
  | grep -E "browser|test result" | tee "$CARGO_TARGET_DIR/bench_browser.txt"
# Browser / native for the default model's training, from the two runs above.
native1=$(awk '/host 1T:/ {print $3}' "$CARGO_TARGET_DIR/bench_native.txt")
native2=$(awk '/host 2T:/ {print $3}' "$CARGO_TARGET_DIR/bench_native.txt")
browser=$(sed -nE 's/.*browser flex: ([0-9.]+) train steps\/s with the host.*/\1/p' "$CARGO_TARGET_DIR/bench_browser.txt")
if [ -n "$native1" ] && [ -n "$native2" ] && [ -n "$browser" ]; then
  awk -v b="$browser" -v n1="$native1" -v n2="$native2" 'BEGIN {
    printf "browser / native training (host step): %.2f of native on 2 threads, %.2f of 1 thread\n", b / n2, b / n1 }'
fi
step "page bundle"
if [ -f dist/scoredyn_bg.wasm ]; then
  for f in dist/scoredyn_bg.wasm dist/scoredyn_bg.wasm.br dist/scoredyn_bg.wasm.gz; do
    [ -f "$f" ] && printf "%-28s %6.2f MB\n" "$f" "$(awk -v s="$(stat -c %s "$f")" 'BEGIN { print s / 1e6 }')"
  done
else
  echo "(no dist/: run trunk build --release for the bundle's sizes)"
fi
if [ "${BENCH_BROWSER_NDARRAY:-0}" = 1 ]; then
  step "browser, with burn-ndarray compiled in as well (a separate, long build)"
  CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=900 \
    cargo test --release --target wasm32-unknown-unknown --no-default-features --features browser-ndarray \
      --test web_bench -- --nocapture 2>&1 | grep -E "browser|test result"
fi
