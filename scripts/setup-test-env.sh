#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian 12 machine, then the npm packages from the lockfile:
# - Debian's chromium, for the real-browser tests (never a downloaded browser), with apt where /usr/bin/chromium is
#   missing: the one change this script makes to the system;
# - Mesa 25's lavapipe, a Vulkan driver on the CPU that offers shader-f16 to Dawn's Node bindings (npm `webgpu`) for
#   the WebGPU tier, unpacked into .cache/lavapipe by scripts/webgpu/fetch-lavapipe.sh and never installed: the
#   system's graphics drivers, its packages and /etc/apt stay as they were.
# It records the system's state (the files under /etc/apt, the installed packages) before, after the chromium step
# and at the end in .cache/setup-test-env/, and fails if /etc/apt changed, if anything after the chromium step changed
# a package, or if the chromium step changed a graphics driver package. test/unit/setup-test-env.test.ts checks it.
#   bash scripts/setup-test-env.sh --system-state   prints that state and exits
set -euo pipefail
cd "$(dirname "$0")/.."

# One line per file under /etc/apt (path, SHA-256) and per installed package (name:arch, version).
system_state() {
  { find /etc/apt \( -type f -o -type l \) -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum 2>/dev/null || true; } |
    awk '{ print "file " $2 " " $1 }'
  dpkg-query -W -f='${db:Status-Abbrev} ${Package}:${Architecture} ${Version}\n' | awk '$1 ~ /^ii/ { print "package " $2 " " $3 }' | sort
}
if [ "${1:-}" = --system-state ]; then system_state; exit 0; fi

# Lines of $2 that differ from $1, as "- old" / "+ new", restricted to lines matching the pattern $3.
changes() { diff <(grep -E "$3" "$1" || true) <(grep -E "$3" "$2" || true) | grep -E '^[<>]' | sed -e 's/^</-/' -e 's/^>/+/' || true; }
GRAPHICS_PACKAGES='^package (mesa-|libvulkan|libdrm|libgl|libegl|libgbm|libllvm)'

record=.cache/setup-test-env
mkdir -p "$record"
system_state > "$record/before.txt"

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
if [ ! -x /usr/bin/chromium ]; then
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
system_state > "$record/after-chromium.txt"

bash scripts/webgpu/fetch-lavapipe.sh

# onnxruntime-node's install script downloads CUDA libraries (not needed; fails offline). package.json's allowScripts
# skips it for npm 11; npm 10 ignores that field and reads this variable.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund

system_state > "$record/after.txt"
etc_apt=$(changes "$record/before.txt" "$record/after.txt" '^file ')
drivers=$(changes "$record/before.txt" "$record/after-chromium.txt" "$GRAPHICS_PACKAGES")
packages=$(changes "$record/after-chromium.txt" "$record/after.txt" '^package ')
if [ -n "$etc_apt$drivers$packages" ]; then
  echo "setup: the system changed (see $record):" >&2
  printf '%s\n' "$etc_apt" "$drivers" "$packages" | grep -v '^$' >&2
  exit 1
fi
echo "setup: /etc/apt and the graphics driver packages unchanged; lavapipe in .cache/lavapipe"
