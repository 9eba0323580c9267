#!/usr/bin/env bash
# Benchmarks that print figures (no assertions): native training/sampling throughput
# per backend, then the browser's (CPU and WebGPU, headless Chromium).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
step "native"
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
