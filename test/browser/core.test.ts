/**
 * The reranker core in a real Chromium (Debian's, WebGPU through SwiftShader): WebGPU and wasm agree, and the
 * backend and dtype choices fall back with their reasons recorded. Runs under the Vite dev server.
 *
 * The page runs the core in its main thread, so all its rerankers share one onnxruntime (asyncify) wasm instance, and
 * a vitest timeout does not stop a `page.evaluate`. A WebGPU session created while an earlier test's timed-out WebGPU
 * run is still suspended in that instance traps ("memory access out of bounds") and leaves the page unusable, so
 * each test waits, after it ends, for what it started in the page to finish.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createReranker } from '../../src/lib/index.ts';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';
import { DEMO_BERT_DIR, folderFiles, FP32_FILES } from '../helpers/bert.ts';
import { chromiumSkipReason, openBrowserEnv, type BrowserEnv } from '../../tools/browser/harness.ts';
import type { AdapterProbe, ScoreRequest, ScoreResult } from '../../tools/pages/core-page.ts';

const PAIRS: [string, string][] = [
  ...SEED_PAIRS.map(([q, d]): [string, string] => [q, d]),
  ['what is the capital of France?', 'Paris is the capital and largest city of France.'],
  ['what is the capital of France?', 'Berlin is the capital of Germany.'],
  ['how do cross-encoders rerank documents?', 'A cross-encoder reads the query and the document together and outputs one relevance logit.'],
  ['how do cross-encoders rerank documents?', 'Bananas are rich in potassium.'],
  ['when was the transistor invented?', 'The first working transistor was built at Bell Labs in 1947.'],
  ['short', 'x'],
];
/** Fixed batches of 4 over 16 pairs: four batches, so batching and padding across batches are exercised too. */
const BATCH = { batchSize: 4, batching: 'fixed' as const };
const TOLERANCE = 1e-4;
/** SwiftShader's WebGPU is ~50× slower than wasm: 25-31 s for the fp32 comparison on an idle 2-core machine. */
const MODEL_TEST_TIMEOUT = 600_000;

const skip = chromiumSkipReason();


function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

