#!/usr/bin/env bash
# Installs whatever is missing for building, serving and testing scoredyn, then leaves
# the environment ready (sourced by serve.sh and test.sh; safe to run again).
# Pinned: wasm-bindgen-cli = the wasm-bindgen version in Cargo.lock, trunk 0.21.14,
# binaryen 132 (wasm-opt) and playwright-core from package-lock.json, Debian's Chromium.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CACHE="${SCOREDYN_CACHE:-$HOME/.cache/scoredyn}"
# Build output lives outside the clone so that a fresh clone builds warm.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$ROOT/node_modules/.bin:$PATH"
TRUNK_VERSION=0.21.14

step() { printf '\n==> %s\n' "$*" >&2; }
need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo "$@"; else echo "error: '$*' needs root" >&2; exit 1; fi
  else
    "$@"
  fi
}

for tool in cargo rustup node npm; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required but not installed" >&2; exit 1; }
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

WB_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
[ -n "$WB_VERSION" ] || { echo "error: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
if ! wasm-bindgen --version 2>/dev/null | grep -qw "$WB_VERSION"; then
  step "installing wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  # Not --locked: its lockfile wants a webpki-roots newer than the registry serves.
  CARGO_TARGET_DIR="$CACHE/tools-target" cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

if ! trunk --version 2>/dev/null | grep -qw "$TRUNK_VERSION"; then
  step "installing trunk $TRUNK_VERSION (several minutes, once)"
  CARGO_TARGET_DIR="$CACHE/tools-target" cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

if [ "${SCOREDYN_NO_BROWSER:-0}" != 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  step "installing Debian's chromium and chromium-driver"
  need_root apt-get update -qq
  need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# GNU parallel runs sweep shards side by side (the README's recipe, tests/sweep.rs);
# moreutils' `parallel` is another program.
if ! parallel --version 2>/dev/null | grep -q "GNU parallel"; then
  step "installing GNU parallel"
  need_root apt-get update -qq
  need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq parallel >/dev/null
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -x node_modules/.bin/http-server ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages (binaryen, playwright-core, http-server)"
  npm ci --no-audit --no-fund --loglevel=error
fi
