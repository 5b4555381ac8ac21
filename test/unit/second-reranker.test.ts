/**
 * A second `Reranker` (test/helpers/keyword-reranker.ts: word overlap, no onnxruntime) written on the ranking module:
 * it checks and ranks exactly as the onnxruntime reranker does, chunks through the same pooling, and the worker
 * serves it unchanged. If the contract leaked onnxruntime, this file would not compile or these would fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReranker, type Reranker } from '../../src/lib/index.ts';
import { createWorkerReranker, type WorkerReranker } from '../../src/worker/client.ts';
import { fakeWorker } from '../helpers/fake-worker.ts';
import { KeywordReranker } from '../helpers/keyword-reranker.ts';
import { demoFiles } from '../helpers/models.ts';

const limits = { maxDocuments: 3, maxTotalCharacters: 10_000 };
const DOCS = ['Berlin is in Germany.', 'Paris is the capital of France.', 'France has a capital.'];

/** What a call threw, as name and message, or 'ok'. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('a second Reranker on the ranking module', () => {
  let onnx: Reranker;
  beforeAll(async () => {
    onnx = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32', limits });
  }, 120_000);
  afterAll(async () => {
    await onnx?.dispose();
  });

  it('ranks by score, ties by input order, with topK and returnDocuments', async () => {
    const results = await new KeywordReranker().rerank('capital of France', DOCS, { topK: 2, returnDocuments: true });
    expect(results.map((r) => [r.index, r.document])).toEqual([[1, DOCS[1]], [2, DOCS[2]]]);
    expect(results[0].score).toBeCloseTo(1 / (1 + Math.exp(-4)), 12); // every query word present
    expect(results[0].score).toBeGreaterThan(results[1].score);
  });

  it('refuses bad calls with the same error and message as the onnxruntime reranker', async () => {
    const keyword = new KeywordReranker(200, limits);
    const badRerankCalls: [unknown, unknown, unknown][] = [
      ['', DOCS, {}], ['q', 'not an array', {}], ['q', [], {}], ['q', ['a', 'b', 'c', 'd'], {}], ['q', ['a', 7], {}],
      ['q', DOCS, { topK: 0 }], ['q', DOCS, { longDocuments: 'summarize' }], ['q', DOCS, null], ['q', ['x'.repeat(10_001)], {}],
    ];
    for (const [query, documents, options] of badRerankCalls) {
      const rerank = (r: Reranker) => () => r.rerank(query as string, documents as string[], options as object);
      const expected = await outcome(rerank(onnx));
      expect(expected).toMatch(/^InputError: /);
      expect(await outcome(rerank(keyword)), expected).toBe(expected);
    }
    for (const pairs of [[], [['q']], [['q', 3]], 'pairs', [['q', 'a'], ['q', 'b'], ['q', 'c'], ['q', 'd']]]) {
      const score = (r: Reranker) => () => r.score(pairs as [string, string][]);
      const expected = await outcome(score(onnx));
      expect(expected).toMatch(/^InputError: /);
      expect(await outcome(score(keyword)), expected).toBe(expected);
    }
  });

  it("longDocuments 'chunk': the best window wins, and its offsets point at the text that scored", async () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(20); // 540 characters without a query word
    const long = `${filler}Paris is the capital of France. ${filler}`;
    const keyword = new KeywordReranker(100);
    const [chunked] = await keyword.rerank('capital of France', [long], { longDocuments: 'chunk' });
    expect(chunked.window).toBeDefined();
    const scored = long.slice(chunked.window!.start, chunked.window!.end);
    expect(scored).toContain('capital');
    expect(chunked.score).toBeGreaterThan(0.5);
    const [truncated] = await keyword.rerank('capital of France', [long]);
    expect(truncated).toMatchObject({ truncated: true });
    expect(truncated.window).toBeUndefined();
    expect(truncated.score).toBeLessThan(0.5); // its first 100 characters hold no query word
  });

  describe('served by the worker unchanged', () => {
    let worker: ReturnType<typeof fakeWorker>;
    let remote: WorkerReranker;
    beforeAll(async () => {
      worker = fakeWorker(async () => new KeywordReranker());
      remote = await createWorkerReranker({ endpoint: worker.endpoint, model: 'keyword-overlap' });
    });
    afterAll(() => worker?.close());

    it('gives the same info and results as the reranker in this thread, and its errors by name', async () => {
      expect(remote.info).toMatchObject({ backend: 'keywords', runtime: null, modelId: 'keyword-overlap' });
      const local = new KeywordReranker();
      const options = { returnDocuments: true, longDocuments: 'chunk' as const };
      expect(await remote.rerank('capital of France', DOCS, options)).toEqual(await local.rerank('capital of France', DOCS, options));
      expect(await remote.score([['capital', 'the capital'], ['capital', 'a city']])).toEqual(
        await local.score([['capital', 'the capital'], ['capital', 'a city']]));
      expect(await outcome(() => remote.rerank('', DOCS))).toBe(await outcome(() => local.rerank('', DOCS)));
      await remote.dispose();
      expect(await outcome(() => remote.rerank('q', DOCS))).toMatch(/^DisposedError: /);
    });
  });
});
