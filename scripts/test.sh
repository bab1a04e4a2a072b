#!/usr/bin/env bash
# Install Diwan with its test dependencies and run the whole test suite in both configurations:
# first on the embedded backends, then with DIWAN_TEST_BACKENDS=scale on real servers that the
# suite starts on 127.0.0.1 (tests/servers/). pytest prints each run's wall time.
# Extra arguments go to pytest in both runs, for example: scripts/test.sh tests/search -x
# DIWAN_TEST_BACKENDS=embedded (or scale) scripts/test.sh runs one configuration only.
# DIWAN_TEST_WORKERS sets the number of pytest-xdist worker processes (default 2, 0 for none).
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

# Each pytest-xdist worker is a pytest session of its own, with its own temporary directories
# and, in the scale configuration, its own PostgreSQL, Redis, S3 and OpenSearch servers.
# --dist loadfile keeps each test file on one worker, so a module's fixtures (such as the parity
# corpus, which takes a minute of OCR) are built once. Two workers keep two cores busy. More
# would run more OCR processes than cores, and tests that wait for a worker would wait longer.
parallel=()
workers="${DIWAN_TEST_WORKERS:-2}"
if [[ "$workers" != 0 ]]; then
  parallel=(-n "$workers" --dist loadfile)
fi

status=0
for configuration in "${configurations[@]}"; do
  echo "== test configuration: ${configuration}"
  DIWAN_TEST_BACKENDS="$configuration" .venv/bin/python -m pytest "${parallel[@]}" "$@" || status=$?
done
exit "$status"
