#!/usr/bin/env bash
# Installs dysts (pinned) from PyPI into a private venv and regenerates
# src/dynamics/catalog.json and tests/fixtures/dysts_reference.json.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${SCOREDYN_DYSTS_VENV:-$HOME/.cache/scoredyn/dysts-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet "dysts==0.96" "scipy>=1.11" "numpy>=1.26"
"$VENV/bin/python" scripts/dysts_reference.py
