/**
 * The WebGPU tier: the core on onnxruntime-web's WebGPU execution provider (the `webgpu` build browsers load), on a
 * shader-f16 adapter from Dawn's Node bindings and Mesa's lavapipe (scripts/webgpu/dawn.ts). fp32, fp16, q4 and
 * q4f16 of the committed tiny model, each against the Float64 reference, against wasm running the same file, and
 * against itself batched differently; then a real device loss mid-run.
 *
 * In CI the tier must run: a missing adapter fails it. Elsewhere it is skipped with the reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDawnAdapter, installDawn } from '../../scripts/webgpu/dawn.ts';
import { createReranker } from '../../src/lib/runtime/load.ts';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { ort } from '../../src/lib/runtime/ort.ts';
import { buildPairIds } from '../../src/lib/text/pairs.ts';
import type { SessionHooks } from '../../src/lib/runtime/session.ts';
import type { BatchRecord, Dtype, Reranker, ScoreOptions } from '../../src/lib/types.ts';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';
import { ReferenceXlmr } from '../../tools/reference/xlmr.ts';
import { DEMO_MODEL_DIR, loadTokenizer, maxAbsDiff } from '../helpers/models.ts';

const install = await installDawn();
const skipReason = !install.adapter ? install.reason! : !install.adapter.shaderF16 ? 'the WebGPU adapter lacks shader-f16' : null;
const mustRun = process.env.CI === 'true';

/** The model as a folder picker gives it: every file, so `dtype` alone decides what loads. */
function modelFiles(): Record<string, Blob> {
  const files: Record<string, Blob> = {};
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', ...Object.values(ONNX_FILE_BY_DTYPE)]) {
    const file = path.join(DEMO_MODEL_DIR, f);
    if (fs.existsSync(file)) files[f] = new Blob([fs.readFileSync(file)]);
  }
  return files;
}

const QUERY = 'how does a cross-encoder rerank documents for retrieval?';
const WORDS = 'retrieval ranking query document model score batch token padding encoder attention layer'.split(' ');
/** Mixed lengths (3 to ~200 tokens), Chinese and English, and two near-duplicates that must still differ. */
const DOCUMENTS = [
  ...SEED_PAIRS.slice(0, 6).map(([, d]) => d),
  ...Array.from({ length: 8 }, (_, i) => Array.from({ length: 2 + i * 17 }, (_, k) => WORDS[(i + k * 5) % WORDS.length]).join(' ')),
  'A cross-encoder reads the query and the document together.',
  'A cross-encoder reads the query and the documents together.',
];
const PAIRS = DOCUMENTS.map((d) => [QUERY, d] as const);

/**
 * Largest |Δlogit| allowed, per dtype, on the tiny model (logits of order 1):
 * - vsReference: fp32 computes what the Float64 reference computes, up to float32 rounding. fp16 rounds weights and
 *   activations to 11 significant bits (≈5e-4 relative) over 2 layers. q4 rounds every weight to one of 16 levels
 *   per block of 32: on these uniform random weights that moves logits by ≈0.35 on wasm and WebGPU alike (measured),
 *   so the check that q4's kernels are right is vsWasm, and the generator's q4 is checked against onnxruntime's own
 *   quantizer in `npm run crosscheck`.
 * - vsWasm: the same file on wasm. fp32 and q4 compute in fp32 on both; fp16 and q4f16 compute in half precision
 *   on the GPU only (wasm upcasts to fp32), so they differ by fp16 rounding.
 * - batching: the same pairs alone, in other batches and positions, padded or not: each row is computed on its own
 *   in every kernel, so only summation order and fp16 rounding of the padded rows' shared tiles may differ.
 */
