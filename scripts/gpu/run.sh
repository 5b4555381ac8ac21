#!/usr/bin/env bash
# The GPU figures in one run, for a machine lent by the `device` tool (no network; carry .gpu from
# scripts/gpu/pack.sh). Here it runs the same way on lavapipe (PRESET=tiny to try it end to end).
#
#   device run: carry [".gpu"], command "bash scripts/gpu/run.sh", timeout 600
#
# 1. Vulkan: the loader from .gpu/debs when the machine lacks it, the NVIDIA driver's ICD when there is one.
# 2. The model, generated there with the project's own deterministic generator (a full-size model cannot travel).
# 3. Ours: the core on Dawn's WebGPU (onnxruntime-web's webgpu build) in fp16, q4f16 and fp32: the seed's batch
#    sweep at 128 and 512 tokens per pair and the 50-document RAG case; then the compact q4f16 (4-bit embedding
#    tables, make-model --embeddings q4) on the same pairs (COMPACT=0 skips it).
# 4. The seed's own stack on the same pairs: PyTorch fp16 CrossEncoder on CUDA (CPU fp32 where there is no GPU).
# 5. One markdown table in $OUT/gpu-bench.md (and the JSON beside it); a line for each part that could not run.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/.cache/gpu-run}
PRESET=${PRESET:-full}
DTYPES=${DTYPES:-fp16,q4f16,fp32}
COMPACT=${COMPACT:-1}
BATCHES=${BATCHES:-1,2,4,8,16,32,64}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"
work=$(mktemp -d)
report="$OUT/gpu-bench.md"
note() { echo "- $*" | tee -a "$report.notes" >&2; }
: > "$report.notes"

if [ ! -f .gpu/app.tar.xz ]; then
  echo "no .gpu/app.tar.xz: run scripts/gpu/pack.sh here first and carry .gpu" >&2
  exit 2
fi
tar -C "$work" -xJf .gpu/app.tar.xz
app="$work/app"
node=node
command -v node >/dev/null 2>&1 || node="$app/node"
echo "node: $($node --version) ($node)" >&2

if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  for deb in .gpu/debs/*.deb; do [ -f "$deb" ] && dpkg -x "$deb" /; done
  ldconfig
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$nvidia_icd" ]; then
  export VK_DRIVER_FILES="$nvidia_icd"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2
fi

model="$work/model-$PRESET"
started=$(date +%s)
if ! $node "$app/bench.mjs" make-model --preset "$PRESET" --dtype "$DTYPES" --out "$model" >&2; then
  note "the $PRESET model could not be generated"
fi
echo "model generated in $(( $(date +%s) - started )) s" >&2

pairs="$work/pairs"
(cd "$app" && $node bench.mjs bench --runtime node --device webgpu --preset "$PRESET" --model "$model" --dtype "$DTYPES" \
  --sweep-tokens 128,512 --batch-sizes "$BATCHES" --docs 50 --rounds 1 --out "$OUT" --pairs-out "$pairs") > "$OUT/ours.md"
status=$?
[ $status -eq 0 ] || note "ours on WebGPU exited $status (see ours.md and the adapter line above)"
cat "$OUT/ours.md" >&2

compact_json=()
# Each 4-bit embedding lookup the generator can write: standard ONNX ops (every EP) and GatherBlockQuantized.
IFS=, read -ra lookups <<< "${COMPACT_LOOKUPS:-unpack,gather-block-quantized}"
[ "$COMPACT" = 1 ] || lookups=()
for lookup in "${lookups[@]}"; do
  compact="$work/model-$PRESET-compact-$lookup"
  if $node "$app/bench.mjs" make-model --preset "$PRESET" --dtype q4f16 --embeddings q4 --embedding-lookup "$lookup" \
      --out "$compact" --no-safetensors >&2; then
    ls -l "$compact/onnx" >&2
    mkdir -p "$OUT/compact-$lookup"
    (cd "$app" && $node bench.mjs bench --runtime node --device webgpu --preset "$PRESET" --model "$compact" --dtype q4f16 \
      --sweep-tokens 128,512 --batch-sizes "$BATCHES" --docs 50 --rounds 1 --out "$OUT/compact-$lookup") > "$OUT/ours-compact-$lookup.md"
    if [ $? -eq 0 ]; then compact_json+=(--compact "$lookup" "$OUT/compact-$lookup/node-webgpu-latest.json")
    else note "compact q4f16 ($lookup) on WebGPU failed (see ours-compact-$lookup.md)"; fi
    cat "$OUT/ours-compact-$lookup.md" >&2
  else
    note "the compact $PRESET q4f16 model ($lookup) could not be generated"
  fi
done

peers=()
if $PYTHON -c 'import torch, sentence_transformers' 2>/dev/null; then
  if $PYTHON -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then peer_args=(--device cuda --dtype fp16)
  else peer_args=(--device cpu --dtype fp32); note "no CUDA GPU: PyTorch ran on the CPU in fp32"; fi
  for part in sweep-128 sweep-512 rag; do
    [ -f "$pairs/$part.json" ] || { note "no $part pairs: ours did not get far enough to write them"; continue; }
    sizes=$BATCHES; [ $part = rag ] && sizes=1,16,64
    if $PYTHON "$app/bench_crossencoder.py" --model "$model" --pairs "$pairs/$part.json" --batch-sizes "$sizes" \
        --repeats 1 --warmup 1 --out "$OUT/peer-$part.json" "${peer_args[@]}" >&2; then
      peers+=("$OUT/peer-$part.json")
    else
      note "PyTorch peer on $part failed"
    fi
  done
else
  note "no $PYTHON with torch and sentence-transformers: no PyTorch peer"
fi

{
  echo "# GPU run: $PRESET preset, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  python3 "$app/table.py" "$OUT/node-webgpu-latest.json" "${compact_json[@]}" "${peers[@]}" 2>&1 || echo "(table.py failed)"
  echo
  cat "$report.notes"
} > "$report"
cat "$report"
rm -rf "$work"
