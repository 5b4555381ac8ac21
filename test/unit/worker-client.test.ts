/**
 * The protocol and the client over a fake worker (a MessageChannel in this process): the client is the same Reranker
 * as the core, errors keep their names, callbacks and cancellation cross the boundary, arrays move as transferables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, ModelLoadError, OutOfMemoryError, type BatchRecord, type LoadProgress, type Reranker, type RerankerInfo, type RerankerOptions } from '../../src/lib/index.ts';
import { serveReranker } from '../../src/worker/serve.ts';
import { fakeWorker, fakeWorkerWith } from '../helpers/fake-worker.ts';
import { createWorkerReranker, type WorkerReranker } from '../../src/worker/client.ts';
import type { Endpoint, Response } from '../../src/worker/protocol.ts';

/** A fake core: scores are the document lengths; a document "OOM" throws OutOfMemoryError; "slow" waits. */
const fakeCreate = async (options: RerankerOptions): Promise<Reranker> => {
  options.progress?.({ status: 'initiate', file: 'config.json' });
  options.progress?.({ status: 'done', file: 'config.json', bytes: 10, fromCache: false, overall: { loaded: 10, total: 10 } });
  const info = { backend: 'wasm', dtype: 'q8', files: [], loadMs: 1, maxLength: 512, fallbacks: [], notes: [],
    generated: true, modelId: 'fake', architecture: 'FakeForSequenceClassification', labels: 1,
    embeddings: { format: 'as-file' }, runtime: null } as const;
  options.progress?.({ status: 'ready', info: { ...info, files: [], fallbacks: [], notes: [] } });
  const score = async (docs: readonly string[], o: { signal?: AbortSignal; onBatch?: (r: BatchRecord) => void } = {}) => {
    for (const d of docs) {
      if (d === 'OOM') throw new OutOfMemoryError('wasm ran out of memory: injected');
      if (d === 'slow') await new Promise((r) => setTimeout(r, 200));
      if (o.signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    }
    o.onBatch?.({ index: 0, pairs: docs.length, ownPairs: docs.length, done: docs.length, total: docs.length, tokens: 1,
      paddedTokens: 1, sequenceLength: 1, tensors: [{ pairs: docs.length, sequenceLength: 1 }], tokenizeMs: 0, runMs: 1,
      totalMs: 1, pairsPerSecond: 1, backend: 'wasm' });
    if (docs.includes('SWITCH')) {
      current = { ...current, notes: ['switched'] };
      for (const listener of listeners) listener(current);
    }
    return docs.map((d) => d.length);
  };
  let current: RerankerInfo = { ...info, files: [], fallbacks: [], notes: [] };
  const listeners = new Set<(info: RerankerInfo) => void>();
  return {
    get info() {
      return current;
    },
    onInfoChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async rerank(query, documents, o = {}) {
      if (!query) throw new InputError('the query is empty');
      const s = await score(documents, o);
      return s.map((score, index) => ({ index, score, truncated: index === 0 })).sort((a, b) => b.score - a.score);
    },
    score: (pairs, o) => score(pairs.map(([, d]) => d), o),
    async dispose() {},
  };
};

describe('client over a fake worker', () => {
  let worker: ReturnType<typeof fakeWorker>;
  let reranker: WorkerReranker;
  const progress: LoadProgress[] = [];

  beforeAll(async () => {
    worker = fakeWorker(fakeCreate);
    reranker = await createWorkerReranker({ endpoint: worker.endpoint, progress: (e) => progress.push(e) });
  });
  afterAll(() => worker.close());

  it('forwards load progress and info', () => {
    expect(progress.map((e) => e.status)).toEqual(['initiate', 'done', 'ready']);
    expect(reranker.info.modelId).toBe('fake');
  });

  it('reranks with results mapped to the caller documents, which never travel back', async () => {
    const docs = ['a', 'bbb', 'cc'];
    const results = await reranker.rerank('q', docs, { returnDocuments: true });
    expect(results).toEqual([
      { index: 1, score: 3, truncated: false, document: 'bbb' },
      { index: 2, score: 2, truncated: false, document: 'cc' },
      { index: 0, score: 1, truncated: true, document: 'a' },
    ]);
    const reranked = worker.transfers.filter((t) => t.type === 'rerank').at(-1)!;
    expect(reranked.transferred).toBe(3); // indices, scores, truncated buffers
  });

  it('score() returns numbers in input order, transferred as one buffer, with batch records forwarded', async () => {
    const records: BatchRecord[] = [];
    expect(await reranker.score([['q', 'xx'], ['q', 'x']], { onBatch: (r) => records.push(r) })).toEqual([2, 1]);
    expect(records).toHaveLength(1);
    expect(worker.transfers.filter((t) => t.type === 'score').at(-1)!.transferred).toBe(1);
  });

  it('carries a change of the worker\'s info to the client, which replaces its info and tells listeners', async () => {
    const before = reranker.info;
    const seen: RerankerInfo[] = [];
    const stop = reranker.onInfoChange((info) => seen.push(info));
    await reranker.score([['q', 'SWITCH']]);
    stop();
    expect(seen.map((i) => i.notes)).toEqual([['switched']]);
    expect(reranker.info.notes).toEqual(['switched']);
    expect(before.notes).toEqual([]); // replaced, not mutated
  });

  it('re-throws worker errors as the same named classes', async () => {
    const input = (await reranker.rerank('', ['a']).catch((e: unknown) => e)) as Error;
    expect(input).toBeInstanceOf(InputError);
    expect(input.message).toBe('the query is empty');
    const oom = (await reranker.score([['q', 'OOM']]).catch((e: unknown) => e)) as Error;
    expect(oom).toBeInstanceOf(OutOfMemoryError);
    expect(oom.name).toBe('OutOfMemoryError');
    expect(oom.stack).toContain('OutOfMemoryError');
  });

  it('cancels across the boundary', async () => {
    const controller = new AbortController();
    const pending = reranker.score([['q', 'slow'], ['q', 'x']], { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = (await pending.catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('AbortError');
    expect(await reranker.score([['q', 'ok']])).toEqual([2]); // still usable
  });

  it('refuses work after dispose', async () => {
    const other = fakeWorker(fakeCreate);
    const r = await createWorkerReranker({ endpoint: other.endpoint });
    await r.dispose();
    await expect(r.rerank('q', ['a'])).rejects.toMatchObject({ name: 'DisposedError' });
    other.close();
  });
});

describe("the worker's load request", () => {
  /** Drives the adapter with raw protocol messages and collects its answers by request id. */
  function rawWorker(create: (options: RerankerOptions) => Promise<Reranker>) {
    const channel = new MessageChannel();
    serveReranker(channel.port2 as unknown as Endpoint, { create });
    const waiting = new Map<number, (response: Response) => void>();
    channel.port1.onmessage = (event: MessageEvent<Response>) => {
      if (event.data.type !== 'progress' && event.data.type !== 'batch' && event.data.type !== 'info') waiting.get(event.data.id)?.(event.data);
    };
    const send = (message: Record<string, unknown> & { id: number }) =>
      new Promise<Response>((resolve) => {
        waiting.set(message.id, resolve);
        channel.port1.postMessage(message);
      });
    return { send, close: () => channel.port1.close() };
  }

  it('creates the new reranker before disposing the old, and keeps the old one when the new load fails', async () => {
    const log: string[] = [];
    let made = 0;
    const create = async (options: RerankerOptions): Promise<Reranker> => {
      const name = `model ${++made}`;
      log.push(`create ${name}`);
      if (options.model === 'missing/model') throw new ModelLoadError('config.json is missing (HTTP 404)');
      const reranker = await fakeCreate(options);
      return { ...reranker, get info() { return { ...reranker.info, modelId: name }; }, onInfoChange: reranker.onInfoChange,
        async dispose() { log.push(`dispose ${name}`); } };
    };
    const worker = rawWorker(create);
    try {
      expect(await worker.send({ type: 'load', id: 1, options: {} })).toMatchObject({ type: 'load', id: 1, reply: { info: { modelId: 'model 1' } } });
      const failed = await worker.send({ type: 'load', id: 2, options: { model: 'missing/model' } });
      expect(failed).toMatchObject({ type: 'error', error: { name: 'ModelLoadError' } });
      // The first model still answers.
      const reranked = await worker.send({ type: 'rerank', id: 3, query: 'q', documents: ['a', 'bb'], options: { reportBatches: false } });
      expect(reranked).toMatchObject({ type: 'rerank', id: 3, reply: { columns: { windows: null } } });
      expect(await worker.send({ type: 'load', id: 4, options: {} })).toMatchObject({ type: 'load', id: 4, reply: { info: { modelId: 'model 3' } } });
      expect(log).toEqual(['create model 1', 'create model 2', 'create model 3', 'dispose model 1']);
    } finally {
      worker.close();
    }
  });
});

describe('the protocol', () => {
  it("answers memory with the probe it was given, and with nulls without one", async () => {
    const usage = { wasmHeapBytes: 65536, gpuBufferBytes: null, gpuBufferPeakBytes: null };
    const probed = fakeWorkerWith({ create: fakeCreate, memory: { read: () => usage } });
    const plain = fakeWorkerWith({ create: fakeCreate });
    try {
      expect(await (await createWorkerReranker({ endpoint: probed.endpoint })).memory()).toEqual(usage);
      expect(await (await createWorkerReranker({ endpoint: plain.endpoint })).memory())
        .toEqual({ wasmHeapBytes: null, gpuBufferBytes: null, gpuBufferPeakBytes: null });
    } finally {
      probed.close();
      plain.close();
    }
  });

  it('a reply of another type than the request fails that request, naming both', async () => {
    const channel = new MessageChannel();
    channel.port2.onmessage = (event: MessageEvent<{ type: string; id: number }>) => {
      if (event.data.type === 'load') channel.port2.postMessage({ type: 'load', id: event.data.id, reply: { info: { modelId: 'x' } } });
      else channel.port2.postMessage({ type: 'memory', id: event.data.id, reply: { usage: {} } });
    };
    const reranker = await createWorkerReranker({ endpoint: channel.port1 as unknown as Endpoint });
    await expect(reranker.score([['q', 'd']])).rejects.toMatchObject({ name: 'RerankerError', message: 'the worker answered memory to score' });
    channel.port1.close();
  });
});
