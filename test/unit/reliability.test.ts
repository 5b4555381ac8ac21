/**
 * Faults injected, not hoped for: out-of-memory and device loss mid-run, 1,000 concurrent calls with cancellations
 * through the worker protocol, a table of hostile inputs, and long documents in chunks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReranker, describeBatchEvent, type BatchRecord, type Reranker, type RerankerOptions } from '../../src/lib/index.ts';
import type { SessionHooks } from '../../src/lib/runtime/session.ts';
import { planWindows } from '../../src/lib/text/chunking.ts';
import { serveReranker } from '../../src/worker/serve.ts';
import { createWorkerReranker } from '../../src/worker/client.ts';
import type { Endpoint } from '../../src/worker/protocol.ts';
import { demoFiles, loadTokenizer, DEMO_MODEL_DIR } from '../helpers/models.ts';
import { buildTokenizer } from '../../scripts/model/tokenizer.ts';

/** Each reranker gets its own fault injection: `faults.beforeRun` is read at every run of its sessions. */
const load = (options: RerankerOptions = {}, faults: SessionHooks = {}) =>
  createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32', ...options },
    { hooks: { beforeRun: (run) => faults.beforeRun?.(run) } });

const WORDS = 'retrieval ranking query document model score batch token padding encoder attention layer'.split(' ');
const DOCS = Array.from({ length: 48 }, (_, i) => WORDS.slice(0, 1 + (i % 12)).join(' ').repeat(1 + (i % 4)) + ` #${i}`);
const QUERY = 'which document is about batching?';

let reranker: Reranker;
let baseline: number[];
/** Faults of the shared reranker: a test that sets one clears it. */
const sharedFaults: SessionHooks = {};

beforeAll(async () => {
  reranker = await load({}, sharedFaults);
  baseline = await reranker.score(DOCS.map((d) => [QUERY, d] as const), { rawScores: true, batchSize: 1, batching: 'fixed' });
});
afterAll(() => reranker?.dispose());

