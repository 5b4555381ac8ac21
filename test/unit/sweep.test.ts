/** runSweep against a fake reranker with exact timings and an out-of-memory batch size. */
import { describe, expect, it } from 'vitest';
import { AbortError, OutOfMemoryError } from '../../src/lib/errors.ts';
import type { MemoryUsage } from '../../src/lib/runtime/memory.ts';
import { runSweep, type SweepRow } from '../../src/lib/sweep/sweep.ts';
import type { BatchRecord, Reranker, ScoreOptions } from '../../src/lib/types.ts';

interface Call {
  batchSize: number;
  batching: string | undefined;
  pairs: number;
}

/**
 * A fake reranker: a batch of b pairs takes `latency(b, k)` ms (k = the batch's index in its call), batch sizes at or
 * above `oomAt` throw OutOfMemoryError, and `splitAt` reports an out-of-memory split the way the real queue does.
 */
function fakeReranker(options: {
  latency?: (batchSize: number, k: number) => number;
  oomAt?: number;
  splitAt?: number;
  onCall?: (call: Call) => void;
} = {}) {
  const latency = options.latency ?? ((b) => 10 + b);
  const calls: Call[] = [];
  let heap = 1_000_000;
  const reranker: Pick<Reranker, 'score'> = {
    async score(pairs, opts: ScoreOptions = {}) {
      const batchSize = opts.batchSize ?? 16;
      const call = { batchSize, batching: opts.batching, pairs: pairs.length };
      calls.push(call);
      options.onCall?.(call);
      opts.signal?.throwIfAborted();
      if (options.oomAt !== undefined && batchSize >= options.oomAt) throw new OutOfMemoryError(`wasm ran out of memory at ${batchSize}`);
      heap = Math.max(heap, batchSize * 100_000);
      let done = 0;
      for (let k = 0; done < pairs.length; k++) {
        await Promise.resolve();
        const n = Math.min(batchSize, pairs.length - done);
        done += n;
        const ms = latency(n, k);
        const record: BatchRecord = {
          index: k, pairs: n, ownPairs: n, done, total: pairs.length, tokens: n * 20, paddedTokens: n * 24,
          sequenceLength: 24, tensors: [{ pairs: n, sequenceLength: 24 }], tokenizeMs: 0.5, runMs: ms - 0.5, totalMs: ms,
          pairsPerSecond: (n * 1000) / ms, backend: 'wasm',
          ...(options.splitAt !== undefined && batchSize >= options.splitAt
            ? { events: [{ type: 'out-of-memory-split' as const, pairs: batchSize, paddedTokens: batchSize * 24, maxPaddedTokens: batchSize * 12 }] } : {}),
        };
        opts.onBatch?.(record);
      }
      return pairs.map(() => 0.5);
    },
  };
  const memory = async (): Promise<MemoryUsage> => ({ wasmHeapBytes: heap, gpuBufferBytes: null, gpuBufferPeakBytes: null });
  return { reranker, calls, memory };
}

const pairsOf = (n: number): [string, string][] => Array.from({ length: n }, (_, i) => ['query', `document ${i}`]);

