#!/usr/bin/env bash
# Packs what scripts/gpu/run.sh needs on a machine with no network and no npm (the `device` tool's GPU machine) into
# .gpu/ (git-ignored; name it in the tool's `carry`): the Node bench as one bundled file, onnxruntime-web's wasm,
# dawn.node, this machine's node binary, the PyTorch peer script, and the Vulkan loader's Debian package. ~40 MB.
#
#   bash scripts/gpu/pack.sh        # here, after scripts/setup-test-env.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.gpu
rm -rf "$out" && mkdir -p "$out/app/node_modules/webgpu/dist/linux-x64" "$out/debs"

# transformers.js' Node entry requires onnxruntime-node and sharp, which this bench never calls: stubs stand in.
for p in onnxruntime-node sharp; do
  mkdir -p "$out/app/node_modules/$p"
  echo "{\"name\":\"$p\",\"main\":\"index.js\"}" > "$out/app/node_modules/$p/package.json"
  echo 'module.exports = { InferenceSession: {}, Tensor: class {}, env: {} }; // stub: not used by the bench' > "$out/app/node_modules/$p/index.js"
done
npx esbuild scripts/gpu/entry.ts --bundle --platform=node --format=esm --target=node20 --outfile="$out/app/bench.mjs" \
  --external:webgpu --external:onnxruntime-node --external:sharp --log-level=warning \
  --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
cp node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.{mjs,wasm} "$out/app/"
cp node_modules/webgpu/{index.js,package.json} "$out/app/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$out/app/node_modules/webgpu/dist/linux-x64/"
cp scripts/crosscheck/bench_crossencoder.py scripts/gpu/table.py "$out/app/"
cp "$(command -v node)" "$out/app/node"
# The Vulkan loader (the GPU machine may lack it; its driver's ICD is under /usr/local/nvidia).
(cd "$out/debs" && apt-get download libvulkan1 >/dev/null 2>&1) || echo "pack: could not download libvulkan1 (apt-get update first?)" >&2
tar -C "$out" -cJf "$out/app.tar.xz" app && rm -rf "$out/app"
du -sh "$out"/* >&2
