#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: Debian's chromium (for the real-browser tests; never a
# downloaded browser) when it is missing, and the npm packages from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium
fi

npm ci --no-audit --no-fund
