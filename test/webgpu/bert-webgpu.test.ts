/**
 * The WebGPU tier for a BERT cross-encoder (the committed tiny BERT demo model: token_type_ids, pooler, WordPiece):
 * fp16 and q4f16, the half-precision dtypes WebGPU picks with shader-f16, against wasm on the same file and against
 * wasm fp32. Same adapter and skip rules as webgpu.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDawn } from '../../scripts/webgpu/dawn.ts';
import { createReranker } from '../../src/lib/runtime/load.ts';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import type { Reranker } from '../../src/lib/types.ts';
import { maxAbsDiff } from '../helpers/models.ts';
import { BERT_DOCUMENTS, BERT_QUERY, DEMO_BERT_DIR, folderFiles } from '../helpers/bert.ts';

const install = await installDawn();
const skipReason = !install.adapter ? install.reason! : !install.adapter.shaderF16 ? 'the WebGPU adapter lacks shader-f16' : null;
const modelFiles = () => folderFiles(DEMO_BERT_DIR, ['config.json', 'tokenizer.json', 'tokenizer_config.json',
  ...Object.values(ONNX_FILE_BY_DTYPE)]);

const QUERY = BERT_QUERY;
const DOCUMENTS = [
  ...BERT_DOCUMENTS,
  ...Array.from({ length: 7 }, (_, i) => 'bamboo forest panda sleep climb eat '.repeat(1 + i * 6).trim()),
];
const PAIRS = DOCUMENTS.map((d) => [QUERY, d] as const);

/** fp16 rounding over 2 layers (see webgpu.test.ts): the same bounds as the XLM-R model's. */
const TOLERANCE = { vsWasm: 0.02, vsFp32: 0.5, batching: 0.01 };

let fp32Logits: number[];

beforeAll(async () => {
  if (skipReason) return;
  const wasm = await createReranker({ model: { files: modelFiles() }, device: 'wasm', dtype: 'fp32' });
  fp32Logits = await wasm.score(PAIRS, { rawScores: true });
  await wasm.dispose();
});

describe.skipIf(skipReason !== null).each(['fp16', 'q4f16'] as const)('BERT %s on WebGPU', (dtype) => {
  let gpu: Reranker;
  let gpuLogits: number[];
  let wasmLogits: number[];

  beforeAll(async () => {
    gpu = await createReranker({ model: { files: modelFiles() }, device: 'webgpu', dtype });
    const wasm = await createReranker({ model: { files: modelFiles() }, device: 'wasm', dtype });
    gpuLogits = await gpu.score(PAIRS, { rawScores: true });
    wasmLogits = await wasm.score(PAIRS, { rawScores: true });
    await wasm.dispose();
    console.log(`BERT ${dtype}: max |Δlogit| vs wasm on the same file ${maxAbsDiff(gpuLogits, wasmLogits).toExponential(2)}, ` +
      `vs wasm fp32 ${maxAbsDiff(gpuLogits, fp32Logits).toExponential(2)}`);
  });
  afterAll(async () => {
    await gpu?.dispose();
  });

  it('runs on WebGPU in that dtype, its self-check passes, and it agrees with wasm', () => {
    expect(gpu.info).toMatchObject({ backend: 'webgpu', dtype, fallbacks: [], architecture: 'BertForSequenceClassification' });
    expect(gpu.info.runtime?.fidelity).toMatchObject({ ok: true, collapsed: false });
    expect(maxAbsDiff(gpuLogits, wasmLogits)).toBeLessThanOrEqual(TOLERANCE.vsWasm);
    expect(maxAbsDiff(gpuLogits, fp32Logits)).toBeLessThanOrEqual(TOLERANCE.vsFp32);
    expect(new Set(gpuLogits.map((x) => x.toFixed(4))).size).toBeGreaterThan(DOCUMENTS.length / 2);
  });

  it('scores a pair the same in batches of 1 and 5 as in one batch', async () => {
    const some = [0, 4, 8];
    const alone = await gpu.score(some.map((i) => PAIRS[i]), { rawScores: true, batching: 'fixed', batchSize: 1 });
    const fixed5 = await gpu.score(PAIRS, { rawScores: true, batching: 'fixed', batchSize: 5 });
    const worst = Math.max(maxAbsDiff(alone, some.map((i) => gpuLogits[i])), maxAbsDiff(fixed5, gpuLogits));
    console.log(`BERT ${dtype}: alone and in batches of 5, max |Δlogit| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(TOLERANCE.batching);
  });
});
