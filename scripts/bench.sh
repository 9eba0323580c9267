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
cargo run --release --example bench -- "${1:-1000}"
step "browser"
CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=900 \
  cargo test --release --target wasm32-unknown-unknown --no-default-features --test web_bench -- --nocapture 2>&1 \
  | grep -E "browser|test result"
if [ "${BENCH_BROWSER_NDARRAY:-0}" = 1 ]; then
  step "browser, with burn-ndarray compiled in as well (a separate, long build)"
  CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=900 \
    cargo test --release --target wasm32-unknown-unknown --no-default-features --features browser-ndarray \
      --test web_bench -- --nocapture 2>&1 | grep -E "browser|test result"
fi
