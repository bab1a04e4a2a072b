#!/usr/bin/env bash
# Install Diwan with its test dependencies and run the whole test suite in both configurations:
# first on the embedded backends, then with DIWAN_TEST_BACKENDS=scale on real servers that the
# suite starts on 127.0.0.1 (tests/servers/). pytest prints each run's wall time.
# Extra arguments go to pytest in both runs, for example: scripts/test.sh tests/search -x
# DIWAN_TEST_BACKENDS=embedded (or scale) scripts/test.sh runs one configuration only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
export OMP_THREAD_LIMIT=1
# Tests start `diwan` processes of their own; they must be this checkout's, from .venv.
export PATH="$PWD/.venv/bin:$PATH"

configurations=(embedded scale)
if [[ -n "${DIWAN_TEST_BACKENDS:-}" ]]; then
  configurations=("$DIWAN_TEST_BACKENDS")
fi

status=0
for configuration in "${configurations[@]}"; do
  echo "== test configuration: ${configuration}"
  DIWAN_TEST_BACKENDS="$configuration" .venv/bin/python -m pytest "$@" || status=$?
done
exit "$status"