function maxDiff(a: number[], b: number[]): number {
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

describe('out of memory mid-run', () => {
  it('splits the failing batch, keeps the learned cap, and loses or repeats no pair', async () => {
    const faults: SessionHooks = {};
    const r = await load({}, faults);
    const seen: number[] = [];
    // Run 0 is the warm-up of a fresh session, so count from 1: the 3rd batch of the call fails, and any batch of 16.
    faults.beforeRun = ({ runIndex, rows }) => {
      seen.push(rows);
      if (runIndex === 3 || rows >= 16) throw new Error('WebGPU: failed to allocate buffer: out of memory');
    };
    const records: BatchRecord[] = [];
    try {
      const scores = await r.score(DOCS.map((d) => [QUERY, d] as const), {
        rawScores: true, batchSize: 8, batching: 'fixed', onBatch: (b) => records.push(b),
      });
      expect(maxDiff(scores, baseline)).toBeLessThan(1e-5);
      expect(records.reduce((n, b) => n + b.ownPairs, 0)).toBe(DOCS.length);
      const split = records.filter((b) => b.events?.some((e) => e.type === 'out-of-memory-split'));
      expect(split.length).toBe(2); // the two halves of the failed batch
      expect(split.map((b) => b.pairs)).toEqual([4, 4]);
      // Learned: no later batch exceeds the halves' size.
      const cap = (r as unknown as { learnedMaxPaddedTokens: number }).learnedMaxPaddedTokens;
      expect(cap).toBeGreaterThan(0);
      const afterSplit = records.slice(records.indexOf(split[1]) + 1);
      expect(afterSplit.length).toBeGreaterThan(0);
      for (const b of afterSplit) expect(b.paddedTokens).toBeLessThanOrEqual(cap);
      console.log(`OOM at run 3: batches ${records.map((b) => b.pairs).join(',')}; learned cap ${cap} padded tokens`);

      // A later call with a batch size the device cannot take still completes, in smaller batches.
      faults.beforeRun = ({ rows }) => {
        if (rows >= 16) throw new Error('RangeError: Array buffer allocation failed');
      };
      const big = await r.score(DOCS.map((d) => [QUERY, d] as const), { rawScores: true, batchSize: 32, batching: 'fixed' });
      expect(maxDiff(big, baseline)).toBeLessThan(1e-5);
    } finally {
      await r.dispose();
    }
  });

  it('a single pair that runs out of memory fails with OutOfMemoryError, and the reranker recovers', async () => {
    sharedFaults.beforeRun = () => {
      throw new Error('out of memory');
    };
    const error = await reranker.score([[QUERY, DOCS[0]]]).catch((e: unknown) => e as Error);
    sharedFaults.beforeRun = undefined;
    expect(error).toMatchObject({ name: 'OutOfMemoryError' });
    expect(await reranker.score([[QUERY, DOCS[0]]], { rawScores: true })).toHaveLength(1);
  });
});

describe('device lost mid-run', () => {
  it('recreates the session, re-runs the unfinished batches, and reports it', async () => {
    const faults: SessionHooks = {};
    const r = await load({}, faults);
    const infos: string[] = [];
    r.onInfoChange((info) => infos.push(info.backend));
    let lost = false;
    faults.beforeRun = ({ runIndex }) => {
      if (runIndex === 2 && !lost) {
        lost = true;
        throw new Error('GPU device was lost: the device was destroyed');
      }
    };
    const records: BatchRecord[] = [];
    try {
      const scores = await r.score(DOCS.map((d) => [QUERY, d] as const), {
        rawScores: true, batchSize: 8, batching: 'fixed', onBatch: (b) => records.push(b),
      });
      expect(lost).toBe(true);
      expect(maxDiff(scores, baseline)).toBeLessThan(1e-5);
      expect(records.reduce((n, b) => n + b.ownPairs, 0)).toBe(DOCS.length);
      const recovered = records.filter((b) => b.events?.some((e) => e.type === 'recovered' && e.to === 'wasm'));
      expect(recovered).toHaveLength(1);
      console.log(`device lost at run 2: ${recovered[0].events!.map(describeBatchEvent).join('; ')}`);
      // Recovery on the same device (wasm here) changes no info; the event says what happened.
      expect(infos).toEqual([]);
      // Still usable afterwards.
      expect(await r.score([[QUERY, DOCS[1]]], { rawScores: true })).toHaveLength(1);
    } finally {
      await r.dispose();
    }
  });
});

describe('through the worker protocol', () => {
  it('1,000 concurrent calls with random cancellations: every call not cancelled gets its own correct results', async () => {
    const channel = new MessageChannel();
    serveReranker(channel.port2 as unknown as Endpoint);
    const remote = await createWorkerReranker({
      endpoint: channel.port1 as unknown as Endpoint, model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32',
    });
    try {
      let seed = 99;
      const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const calls = Array.from({ length: 1000 }, () => {
        const picks = Array.from({ length: 1 + Math.floor(random() * 3) }, () => Math.floor(random() * DOCS.length));
        const controller = new AbortController();
        if (random() < 0.3) setTimeout(() => controller.abort(), Math.floor(random() * 200));
        const promise = remote.rerank(QUERY, picks.map((p) => DOCS[p]), { rawScores: true, signal: controller.signal, batching: random() < 0.5 ? 'fixed' : 'tokens' });
        return { picks, controller, promise };
      });
      const settled = await Promise.allSettled(calls.map((c) => c.promise));
      let ok = 0;
      let cancelled = 0;
      settled.forEach((outcome, i) => {
        if (outcome.status === 'rejected') {
          expect((outcome.reason as Error).name).toBe('AbortError');
          expect(calls[i].controller.signal.aborted).toBe(true);
          cancelled++;
          return;
        }
        ok++;
        expect(outcome.value).toHaveLength(calls[i].picks.length);
        for (const r of outcome.value) expect(Math.abs(r.score - baseline[calls[i].picks[r.index]])).toBeLessThan(1e-5);
      });
      console.log(`1000 calls through the worker protocol: ${ok} answered correctly, ${cancelled} cancelled`);
      expect(ok + cancelled).toBe(1000);
      expect(cancelled).toBeGreaterThan(20);
      expect(ok).toBeGreaterThan(600);
    } finally {
      await remote.dispose();
      channel.port1.close();
    }
  });
});

describe('hostile input', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => `document ${i}`);
  const cases: [string, () => Promise<unknown>, string][] = [
    ['empty query', () => reranker.rerank('', ['d']), 'InputError'],
    ['whitespace query', () => reranker.rerank('\u3000 \n', ['d']), 'InputError'],
    ['query as number', () => reranker.rerank(1 as unknown as string, ['d']), 'InputError'],
    ['query as object', () => reranker.rerank({} as unknown as string, ['d']), 'InputError'],
    ['documents null', () => reranker.rerank('q', null as unknown as string[]), 'InputError'],
    ['documents empty', () => reranker.rerank('q', []), 'InputError'],
    ['document undefined', () => reranker.rerank('q', [undefined as unknown as string]), 'InputError'],
    ['document as array', () => reranker.rerank('q', [['x'] as unknown as string]), 'InputError'],
    ['10,000 documents', () => reranker.rerank('q', many(10_000)), 'InputError'],
    ['6 MB of text', () => reranker.rerank('q', ['x'.repeat(3_000_000), 'y'.repeat(3_000_000)]), 'InputError'],
    ['batchSize NaN', () => reranker.rerank('q', ['d'], { batchSize: NaN }), 'InputError'],
    ['batchSize -4', () => reranker.rerank('q', ['d'], { batchSize: -4 }), 'InputError'],
    ['batchSize 2.5', () => reranker.rerank('q', ['d'], { batchSize: 2.5 }), 'InputError'],
    ['maxBatchTokens 0', () => reranker.rerank('q', ['d'], { maxBatchTokens: 0 }), 'InputError'],
    ['topK NaN', () => reranker.rerank('q', ['d'], { topK: NaN }), 'InputError'],
    ['topK 0', () => reranker.rerank('q', ['d'], { topK: 0 }), 'InputError'],
    ['longDocuments "split"', () => reranker.rerank('q', ['d'], { longDocuments: 'split' as 'chunk' }), 'InputError'],
    ['options as string', () => reranker.score([['q', 'd']], 'fast' as unknown as object), 'InputError'],
    ['pair of three', () => reranker.score([['q', 'd', 'e'] as unknown as [string, string]]), 'InputError'],
    ['maxLength NaN', () => load({ maxLength: NaN }), 'InputError'],
    ['maxLength -512', () => load({ maxLength: -512 }), 'InputError'],
    ['numThreads 0', () => load({ numThreads: 0 }), 'InputError'],
    ['maxWaitMs -1', () => load({ maxWaitMs: -1 }), 'InputError'],
    ['limits.maxDocuments 0', () => load({ limits: { maxDocuments: 0 } }), 'InputError'],
    ['a wrong model URL', () => createReranker({ model: { url: 'http://127.0.0.1:9/nothing/' }, device: 'wasm' }), 'ModelLoadError'],
    ['a truncated ONNX file', () => load({ model: { files: demoFiles({ 'onnx/model.onnx': new Uint8Array(4096).fill(8) }) } }), 'ModelLoadError'],
    ['a tokenizer of another vocabulary size', () => load({
      model: { files: demoFiles({ 'tokenizer.json': JSON.stringify(buildTokenizer({ vocabSize: 3000, modelMaxLength: 512 }).tokenizer) }) },
    }), 'ModelLoadError'],
    ['tokenizer.json that is an array', () => load({ model: { files: demoFiles({ 'tokenizer.json': '[1,2,3]' }) } }), 'ModelLoadError'],
    ['model source of the wrong type', () => createReranker({ model: 42 as unknown as string }), 'ModelLoadError'],
  ];

  for (const [what, call, name] of cases) {
    it(`${what} → ${name}, and the reranker stays usable`, async () => {
      const error = await call().then(() => null, (e: unknown) => e as Error);
      expect(error?.name, String(error)).toBe(name);
      expect(error!.message.length).toBeGreaterThan(10);
      const [top] = await reranker.rerank(QUERY, DOCS.slice(0, 3), { rawScores: true });
      expect(top.score).toBeCloseTo(Math.max(...baseline.slice(0, 3)), 5);
    });
  }

  it('a 100,000-character document is truncated, scored, and marked so', async () => {
    const long = `${'batching matters. '.repeat(5600)}`.slice(0, 100_000);
    const [result] = await reranker.rerank(QUERY, [long]);
    expect(result.truncated).toBe(true);
    expect(result.score).toBeGreaterThan(0);
  });
});