const TOLERANCE: Record<'fp32' | 'fp16' | 'q4' | 'q4f16', { vsReference: number; vsWasm: number; batching: number }> = {
  fp32: { vsReference: 1e-4, vsWasm: 1e-4, batching: 1e-5 },
  fp16: { vsReference: 0.02, vsWasm: 0.02, batching: 0.01 },
  q4: { vsReference: 0.5, vsWasm: 1e-4, batching: 1e-5 },
  q4f16: { vsReference: 0.5, vsWasm: 0.02, batching: 0.01 },
};

let reference: ReferenceXlmr;
let referenceLogits: number[];

beforeAll(async () => {
  if (skipReason) return;
  const tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
  reference = ReferenceXlmr.fromDir(DEMO_MODEL_DIR);
  const q = tokenizer.encode(QUERY, { add_special_tokens: false });
  const rows = DOCUMENTS.map((d) => buildPairIds(q, tokenizer.encode(d, { add_special_tokens: false }), 512).ids);
  referenceLogits = reference.logits(rows, rows.map((r) => r.map(() => 1)));
});

describe('the WebGPU adapter', () => {
  it.runIf(mustRun)('is there in CI, with shader-f16 (scripts/setup-test-env.sh installs Mesa lavapipe)', () => {
    expect(skipReason).toBeNull();
  });

  it.skipIf(skipReason !== null)('is reported', () => {
    console.log(`WebGPU adapter: ${describeDawnAdapter(install.adapter!)}${install.icd ? ` (Vulkan driver ${install.icd})` : ''}`);
    expect(install.adapter!.shaderF16).toBe(true);
  });
});

const raw = async (r: Reranker, options: ScoreOptions = {}) => r.score(PAIRS, { rawScores: true, ...options });

