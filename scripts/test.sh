#!/usr/bin/env bash
# Installs what is missing and runs every check: formatting, clippy (native and wasm32),
# native tests, browser tests (wasm-bindgen-test in headless Chromium, CPU and WebGPU),
# the page build and the end-to-end tests. Exits non-zero on the first failure.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
start=$(date +%s)
lap() { echo "    ($(( $(date +%s) - start )) s so far)" >&2; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy, native"
cargo clippy --release --all-targets -- -D warnings
step "clippy, wasm32"
cargo clippy --release --target wasm32-unknown-unknown --no-default-features --lib --tests -- -D warnings
lap

step "native tests (release)"
cargo test --release
lap

step "browser tests: wasm-bindgen-test in headless Chromium (CPU and WebGPU)"
CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=900 \
  cargo test --release --target wasm32-unknown-unknown --no-default-features --test web
lap

step "building the page (trunk, release)"
trunk build --release
ls -l dist/scoredyn_bg.wasm >&2
lap

step "end-to-end: the served page in headless Chromium (CPU and WebGPU)"
node --test --test-concurrency=1 tests/js/ tests/e2e/
lap
