#!/usr/bin/env bash
# Runs a command with the project's lavapipe (.cache/lavapipe, from fetch-lavapipe.sh) on its Vulkan and library
# paths, which must be set before a process starts. The WebGPU test tier gets them from vitest.config.ts; use this for
# the rest, e.g.: bash scripts/webgpu/with-lavapipe.sh npm run bench -- --runtime node --device webgpu --preset tiny --quick
set -euo pipefail
manifest="$(cd "$(dirname "$0")/../.." && pwd)/.cache/lavapipe/lavapipe.json"
if [ -f "$manifest" ] && [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  export VK_ICD_FILENAMES LD_LIBRARY_PATH
  VK_ICD_FILENAMES=$(sed -n 's/.*"icd": "\(.*\)".*/\1/p' "$manifest")
  LD_LIBRARY_PATH=$(sed -n 's/.*"libraryDir": "\(.*\)".*/\1/p' "$manifest")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
exec "$@"
