#!/usr/bin/env bash
# Install Diwan with its test dependencies and run the whole test suite.
# Extra arguments go to pytest, for example: scripts/test.sh tests/search -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
export OMP_THREAD_LIMIT=1
exec .venv/bin/python -m pytest "$@"
