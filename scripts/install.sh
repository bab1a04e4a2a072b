#!/usr/bin/env bash
# Install everything Diwan needs on Debian 12 as root: system packages and a virtualenv in .venv.
#   scripts/install.sh          what the server needs
#   scripts/install.sh --test   plus what the test suite needs (Chromium, and the servers of
#                               the scale configuration through scripts/install-test-servers.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  python3 python3-venv python3-pip
  tesseract-ocr tesseract-ocr-ara tesseract-ocr-eng tesseract-ocr-osd
  fonts-hosny-amiri fonts-noto-core fontconfig
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(chromium)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} )); then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [[ "${1:-}" == "--test" ]]; then
  scripts/install-test-servers.sh
fi

if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
extras=""
[[ "${1:-}" == "--test" ]] && extras="[test]"
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".${extras}"
