/** The one batch planner: pure functions of lengths, policy and device. */
import { describe, expect, it } from 'vitest';
import { MIN_SPLIT_SAVING, paddingShare, planBatches, planTensors, takeBatch, WASM_RUN_OVERHEAD_CELLS,
  type BatchPolicy } from '../../src/lib/batching/batching.ts';

const TOKENS: BatchPolicy = { mode: 'tokens', batchSize: 16, maxBatchTokens: 8192 };
const FIXED: BatchPolicy = { mode: 'fixed', batchSize: 4, maxBatchTokens: 0 };

describe('takeBatch', () => {
  it('packs longest first within the token budget, and waits for a full batch unless forced', () => {
    const policy = { ...TOKENS, maxBatchTokens: 200 };
    expect(takeBatch([5, 100, 6, 98], policy, { force: false })).toEqual([1, 3]);
    expect(takeBatch([5, 6], policy, { force: false })).toBeNull();
    expect(takeBatch([5, 6], policy, { force: true })).toEqual([1, 0]);
  });

  it('keeps arrival order for fixed batches and respects the learned memory cap', () => {
    expect(takeBatch([5, 100, 6, 98, 7], FIXED, { force: false })).toEqual([0, 1, 2, 3]);
    expect(takeBatch([5, 100, 6, 98, 7], FIXED, { force: false, maxPaddedTokens: 250 })).toEqual([0, 1]);
    expect(takeBatch([5, 100], FIXED, { force: false })).toBeNull();
  });
});

describe('planTensors', () => {
  it('splits a mixed token batch on wasm only, and only for a real saving', () => {
    expect(planTensors([500, 20, 495, 30], TOKENS, 'wasm')).toEqual([[0, 2], [3, 1]]);
    expect(planTensors([500, 20, 495, 30], TOKENS, 'webgpu')).toEqual([[0, 1, 2, 3]]);
    expect(planTensors([500, 20, 495, 30], FIXED, 'wasm')).toEqual([[0, 1, 2, 3]]);
    expect(planTensors([500, 20, 495, 30], { ...TOKENS, lengthGroups: false }, 'wasm')).toEqual([[0, 1, 2, 3]]);
    expect(planTensors([128, 127, 128, 126], TOKENS, 'wasm')).toEqual([[0, 1, 2, 3]]); // nearly equal: run whole
  });

  it('counts the overhead of each extra run', () => {
    // Two rows: splitting saves (long - short) cells and costs one run's overhead.
    const long = 100;
    const saves = (short: number) => planTensors([long, short], TOKENS, 'wasm').length > 1;
    const whole = WASM_RUN_OVERHEAD_CELLS + 2 * long;
    const split = (short: number) => 2 * WASM_RUN_OVERHEAD_CELLS + long + short;
    for (let short = 1; short <= long; short++) {
      expect(saves(short), `short ${short}`).toBe(split(short) <= (1 - MIN_SPLIT_SAVING) * whole);
    }
  });

  it('is a function of the lengths alone: the same lengths, the same tensors, every time', () => {
    const lengths = Array.from({ length: 64 }, (_, i) => 3 + ((i * 97) % 300));
    const first = JSON.stringify(planBatches(lengths, TOKENS, { device: 'wasm' }));
    for (let i = 0; i < 5; i++) expect(JSON.stringify(planBatches(lengths, TOKENS, { device: 'wasm' }))).toBe(first);
  });
});

describe('planBatches', () => {
  it('covers every pair exactly once, in tensors that partition each batch', () => {
    const lengths = Array.from({ length: 200 }, (_, i) => 3 + ((i * 7919) % 509));
    for (const device of ['wasm', 'webgpu'] as const) {
      for (const policy of [TOKENS, FIXED, { ...TOKENS, maxBatchTokens: 1024, batchSize: 64 }]) {
        const plan = planBatches(lengths, policy, { device });
        expect(plan.flatMap((b) => b.indices).sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
        for (const b of plan) expect(b.tensors.flat().sort((x, y) => x - y)).toEqual([...b.indices].sort((x, y) => x - y));
      }
    }
  });

  it('token batching with length groups pads less than fixed batches on a mixed set', () => {
    const lengths = Array.from({ length: 120 }, (_, i) => 5 + ((i * 37) % 23) * ((i % 5) + 1) * 4);
    const fixed = paddingShare(planBatches(lengths, { ...FIXED, batchSize: 16 }, { device: 'wasm' }), lengths);
    const tokens = paddingShare(planBatches(lengths, { ...TOKENS, maxBatchTokens: 4096 }, { device: 'webgpu' }), lengths);
    const grouped = paddingShare(planBatches(lengths, { ...TOKENS, maxBatchTokens: 4096 }, { device: 'wasm' }), lengths);
    expect(tokens).toBeLessThan(fixed);
    expect(grouped).toBeLessThanOrEqual(tokens);
  });
});