describe('long documents in chunks', () => {
  it('scores a document by its best window and returns that window', async () => {
    const filler = Array.from({ length: 60 }, (_, i) => `Filler sentence number ${i} talks about the weather.`).join(' ');
    const needle = ' Dynamic batching groups pairs into batches for the encoder.';
    const document = filler + needle + ' ' + filler;
    const short = await load({ maxLength: 64 });
    try {
      const [chunked] = await short.rerank(QUERY, [document], { longDocuments: 'chunk', rawScores: true });
      const [truncated] = await short.rerank(QUERY, [document], { rawScores: true });
      expect(truncated.truncated).toBe(true);
      expect(chunked.window).toBeDefined();
      const { start, end } = chunked.window!;
      // The best window scored alone gives the document's score.
      const [alone] = await short.score([[QUERY, document.slice(start, end)]], { rawScores: true });
      expect(chunked.score).toBeCloseTo(alone, 5);
      // And it is the maximum over all windows.
      const tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
      const encode = (s: string) => tokenizer.encode(s, { add_special_tokens: false });
      const room = 64 - encode(QUERY).length - 4;
      const windows = planWindows(document, encode, room);
      expect(windows.length).toBeGreaterThan(5);
      const scores = await short.score(windows.map((w) => [QUERY, document.slice(w.start, w.end)] as const), { rawScores: true });
      expect(chunked.score).toBeCloseTo(Math.max(...scores), 5);
      console.log(`chunked into ${windows.length} windows; best window ${start}-${end}; truncate ${truncated.score.toFixed(3)} vs chunk ${chunked.score.toFixed(3)}`);
    } finally {
      await short.dispose();
    }
  });

  it('windows fit, overlap, cover the whole document, and never split a surrogate pair', async () => {
    const tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
    const encode = (s: string) => tokenizer.encode(s, { add_special_tokens: false });
    const text = '腾讯成立于1998年11月是中国最早的互联网公司之一😀'.repeat(40) + ' and some English words at the end.';
    const windows = planWindows(text, encode, 30);
    expect(windows[0].start).toBe(0);
    expect(windows.at(-1)!.end).toBe(text.length);
    for (let i = 0; i < windows.length; i++) {
      expect(windows[i].ids.length).toBeLessThanOrEqual(30);
      if (i > 0) {
        expect(windows[i].start).toBeLessThanOrEqual(windows[i - 1].end); // no gap
        expect(windows[i].start).toBeGreaterThan(windows[i - 1].start); // progress
      }
      expect(/[\uDC00-\uDFFF]/.test(text[windows[i].start])).toBe(false);
    }
  });
});
