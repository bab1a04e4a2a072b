#!/usr/bin/env bash
# Install the servers that the scale test configuration (DIWAN_TEST_BACKENDS=scale) starts on
# 127.0.0.1, as root on Debian 12. Each tests/servers/<name>.py starts its own private instance
# from what this script installs, so no system-wide service needs to run.
#   scripts/install-test-servers.sh     (scripts/install.sh --test runs it)
# To add a server: put its Debian packages in `packages`, and any other step (such as a download
# from Maven Central) in a function under "Other steps" that the last lines call. Python
# packages belong in the test extra of pyproject.toml, because this script runs before the
# virtualenv exists.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  postgresql    # tests/servers/postgres.py: initdb and postgres, run as the postgres user
  redis-server  # tests/servers/redis.py
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} )); then
  echo "Installing test servers: ${missing[*]}"
  apt-get update -q
  # policy-rc.d 101 keeps Debian from starting the system-wide services during the install.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Other steps, one function per server, each called below. PostgreSQL and Redis need none.