describe('runSweep', () => {
  it('times each batch size from the batch records and stops at the first out-of-memory size', async () => {
    const { reranker, calls, memory } = fakeReranker({ oomAt: 32 });
    const streamed: SweepRow[] = [];
    const rows = await runSweep(reranker, pairsOf(64), { warmup: 1, repeats: 2, memory, onRow: (r) => streamed.push(r) });

    expect(rows.map((r) => [r.batchSize, r.status])).toEqual([[1, 'ok'], [2, 'ok'], [4, 'ok'], [8, 'ok'], [16, 'ok'], [32, 'oom']]);
    expect(streamed).toEqual(rows);
    // Batch 64 is never tried; every tried size got one warm-up and two measured runs, all with fixed batching.
    expect(calls.some((c) => c.batchSize === 64)).toBe(false);
    for (const size of [1, 2, 4, 8, 16]) expect(calls.filter((c) => c.batchSize === size)).toHaveLength(3);
    expect(calls.filter((c) => c.batchSize === 32)).toHaveLength(1);
    expect(calls.every((c) => c.batching === 'fixed' && c.pairs === 64)).toBe(true);

    const row8 = rows[3];
    expect(row8.batches).toBe(8);
    expect(row8.avgBatchMs).toBe(18);
    expect(row8.p50BatchMs).toBe(18);
    expect(row8.pairsPerSecond).toBeCloseTo((8 * 1000) / 18, 9);
    expect(row8.wasmHeapBytes).toBe(1_000_000);
    expect(rows[4].wasmHeapBytes).toBe(1_600_000);
    expect(rows[0].batches).toBe(64);
    expect(rows[0].pairsPerSecond).toBeCloseTo(1000 / 11, 9);

    const oom = rows[5];
    expect(oom.error).toMatch(/^OutOfMemoryError: wasm ran out of memory at 32/);
    expect(oom.avgBatchMs).toBeNull();
    expect(oom.pairsPerSecond).toBeNull();
    expect(oom.wasmHeapBytes).toBe(1_600_000); // memory is still read at the failing size
  });

  it('leaves warm-up batches out of the timings', async () => {
    // The first call of each size (the warm-up) is 100× slower; none of it may reach the rows.
    let call = 0;
    const seen = new Map<number, number>();
    const { reranker } = fakeReranker({
      latency: (b) => ((seen.get(b) ?? 0) === 1 ? 100 * (10 + b) : 10 + b),
      onCall: (c) => {
        call++;
        seen.set(c.batchSize, (seen.get(c.batchSize) ?? 0) + 1);
      },
    });
    const batches: [number, BatchRecord][] = [];
    const rows = await runSweep(reranker, pairsOf(8), { batchSizes: [2, 8], warmup: 1, repeats: 3, onBatch: (b, r) => batches.push([b, r]) });
    expect(call).toBe(8);
    expect(rows.map((r) => r.avgBatchMs)).toEqual([12, 18]);
    expect(rows.every((r) => r.wasmHeapBytes === null && r.gpuBufferBytes === null)).toBe(true);
    expect(batches.filter(([b]) => b === 2)).toHaveLength(12); // 4 batches × 3 measured runs
    expect(batches.filter(([b]) => b === 8)).toHaveLength(3);
  });

  it('uses the median and the mean of batch latencies, the partial last batch included', async () => {
    const { reranker } = fakeReranker({ latency: (_b, k) => [10, 20, 60][k] });
    const [row] = await runSweep(reranker, pairsOf(5), { batchSizes: [2], warmup: 0, repeats: 1 });
    expect(row.batches).toBe(3);
    expect(row.avgBatchMs).toBe(30);
    expect(row.p50BatchMs).toBe(20);
    expect(row.pairsPerSecond).toBeCloseTo((5 * 1000) / 90, 9);
  });

  it("keeps each row's spread: the slowest and fastest measured run's pairs/s", async () => {
    // After the warm-up call, the measured runs take 10, 12 and 20 ms a batch: three runs, three rates.
    let call = 0;
    const { reranker } = fakeReranker({ latency: () => [10, 12, 20][call - 2], onCall: () => call++ });
    const [row] = await runSweep(reranker, pairsOf(8), { batchSizes: [4], warmup: 1, repeats: 3 });
    expect(row.runs).toBe(3);
    expect(row.pairsPerSecondMax).toBeCloseTo((4 * 1000) / 10, 9);
    expect(row.pairsPerSecondMin).toBeCloseTo((4 * 1000) / 20, 9);
    expect(row.pairsPerSecond).toBeCloseTo((24 * 1000) / (2 * (10 + 12 + 20)), 9);
    expect(row.batches).toBe(2);
  });

  it("treats the queue's out-of-memory split as an oom row", async () => {
    const { reranker, calls } = fakeReranker({ splitAt: 16 });
    const rows = await runSweep(reranker, pairsOf(32), { batchSizes: [8, 16, 32], warmup: 0, repeats: 2 });
    expect(rows.map((r) => r.status)).toEqual(['ok', 'oom']);
    expect(rows[1].error).toMatch(/out of memory at 16 pairs/);
    expect(calls.filter((c) => c.batchSize === 16)).toHaveLength(1);
  });

  it('records any other error as an error row and stops', async () => {
    const reranker: Pick<Reranker, 'score'> = {
      score: async (_pairs, opts) => {
        if (opts?.batchSize === 4) throw Object.assign(new Error('the GPU device was lost'), { name: 'DeviceLostError' });
        return [];
      },
    };
    const rows = await runSweep(reranker, pairsOf(4), { batchSizes: [2, 4, 8], warmup: 0, repeats: 1 });
    expect(rows.map((r) => r.status)).toEqual(['ok', 'error']);
    expect(rows[1].error).toBe('DeviceLostError: the GPU device was lost');
  });

  it('rejects with an AbortError when cancelled, after streaming the rows already done', async () => {
    const controller = new AbortController();
    const { reranker, calls } = fakeReranker({ onCall: (c) => c.batchSize === 4 && controller.abort() });
    const streamed: SweepRow[] = [];
    const sweep = runSweep(reranker, pairsOf(16), { warmup: 0, repeats: 1, signal: controller.signal, onRow: (r) => streamed.push(r) });
    await expect(sweep).rejects.toBeInstanceOf(AbortError);
    expect(streamed.map((r) => r.batchSize)).toEqual([1, 2]);
    expect(calls.map((c) => c.batchSize)).toEqual([1, 2, 4]);
  });

  it('rejects unusable options before scoring anything', async () => {
    const { reranker, calls } = fakeReranker();
    await expect(runSweep(reranker, [], {})).rejects.toMatchObject({ name: 'InputError' });
    await expect(runSweep(reranker, pairsOf(2), { batchSizes: [0] })).rejects.toMatchObject({ name: 'InputError' });
    await expect(runSweep(reranker, pairsOf(2), { repeats: 0 })).rejects.toMatchObject({ name: 'InputError' });
    expect(calls).toHaveLength(0);
  });
});
