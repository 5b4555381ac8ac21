/**
 * The WebGPU tier for compact embeddings: the committed compact demo folders (XLM-R and BERT, q4 and q4f16 with 4-bit
 * word and position tables looked up in standard ONNX ops) on onnxruntime-web's WebGPU execution provider (Dawn +
 * lavapipe, scripts/webgpu/dawn.ts), against wasm on the same file (the self-check's reference too) and against the
 * same dtype with float tables. Same adapter and skip rules as webgpu.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDawn } from '../../scripts/webgpu/dawn.ts';
import { DEMO_BERT_MODEL, DEMO_COMPACT_BERT_MODEL, DEMO_COMPACT_MODEL, DEMO_MODEL } from '../../scripts/model/demo.ts';
import { makeModel } from '../../scripts/model/write-model.ts';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { createReranker } from '../../src/lib/runtime/load.ts';
import type { Reranker } from '../../src/lib/types.ts';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';
import { BERT_DOCUMENTS, BERT_QUERY, folderFiles } from '../helpers/bert.ts';
import { maxAbsDiff } from '../helpers/models.ts';

const install = await installDawn();
const skipReason = !install.adapter ? install.reason! : !install.adapter.shaderF16 ? 'the WebGPU adapter lacks shader-f16' : null;

const XLMR_PAIRS: (readonly [string, string])[] = [
  ...SEED_PAIRS.map(([q, d]) => [q, d] as const),
  ['how does a cross-encoder rerank documents?', 'A cross-encoder reads the query and the document together.'],
  ['how does a cross-encoder rerank documents?', 'retrieval ranking query document '.repeat(12).trim()],
];
const BERT_PAIRS = BERT_DOCUMENTS.map((d) => [BERT_QUERY, d] as const);

/**
 * Largest |Δlogit| (tiny models, logits of order 1): vsWasm as webgpu.test.ts bounds q4 (fp32 on both) and q4f16
 * (half precision on the GPU only); vsFloatTables the 4-bit tables' own cost, as the Node test measures it (≤ 0.27).
 */
const TOLERANCE = {
  q4: { vsWasm: 1e-4, vsFloatTables: 0.4 },
  q4f16: { vsWasm: 0.02, vsFloatTables: 0.4 },
} as const;

const MODELS = [
  { name: 'XLM-R', dir: path.resolve(DEMO_COMPACT_MODEL.out), floatDir: path.resolve(DEMO_MODEL.out), pairs: XLMR_PAIRS },
  { name: 'BERT', dir: path.resolve(DEMO_COMPACT_BERT_MODEL.out), floatDir: path.resolve(DEMO_BERT_MODEL.out), pairs: BERT_PAIRS },
] as const;

const filesOf = (dir: string, dtype: 'q4' | 'q4f16') =>
  folderFiles(dir, ['config.json', 'tokenizer.json', 'tokenizer_config.json', ONNX_FILE_BY_DTYPE[dtype]]);

describe.skipIf(skipReason !== null).each(MODELS.flatMap((m) => (['q4', 'q4f16'] as const).map((dtype) => ({ ...m, dtype }))))(
  'compact $name $dtype on WebGPU', ({ dir, floatDir, pairs, dtype }) => {
    let gpu: Reranker;
    let gpuLogits: number[];
    let wasmLogits: number[];
    let floatTableLogits: number[];

    beforeAll(async () => {
      gpu = await createReranker({ model: { files: filesOf(dir, dtype) }, device: 'webgpu', dtype });
      gpuLogits = await gpu.score(pairs, { rawScores: true });
      for (const [target, folder] of [['wasm', dir], ['float', floatDir]] as const) {
        const wasm = await createReranker({ model: { files: filesOf(folder, dtype) }, device: 'wasm', dtype, selfCheck: false });
        const logits = await wasm.score(pairs, { rawScores: true });
        await wasm.dispose();
        if (target === 'wasm') wasmLogits = logits;
        else floatTableLogits = logits;
      }
      console.log(`compact ${dtype} on WebGPU: loaded in ${(gpu.info.loadMs / 1000).toFixed(1)} s (self-check max |Δ| ` +
        `${gpu.info.runtime?.fidelity?.maxDiff.toExponential(2)}); max |Δlogit| vs wasm ${maxAbsDiff(gpuLogits, wasmLogits).toExponential(2)}, ` +
        `vs float tables ${maxAbsDiff(gpuLogits, floatTableLogits).toFixed(3)}`);
    });
    afterAll(async () => {
      await gpu?.dispose();
    });

    it('loads on WebGPU with no fallback, reports the 4-bit tables, and passes its self-check against wasm', () => {
      expect(gpu.info).toMatchObject({ backend: 'webgpu', dtype, fallbacks: [] });
      expect(gpu.info.embeddings).toMatchObject({ format: 'block-quantized', bits: 4, blockSize: 32 });
      expect(gpu.info.runtime?.fidelity?.ok).toBe(true);
    });

    it('gives the logits wasm gives for the same file, and stays near the float tables', () => {
      expect(gpuLogits.every(Number.isFinite)).toBe(true);
      expect(Math.max(...gpuLogits) - Math.min(...gpuLogits)).toBeGreaterThan(0.05);
      expect(maxAbsDiff(gpuLogits, wasmLogits)).toBeLessThanOrEqual(TOLERANCE[dtype].vsWasm);
      expect(maxAbsDiff(gpuLogits, floatTableLogits)).toBeLessThanOrEqual(TOLERANCE[dtype].vsFloatTables);
    });
  });

// onnxruntime's own 4-bit embeddings (com.microsoft.GatherBlockQuantized, what its quantizer writes) have a WebGPU
// kernel and no wasm one, so the self-check cannot build its wasm reference: the reranker loads, and says so.
describe.skipIf(skipReason !== null)('a GatherBlockQuantized compact file on WebGPU', () => {
  let gbq: Reranker;
  let out: string;

  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'compact-gbq-'));
    makeModel({ ...DEMO_COMPACT_MODEL, dtypes: ['q4'], out, embeddingLookup: 'gather-block-quantized' });
  });
  afterAll(async () => {
    await gbq?.dispose();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('loads with its self-check not run and named in the notes, and scores as the standard-ops file does', async () => {
    gbq = await createReranker({ model: { files: filesOf(out, 'q4') }, device: 'webgpu', dtype: 'q4' });
    expect(gbq.info).toMatchObject({ backend: 'webgpu', dtype: 'q4', fallbacks: [] });
    expect(gbq.info.embeddings).toMatchObject({ format: 'block-quantized', lookup: expect.stringMatching(/^com\.microsoft\.GatherBlockQuantized/) });
    expect(gbq.info.runtime?.fidelity).toBeNull();
    expect(gbq.info.notes.find((n) => n.startsWith('self-check not run'))).toMatch(
      /^self-check not run: wasm cannot load this file as the reference \(.*GatherBlockQuantized.*\); scores on webgpu are unchecked$/);
    const unpack = await createReranker({ model: { files: filesOf(path.resolve(DEMO_COMPACT_MODEL.out), 'q4') }, device: 'webgpu', dtype: 'q4' });
    try {
      const [ours, standard] = [await gbq.score(XLMR_PAIRS, { rawScores: true }), await unpack.score(XLMR_PAIRS, { rawScores: true })];
      // The same 4-bit bytes and scales, looked up two ways.
      expect(maxAbsDiff(ours, standard)).toBeLessThanOrEqual(TOLERANCE.q4.vsWasm);
    } finally {
      await unpack.dispose();
    }
  });
});