describe.skipIf(skip !== null)('reranker core in Chromium', () => {
  let env: BrowserEnv;
  let page: Page;
  let adapter: AdapterProbe;

  beforeAll(async () => {
    env = await openBrowserEnv();
    page = await env.open('tools/pages/core.html', { ready: 'coreReady', timeoutMs: 60_000 });
    adapter = await page.evaluate(() => window.probeAdapter());
    console.log(`WebGPU adapter: ${JSON.stringify(adapter.adapter && { ...adapter.adapter, limits: undefined })}` +
      `${adapter.error ? ` (${adapter.error})` : ''}`);
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  }, 120_000);

  /** The last call into the page, settled or not: a test that timed out leaves it running. */
  let inPage: Promise<unknown> = Promise.resolve();

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && env) console.log(env.dumpLogs());
    await inPage;
  }, MODEL_TEST_TIMEOUT);

  async function score(request: ScoreRequest): Promise<ScoreResult> {
    const run = page.evaluate((r) => window.scoreWith(r), request);
    inPage = run.catch(() => undefined);
    return run;
  }

  /** Forced WebGPU must really run on WebGPU: a silent fallback to wasm would make the comparison meaningless. */
  function expectOnWebGpu(result: ScoreResult): void {
    const gpuFallbacks = result.info.fallbacks.filter((f) => f.from === 'webgpu');
    expect(gpuFallbacks, `WebGPU fell back: ${gpuFallbacks.map((f) => f.reason).join('; ')}`).toEqual([]);
    expect(result.info.backend).toBe('webgpu');
    for (const b of result.batches) expect(b.backend).toBe('webgpu');
  }

  it('finds a WebGPU adapter (needs --enable-unsafe-webgpu and a page on 127.0.0.1)', () => {
    expect(adapter.hasNavigatorGpu, 'navigator.gpu is missing').toBe(true);
    expect(adapter.adapter, adapter.error).not.toBeNull();
  });

  for (const dtype of ['fp32', 'q8', 'q4'] as const) {
    it(`${dtype}: forced webgpu and wasm give the same logits within ${TOLERANCE}`, async () => {
      const request = { dtype, pairs: PAIRS, rawScores: true, ...BATCH };
      const wasm = await score({ ...request, device: 'wasm' });
      const gpu = await score({ ...request, device: 'webgpu' });

      expect(wasm.info.backend).toBe('wasm');
      expectOnWebGpu(gpu);
      expect(wasm.info.dtype).toBe(dtype);
      expect(gpu.info.dtype).toBe(dtype);
      expect(gpu.batches.length).toBe(Math.ceil(PAIRS.length / BATCH.batchSize));
      expect(gpu.scores.every(Number.isFinite)).toBe(true);
      // Logits of a random model are small; a constant output would make the comparison vacuous.
      expect(new Set(wasm.scores.map((s) => s.toFixed(6))).size).toBeGreaterThan(PAIRS.length / 2);

      const diff = maxAbsDiff(gpu.scores, wasm.scores);
      console.log(`[${dtype}] max |webgpu - wasm| logit difference over ${PAIRS.length} pairs: ${diff.toExponential(2)} ` +
        `(run: webgpu ${gpu.runMs.toFixed(0)} ms, wasm ${wasm.runMs.toFixed(0)} ms; ` +
        `load: webgpu ${gpu.info.loadMs.toFixed(0)} ms, wasm ${wasm.info.loadMs.toFixed(0)} ms)`);
      expect(diff).toBeLessThan(TOLERANCE);
    }, MODEL_TEST_TIMEOUT);
  }

  it('a BERT cross-encoder (token types, WordPiece): wasm and WebGPU in Chromium agree with Node within 1e-4', async () => {
    const modelUrl = '/models/tiny-random-bert-reranker/';
    const node = await createReranker({ model: { files: folderFiles(DEMO_BERT_DIR, FP32_FILES) }, device: 'wasm', dtype: 'fp32' });
    const expected = await node.score(PAIRS, { rawScores: true });
    await node.dispose();
    for (const dtype of ['fp32', 'q4'] as const) {
      const request = { dtype, pairs: PAIRS, rawScores: true, modelUrl, ...BATCH };
      const wasm = await score({ ...request, device: 'wasm' });
      const gpu = await score({ ...request, device: 'webgpu' });
      expectOnWebGpu(gpu);
      expect(gpu.info.architecture).toBe('BertForSequenceClassification');
      expect(new Set(wasm.scores.map((s) => s.toFixed(6))).size).toBeGreaterThan(PAIRS.length / 2);
      const diff = maxAbsDiff(gpu.scores, wasm.scores);
      const vsNode = dtype === 'fp32' ? maxAbsDiff(wasm.scores, expected) : NaN;
      console.log(`[BERT ${dtype}] max |webgpu - wasm| ${diff.toExponential(2)}` +
        `${dtype === 'fp32' ? `, max |Chromium wasm - Node| ${vsNode.toExponential(2)}` : ''}`);
      expect(diff).toBeLessThan(TOLERANCE);
      if (dtype === 'fp32') expect(vsNode).toBeLessThan(TOLERANCE);
    }
  }, MODEL_TEST_TIMEOUT);

  it("device 'auto' avoids a software adapter and says why", async () => {
    const result = await score({ device: 'auto', dtype: 'fp32', pairs: PAIRS.slice(0, 4) });
    expect(result.scores.every((s) => s > 0 && s < 1)).toBe(true);
    expect(result.info.runtime?.adapter).not.toBeNull();
    if (adapter.adapter?.isFallbackAdapter) {
      expect(result.info.runtime?.adapter?.isFallbackAdapter).toBe(true);
      expect(result.info.backend).toBe('wasm');
      const reasons = result.info.fallbacks.filter((f) => f.from === 'webgpu' && f.to === 'wasm').map((f) => f.reason);
      expect(reasons.length, JSON.stringify(result.info.fallbacks)).toBeGreaterThan(0);
      expect(reasons.join(' ')).toMatch(/software|fallback/i);
    } else {
      // A real GPU: auto must use it.
      expect(result.info.backend).toBe('webgpu');
    }
  }, MODEL_TEST_TIMEOUT);

  it('fp16 on WebGPU without shader-f16 falls back to fp32, says why, and still scores', async () => {
    const request = { dtype: 'fp16' as const, pairs: PAIRS, rawScores: true, ...BATCH };
    const result = await score({ ...request, device: 'webgpu' });
    expectOnWebGpu(result);
    expect(result.scores.every(Number.isFinite)).toBe(true);
    if (adapter.adapter?.features.includes('shader-f16')) {
      expect(result.info.dtype).toBe('fp16');
      return;
    }
    expect(result.info.dtype).toBe('fp32');
    const fallback = result.info.fallbacks.find((f) => f.from === 'fp16');
    expect(fallback, JSON.stringify(result.info.fallbacks)).toBeDefined();
    expect(fallback!.to).toBe('fp32');
    expect(fallback!.reason).toMatch(/shader-f16/);
    // It ran the fp32 model, so it must agree with fp32 on wasm.
    const wasm = await score({ ...request, dtype: 'fp32', device: 'wasm' });
    expect(maxAbsDiff(result.scores, wasm.scores)).toBeLessThan(TOLERANCE);
  }, MODEL_TEST_TIMEOUT);

  it('left no page errors and no Vite reloads', () => {
    expect(env.problems(), env.dumpLogs()).toEqual([]);
  });
});
