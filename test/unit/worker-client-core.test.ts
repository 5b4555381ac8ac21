/**
 * The client over the real core through a fake worker (a MessageChannel in this process): the same results as the
 * in-thread core, chunk windows included, and many concurrent calls with cancellations each getting their own scores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReranker, type Reranker } from '../../src/lib/index.ts';
import { createWorkerReranker, type WorkerReranker } from '../../src/worker/client.ts';
import { fakeWorker } from '../helpers/fake-worker.ts';
import { demoFiles } from '../helpers/models.ts';

describe('client over the real core', () => {
  let worker: ReturnType<typeof fakeWorker>;
  let remote: WorkerReranker;
  let local: Reranker;

  beforeAll(async () => {
    worker = fakeWorker(createReranker);
    remote = await createWorkerReranker({ endpoint: worker.endpoint, model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32' });
    local = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32' });
  });
  afterAll(async () => {
    await remote?.dispose();
    await local?.dispose();
    worker?.close();
  });

  it('gives the same results as the in-thread core', async () => {
    const docs = ['Paris is the capital of France.', 'Berlin is in Germany.', '腾讯成立于1998年11月', 'the'];
    const a = await remote.rerank('capital of France', docs, { returnDocuments: true });
    const b = await local.rerank('capital of France', docs, { returnDocuments: true });
    expect(a).toEqual(b);
    expect(remote.info.backend).toBe('wasm');
    expect((await remote.memory()).gpuBufferBytes).toBeNull();
  });

  it("longDocuments 'chunk': each result's scored window crosses the worker, as the core gives it", async () => {
    const sentence = (i: number) => `Sentence ${i} talks about ${i % 7 === 3 ? 'the capital of France, Paris' : 'something else entirely'}.`;
    const long = Array.from({ length: 120 }, (_, i) => sentence(i)).join(' ');
    const docs = ['Berlin is in Germany.', long, `${long} ${long}`];
    const options = { longDocuments: 'chunk', returnDocuments: true } as const;
    const a = await remote.rerank('capital of France', docs, options);
    const b = await local.rerank('capital of France', docs, options);
    expect(a).toEqual(b);
    for (const result of a) {
      expect(result.window, `document ${result.index}`).toBeDefined();
      const { start, end } = result.window!;
      expect(0 <= start && start < end && end <= docs[result.index].length).toBe(true);
    }
    const longest = a.find((r) => r.index === 2)!;
    expect(longest.window!.end - longest.window!.start).toBeLessThan(docs[2].length); // a window, not the whole text
    expect(worker.transfers.filter((t) => t.type === 'rerank').at(-1)!.transferred).toBe(4); // the windows' buffer too
    const truncated = await remote.rerank('capital of France', docs);
    expect(truncated.every((r) => r.window === undefined)).toBe(true);
  });

  it('300 concurrent calls through the worker, a third cancelled, each get their own correct scores', async () => {
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa'.split(' ');
    const calls = Array.from({ length: 300 }, (_, i) => {
      const docs = Array.from({ length: 1 + (i % 4) }, (_, k) => words.slice(0, 1 + ((i * 7 + k * 3) % 10)).join(' ') + ` ${i}`);
      const controller = new AbortController();
      if (i % 3 === 0) setTimeout(() => controller.abort(), (i * 13) % 40);
      return { docs, query: `query ${i % 5}`, controller, promise: remote.rerank(`query ${i % 5}`, docs, { signal: controller.signal, rawScores: true }) };
    });
    const settled = await Promise.allSettled(calls.map((c) => c.promise));
    let checked = 0;
    for (const [i, outcome] of settled.entries()) {
      if (outcome.status === 'rejected') {
        expect(calls[i].controller.signal.aborted).toBe(true);
        expect((outcome.reason as Error).name).toBe('AbortError');
        continue;
      }
      if (checked < 40) {
        const expected = await local.rerank(calls[i].query, calls[i].docs, { rawScores: true, batchSize: 1, batching: 'fixed' });
        expect(outcome.value.map((r) => r.index)).toEqual(expected.map((r) => r.index));
        outcome.value.forEach((r, k) => expect(Math.abs(r.score - expected[k].score)).toBeLessThan(1e-5));
        checked++;
      }
    }
    expect(checked).toBe(40);
    expect(settled.filter((s) => s.status === 'fulfilled').length).toBeGreaterThanOrEqual(200);
  });
});
