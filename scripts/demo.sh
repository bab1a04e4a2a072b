#!/usr/bin/env bash
# Install Diwan, load the sample documents and serve it on http://127.0.0.1:8000 (Ctrl+C stops).
# Environment: DIWAN_DATA_DIR (default ./data), DIWAN_PORT (default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
export DIWAN_DATA_DIR="${DIWAN_DATA_DIR:-$PWD/data}"
export OMP_THREAD_LIMIT=1
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/diwan demo
exec .venv/bin/diwan serve --host 127.0.0.1 --port "${DIWAN_PORT:-8000}"
