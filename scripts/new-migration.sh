#!/usr/bin/env bash
# Generate an Alembic migration from the difference between the models and the newest migration.
#   scripts/new-migration.sh "add applicants table"
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 - "$1" "sqlite:///$scratch/scratch.sqlite3" <<'PY'
import sys

from alembic import command

from archive_api.migrate import alembic_config, upgrade_database

message, url = sys.argv[1], sys.argv[2]
upgrade_database(url)
command.revision(alembic_config(url), message=message, autogenerate=True)
PY