describe.skipIf(skipReason !== null).each(['fp32', 'fp16', 'q4', 'q4f16'] as const)('%s on WebGPU', (dtype) => {
  const tolerance = TOLERANCE[dtype];
  let gpu: Reranker;
  let wasm: Reranker;
  let gpuLogits: number[];
  let wasmLogits: number[];

  beforeAll(async () => {
    const started = performance.now();
    // The GPU session looks its embedding table up in ranges (embedding-pieces.ts, 64 KiB: 4 to 8 of them here), the
    // wasm one in one: every comparison below holds across the two graphs.
    gpu = await createReranker({ model: { files: modelFiles() }, device: 'webgpu', dtype }, { embeddingPieceBytes: 64 * 1024 });
    const loadMs = performance.now() - started;
    wasm = await createReranker({ model: { files: modelFiles() }, device: 'wasm', dtype });
    gpuLogits = await raw(gpu);
    wasmLogits = await raw(wasm);
    console.log(`${dtype}: WebGPU session and self-check ${(loadMs / 1000).toFixed(1)} s; max |Δlogit| vs the Float64 ` +
      `reference ${maxAbsDiff(gpuLogits, referenceLogits).toExponential(2)}, vs wasm on the same file ` +
      `${maxAbsDiff(gpuLogits, wasmLogits).toExponential(2)} (wasm vs reference ${maxAbsDiff(wasmLogits, referenceLogits).toExponential(2)})`);
  });
  afterAll(async () => {
    await gpu?.dispose();
    await wasm?.dispose();
  });

  it('runs on WebGPU in that dtype, and its self-check against wasm passes', () => {
    expect(gpu.info.backend).toBe('webgpu');
    expect(gpu.info.dtype).toBe(dtype);
    expect(gpu.info.fallbacks).toEqual([]);
    expect(gpu.info.runtime?.fidelity).toMatchObject({ ok: true, collapsed: false });
    expect(gpu.info.runtime?.tablesInPieces).toEqual([{ name: 'roberta.embeddings.word_embeddings.weight', pieces: dtype === 'fp32' || dtype === 'q4' ? 8 : 4 }]);
    expect(wasm.info.runtime?.tablesInPieces).toEqual([]);
  });

  it('agrees with the Float64 reference and with wasm on the same file', () => {
    expect(maxAbsDiff(gpuLogits, referenceLogits)).toBeLessThanOrEqual(tolerance.vsReference);
    expect(maxAbsDiff(gpuLogits, wasmLogits)).toBeLessThanOrEqual(tolerance.vsWasm);
  });

  it('gives different documents different scores, ordered as wasm orders them', () => {
    // transformers.js #1181: the same score for every document on WebGPU.
    expect(new Set(gpuLogits.map((x) => x.toFixed(4))).size).toBeGreaterThan(DOCUMENTS.length / 2);
    for (let i = 0; i < DOCUMENTS.length; i++) {
      for (let j = 0; j < DOCUMENTS.length; j++) {
        if (wasmLogits[i] - wasmLogits[j] > 2 * tolerance.vsWasm) expect(gpuLogits[i], `${i} vs ${j}`).toBeGreaterThan(gpuLogits[j]);
      }
    }
  });

  it('scores a pair the same alone, in any batch size, position and padding', async () => {
    // Six pairs alone (each alone is a new shape, and shapes compile slowly on a CPU Vulkan driver), every pair in
    // batches of 5 (short rows padded to long ones) and in one batch in reverse order.
    const some = [0, 3, 6, 9, 12, 15];
    const alone = await gpu.score(some.map((i) => PAIRS[i]), { rawScores: true, batching: 'fixed', batchSize: 1 });
    const fixed5 = await raw(gpu, { batching: 'fixed', batchSize: 5 });
    const reversed = (await gpu.score([...PAIRS].reverse(), { rawScores: true, batching: 'fixed', batchSize: 16 })).reverse();
    const worst = Math.max(maxAbsDiff(alone, some.map((i) => gpuLogits[i])), maxAbsDiff(fixed5, gpuLogits),
      maxAbsDiff(reversed, gpuLogits));
    console.log(`${dtype}: alone, in batches of 5 and 16, reversed, padded or not, max |Δlogit| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(tolerance.batching);
  });
});

describe.skipIf(skipReason !== null)('a real device loss mid-run', () => {
  it('is recovered: the session is recreated, every pair is scored once, and info says where it runs now', async () => {
    const hooks: SessionHooks = {};
    const r = await createReranker({ model: { files: modelFiles() }, device: 'webgpu', dtype: 'fp32', selfCheck: false }, { hooks });
    try {
      const gpuDevice = (await Promise.resolve((ort.env.webgpu as unknown as { device: unknown }).device)) as { destroy(): void };
      const infos: string[] = [];
      r.onInfoChange((info) => infos.push(info.backend));
      let destroyed = false;
      hooks.beforeRun = ({ runIndex, device }) => {
        // Run 0 is the warm-up; destroy the GPU device at the third batch of the call below.
        if (device === 'webgpu' && runIndex === 3 && !destroyed) {
          destroyed = true;
          gpuDevice.destroy();
        }
      };
      const records: BatchRecord[] = [];
      const scores = await r.score(PAIRS, { rawScores: true, batching: 'fixed', batchSize: 4, onBatch: (b) => records.push(b) });
      expect(destroyed).toBe(true);
      expect(records.reduce((n, b) => n + b.ownPairs, 0)).toBe(PAIRS.length);
      const recovered = records.flatMap((b) => b.events ?? []).filter((e) => e.type === 'recovered');
      expect(recovered).toHaveLength(1);
      console.log(`device destroyed at run 3: recovered from ${recovered[0].from} to ${recovered[0].to} ` +
        `(${recovered[0].type === 'recovered' ? recovered[0].reason : ''}); info.backend now ${r.info.backend}`);
      expect(r.info.backend).toBe(recovered[0].to);
      expect(infos).toEqual(recovered[0].to === 'webgpu' ? [] : [recovered[0].to]);
      expect(maxAbsDiff(scores, referenceLogits)).toBeLessThanOrEqual(1e-4);
      // Still usable afterwards.
      expect(await r.score([PAIRS[0]], { rawScores: true })).toHaveLength(1);
    } finally {
      await r.dispose();
    }
  });
});
