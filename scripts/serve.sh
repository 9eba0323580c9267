#!/usr/bin/env bash
# Installs what is missing, builds the page (release, wasm-opt) and serves it on
# http://127.0.0.1:8080 (PORT=... to change). Ctrl-C stops it.
set -euo pipefail
SCOREDYN_NO_BROWSER=1 source "$(dirname "$0")/setup.sh"
PORT="${PORT:-8080}"
echo "==> building and serving; open http://127.0.0.1:$PORT/ once trunk says it is serving" >&2
# No auto-reload: its inline script and websocket would break the pages' Content-Security-Policy.
exec trunk serve --release --no-autoreload --no-error-reporting --port "$PORT" --address 127.0.0.1
