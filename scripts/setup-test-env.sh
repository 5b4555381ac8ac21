#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian 12 machine, then the npm packages from the lockfile:
# - Debian's chromium, for the real-browser tests (never a downloaded browser);
# - Mesa 25's lavapipe (mesa-vulkan-drivers from bookworm-backports), a Vulkan driver on the CPU: with Dawn's Node
#   bindings (npm `webgpu`) it gives a WebGPU adapter with shader-f16, so the fp16 and 4-bit WebGPU paths run in the
#   tests. Debian 12's own lavapipe (Mesa 22.3) is refused by Dawn.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

lavapipe_icd() { ls /usr/share/vulkan/icd.d/lvp_icd*.json 2>/dev/null | head -1; }
mesa_major() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | cut -d. -f1; }

# The backports suite from the mirror this machine already uses (no host is written here).
add_backports() {
  local list=/etc/apt/sources.list.d/bookworm-backports.sources
  [ -f "$list" ] && return 0
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
  fi
  if [ -z "$uri" ]; then
    echo "setup: no Debian mirror found in the apt sources; cannot add bookworm-backports" >&2
    return 1
  fi
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uri" | $sudo tee "$list" >/dev/null
}

need_update=1
apt_update() { if [ "$need_update" = 1 ]; then $sudo apt-get update; need_update=0; fi; }

if [ ! -x /usr/bin/chromium ]; then
  apt_update
  $sudo apt-get install -y --no-install-recommends chromium
fi

if [ -z "$(lavapipe_icd)" ] || [ "$(mesa_major)" -lt 25 ] 2>/dev/null; then
  add_backports
  need_update=1
  apt_update
  $sudo apt-get install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
fi

# onnxruntime-node's install script downloads CUDA libraries (not needed; fails offline). package.json's allowScripts
# skips it for npm 11; npm 10 ignores that field and reads this variable.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
