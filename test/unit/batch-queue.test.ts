/** The dynamic batching queue: shared batches, each caller exactly its own results, cancellation. */
import { describe, expect, it } from 'vitest';
import { BatchQueue, type BatchPolicy, type QueuedRow } from '../../src/lib/batching/batch-queue.ts';
import { planBatches } from '../../src/lib/batching/batching.ts';
import type { TokenRow } from '../../src/lib/batching/padding.ts';
import type { BatchRecord } from '../../src/lib/types.ts';

/** A fake model: the logit of a row is a function of its ids only, so any mix-up between callers shows. */
const logitOf = ({ ids }: TokenRow) => ids.reduce((h, x) => (h * 31 + x) % 1_000_003, 7) / 1000;

/** Records every tensor it runs (on webgpu, a batch is one tensor). */
function fakeRunner(delayMs = 0) {
  const batches: number[][][] = [];
  const run = async (rows: readonly TokenRow[]) => {
    batches.push(rows.map((r) => [...r.ids]));
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return rows.map(logitOf);
  };
  return { run, batches };
}

/** A seeded generator so a failing run can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const rowsFor = (caller: number, count: number, random: () => number): QueuedRow[] =>
  Array.from({ length: count }, (_, k) => ({
    ids: [0, caller, k, ...Array.from({ length: 1 + Math.floor(random() * 40) }, () => 4 + Math.floor(random() * 100)), 2],
    tokenizeMs: 0.01,
  }));

const FIXED_8: BatchPolicy = { mode: 'fixed', batchSize: 8, maxBatchTokens: 0 };
const TOKENS: BatchPolicy = { mode: 'tokens', batchSize: 16, maxBatchTokens: 400 };

describe('BatchQueue', () => {
  it('gives 1,000 concurrent callers exactly their own logits, with random cancellations', async () => {
    const random = rng(20261125);
    const { run, batches } = fakeRunner(1);
    const queue = new BatchQueue({ run, backend: () => 'webgpu', maxWaitMs: 5 });
    const calls = Array.from({ length: 1000 }, (_, caller) => {
      const rows = rowsFor(caller, 1 + Math.floor(random() * 6), random);
      const controller = new AbortController();
      const cancelAfter = random() < 0.25 ? Math.floor(random() * 30) : -1;
      if (cancelAfter >= 0) setTimeout(() => controller.abort(), cancelAfter);
      const records: BatchRecord[] = [];
      const promise = queue.submit(rows, random() < 0.5 ? FIXED_8 : TOKENS, {
        signal: controller.signal,
        onBatch: (r) => records.push(r),
      });
      return { rows, promise, cancelled: () => controller.signal.aborted, records };
    });
    const settled = await Promise.allSettled(calls.map((c) => c.promise));

    let completed = 0;
    let aborted = 0;
    settled.forEach((outcome, caller) => {
      const call = calls[caller];
      if (outcome.status === 'fulfilled') {
        completed++;
        expect(Array.from(outcome.value)).toEqual(call.rows.map(logitOf));
        expect(call.records.reduce((n, r) => n + r.ownPairs, 0)).toBe(call.rows.length);
        expect(call.records.at(-1)!.done).toBe(call.rows.length);
      } else {
        aborted++;
        expect(call.cancelled()).toBe(true);
        expect((outcome.reason as Error).name).toBe('AbortError');
      }
    });
    // Every completed call's rows ran exactly once; cancelled calls may have had rows in flight, never twice.
    const ran = new Map<string, number>();
    for (const b of batches) for (const row of b) ran.set(row.join(','), (ran.get(row.join(',')) ?? 0) + 1);
    for (const [caller, outcome] of settled.entries()) {
      for (const r of calls[caller].rows) {
        const count = ran.get(r.ids.join(',')) ?? 0;
        if (outcome.status === 'fulfilled') expect(count).toBe(1);
        else expect(count).toBeLessThanOrEqual(1);
      }
    }
    console.log(`1000 callers: ${completed} completed, ${aborted} cancelled, ${batches.length} batches, ` +
      `mean ${(batches.reduce((n, b) => n + b.length, 0) / batches.length).toFixed(1)} rows a batch`);
    expect(aborted).toBeGreaterThan(50);
    expect(completed).toBeGreaterThan(500);
    // Merging happened: far fewer batches than calls.
    expect(batches.length).toBeLessThan(completed / 2);
  });

  it('runs a lone call as exactly the tensors planBatches plans, on either device', async () => {
    const random = rng(7);
    const rows = rowsFor(1, 37, random);
    const lengths = rows.map((r) => r.ids.length);
    for (const device of ['wasm', 'webgpu'] as const) {
      for (const policy of [FIXED_8, TOKENS]) {
        const { run, batches } = fakeRunner();
        const records: BatchRecord[] = [];
        const queue = new BatchQueue({ run, backend: () => device });
        await queue.submit(rows, policy, { onBatch: (r) => records.push(r) });
        const plan = planBatches(lengths, policy, { device });
        expect(batches.map((t) => t.map((r) => r[2])), `${device} ${policy.mode}`).toEqual(plan.flatMap((p) => p.tensors));
        expect(records.map((r) => r.tensors.length)).toEqual(plan.map((p) => p.tensors.length));
        // Fixed batches run as one tensor each, as asked; token batches on wasm split into length groups here.
        const split = plan.some((p) => p.tensors.length > 1);
        expect(split).toBe(device === 'wasm' && policy.mode === 'tokens');
      }
    }
  });

  it('merges calls arriving within maxWaitMs into one batch, and keeps policies apart', async () => {
    const random = rng(3);
    const { run, batches } = fakeRunner();
    const queue = new BatchQueue({ run, backend: () => 'webgpu', maxWaitMs: 20 });
    const a = queue.submit(rowsFor(1, 3, random), FIXED_8);
    await new Promise((r) => setTimeout(r, 5));
    const b = queue.submit(rowsFor(2, 3, random), FIXED_8);
    const c = queue.submit(rowsFor(3, 2, random), TOKENS);
    await Promise.all([a, b, c]);
    const callersIn = batches.map((batch) => [...new Set(batch.map((r) => r[1]))].sort());
    expect(callersIn).toContainEqual([1, 2]);
    expect(callersIn).toContainEqual([3]);
    expect(batches).toHaveLength(2);
  });

  it('a failing batch fails the calls in it and the queue keeps serving others', async () => {
    let fail = true;
    const queue = new BatchQueue({
      run: async (rows) => {
        if (fail) {
          fail = false;
          throw new Error('boom');
        }
        return rows.map(logitOf);
      },
      backend: () => 'wasm',
    });
    const random = rng(5);
    const first = queue.submit(rowsFor(1, 2, random), FIXED_8);
    await expect(first).rejects.toThrow('boom');
    const rows = rowsFor(2, 2, random);
    expect(Array.from(await queue.submit(rows, FIXED_8))).toEqual(rows.map(logitOf));
  });

  it('close() fails queued calls with DisposedError', async () => {
    const { run } = fakeRunner(20);
    const queue = new BatchQueue({ run, backend: () => 'wasm' });
    const random = rng(9);
    const running = queue.submit(rowsFor(1, 8, random), FIXED_8);
    const waiting = queue.submit(rowsFor(2, 8, random), FIXED_8).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 5));
    await queue.close();
    await expect(running).resolves.toHaveLength(8);
    expect(await waiting).toMatchObject({ name: 'DisposedError' });
    await expect(queue.submit(rowsFor(3, 1, random), FIXED_8)).rejects.toMatchObject({ name: 'DisposedError' });
  });
});
