/**
 * Compact embeddings in a real Chromium (Debian's; WebGPU through SwiftShader): the committed compact demo folders
 * (XLM-R and BERT; q4 and q4f16 with 4-bit word and position tables looked up in standard ONNX ops) load and score on
 * wasm and on WebGPU through the core page, WebGPU within 1e-4 of wasm for q4 (fp32 arithmetic on both), and the
 * wasm scores within 1e-4 of Node's wasm on the same file.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_COMPACT_BERT_MODEL, DEMO_COMPACT_MODEL } from '../../scripts/model/demo.ts';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { createReranker } from '../../src/lib/index.ts';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';
import { folderFiles } from '../helpers/bert.ts';
import { chromiumSkipReason, openBrowserEnv, type BrowserEnv } from '../../tools/browser/harness.ts';
import type { ScoreRequest, ScoreResult } from '../../tools/pages/core-page.ts';

const PAIRS: [string, string][] = [
  ...SEED_PAIRS.map(([q, d]): [string, string] => [q, d]),
  ['what is the capital of France?', 'Paris is the capital and largest city of France.'],
  ['what is the capital of France?', 'Berlin is the capital of Germany.'],
  ['how do cross-encoders rerank documents?', 'A cross-encoder reads the query and the document together.'],
];
const BATCH = { batchSize: 4, batching: 'fixed' as const };
const TOLERANCE = 1e-4;
/** Four loads and a Node run: ≈ 60 s on a busy 2-core machine, so generous. */
const LOAD_TIMEOUT_MS = 300_000;

const MODELS = [
  { name: 'XLM-R', dir: DEMO_COMPACT_MODEL.out, url: '/models/tiny-random-bge-reranker-compact/' },
  { name: 'BERT', dir: DEMO_COMPACT_BERT_MODEL.out, url: '/models/tiny-random-bert-reranker-compact/' },
] as const;

const skip = chromiumSkipReason();

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

describe.skipIf(skip !== null)('compact embeddings in Chromium', () => {
  let env: BrowserEnv;
  let page: Page;

  beforeAll(async () => {
    env = await openBrowserEnv();
    page = await env.open('tools/pages/core.html', { ready: 'coreReady', timeoutMs: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  }, 120_000);

  afterEach((context) => {
    if (context.task.result?.state === 'fail' && env) console.log(env.dumpLogs());
  });

  const score = (request: ScoreRequest): Promise<ScoreResult> => page.evaluate((r) => window.scoreWith(r), request);

  async function nodeLogits(dir: string, dtype: 'q4' | 'q4f16'): Promise<number[]> {
    const files = folderFiles(path.resolve(dir), ['config.json', 'tokenizer.json', 'tokenizer_config.json', ONNX_FILE_BY_DTYPE[dtype]]);
    const node = await createReranker({ model: { files }, device: 'wasm', dtype });
    try {
      return await node.score(PAIRS, { rawScores: true });
    } finally {
      await node.dispose();
    }
  }

  for (const model of MODELS) {
    it(`${model.name} q4: wasm and WebGPU load the 4-bit tables and agree within ${TOLERANCE}, and with Node`, async () => {
      const request = { dtype: 'q4' as const, pairs: PAIRS, rawScores: true, modelUrl: model.url, ...BATCH };
      const wasm = await score({ ...request, device: 'wasm' });
      const gpu = await score({ ...request, device: 'webgpu' });
      expect(wasm.info).toMatchObject({ backend: 'wasm', dtype: 'q4' });
      expect(gpu.info.fallbacks.filter((f) => f.from === 'webgpu'), JSON.stringify(gpu.info.fallbacks)).toEqual([]);
      expect(gpu.info).toMatchObject({ backend: 'webgpu', dtype: 'q4' });
      for (const info of [wasm.info, gpu.info]) expect(info.embeddings).toMatchObject({ format: 'block-quantized', bits: 4 });
      expect(gpu.info.runtime?.fidelity?.ok).toBe(true);
      expect(new Set(wasm.scores.map((s) => s.toFixed(6))).size).toBeGreaterThan(PAIRS.length / 2);
      const diff = maxAbsDiff(gpu.scores, wasm.scores);
      const vsNode = maxAbsDiff(wasm.scores, await nodeLogits(model.dir, 'q4'));
      console.log(`[compact ${model.name} q4] max |webgpu - wasm| ${diff.toExponential(2)}, |Chromium wasm - Node| ` +
        `${vsNode.toExponential(2)} (load: webgpu ${gpu.info.loadMs.toFixed(0)} ms, wasm ${wasm.info.loadMs.toFixed(0)} ms)`);
      expect(diff).toBeLessThan(TOLERANCE);
      expect(vsNode).toBeLessThan(TOLERANCE);
    }, LOAD_TIMEOUT_MS);

    it(`${model.name} q4f16 on wasm: loads the 4-bit tables and scores as Node does`, async () => {
      const wasm = await score({ dtype: 'q4f16', device: 'wasm', pairs: PAIRS, rawScores: true, modelUrl: model.url, ...BATCH });
      expect(wasm.info).toMatchObject({ backend: 'wasm', dtype: 'q4f16' });
      expect(wasm.info.embeddings).toMatchObject({ format: 'block-quantized', bits: 4 });
      expect(maxAbsDiff(wasm.scores, await nodeLogits(model.dir, 'q4f16'))).toBeLessThan(TOLERANCE);
    }, LOAD_TIMEOUT_MS);
  }

  it('left no page errors and no Vite reloads', () => {
    expect(env.problems(), env.dumpLogs()).toEqual([]);
  });
});
