#!/usr/bin/env bash
# Installs what is missing, builds the page (release, wasm-opt, brotli and gzip copies)
# and serves dist/ on http://127.0.0.1:8080 (PORT=... to change) with http-server,
# which sends each file's precompressed copy when the browser accepts it. Ctrl-C stops
# it. (For a rebuild on every change, uncompressed: trunk serve --release.)
set -euo pipefail
SCOREDYN_NO_BROWSER=1 source "$(dirname "$0")/setup.sh"
PORT="${PORT:-8080}"
step "building the page (trunk, release)"
trunk build --release
echo "==> serving dist/ on http://127.0.0.1:$PORT/ (Ctrl-C stops)" >&2
# -c-1: no caching headers, so a rebuild shows on reload (the page's own offline copy
# is its service worker's business).
exec node_modules/.bin/http-server dist -a 127.0.0.1 -p "$PORT" --brotli --gzip -c-1
