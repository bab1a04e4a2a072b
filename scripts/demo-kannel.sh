#!/usr/bin/env bash
# Like scripts/demo.sh, but SMS go out through a private Kannel on 127.0.0.1 (bearerbox, smsbox and
# the fake SMS centre fakesmsc), and its delivery reports come back to Diwan. Ctrl+C stops Diwan and
# Kannel. Run as root on Debian 12, because missing Debian packages are installed with apt.
# Environment: DIWAN_DATA_DIR (default ./data), DIWAN_PORT (default 8000), and
# DIWAN_SKIP_INSTALL=1 to use the diwan already installed in the current Python instead of .venv.
# Kannel's configuration and logs go to $DIWAN_DATA_DIR/kannel; read the received SMS with
#   python -m recruitment.notify.fakesmsc_log "$DIWAN_DATA_DIR/kannel/fakesmsc.log"
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for package in kannel kannel-extras; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} )); then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [[ "${DIWAN_SKIP_INSTALL:-}" == "1" ]]; then
  python=python3
else
  scripts/install.sh
  python=.venv/bin/python
  export PATH="$PWD/.venv/bin:$PATH"
fi
export DIWAN_DATA_DIR="${DIWAN_DATA_DIR:-$PWD/data}"
export OMP_THREAD_LIMIT=1
"$python" -m archive_api demo
exec "$python" -m recruitment.notify.kannel_demo --port "${DIWAN_PORT:-8000}"
