/** The per-batch timing summary says what is meaningful for the number of batches at hand. */
import { describe, expect, it } from 'vitest';
import { spreadOf, summarizeBatches } from '../../src/ui/rerank/batch-summary.ts';
import type { BatchRecord } from '../../src/lib/types.ts';

const record = (index: number, pairs: number, totalMs: number, tensors = [{ pairs, sequenceLength: 10 }]): BatchRecord => ({
  index, pairs, ownPairs: pairs, done: 0, total: 0, tokens: pairs * 8, paddedTokens: tensors.reduce((n, t) => n + t.pairs * t.sequenceLength, 0),
  sequenceLength: 10, tensors, tokenizeMs: 1, runMs: totalMs - 1, totalMs, pairsPerSecond: (pairs * 1000) / totalMs, backend: 'wasm',
});

describe('spreadOf', () => {
  it('gives one value as itself, a few as a list, and a distribution only from five on (p95 from twenty)', () => {
    expect(spreadOf([12])).toEqual({ kind: 'one', value: 12 });
    expect(spreadOf([16, 4])).toEqual({ kind: 'list', values: [16, 4] });
    expect(spreadOf([1, 2, 3, 4, 10])).toEqual({ kind: 'distribution', distribution: { min: 1, median: 3, max: 10 } });
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(spreadOf(twenty)).toEqual({ kind: 'distribution', distribution: { min: 1, median: 10.5, p95: 19, max: 20 } });
  });
});

describe('summarizeBatches', () => {
  it('counts the padding that ran: per length group where a batch was split', () => {
    // 16 pairs as one tensor of 10 tokens would be 160 cells; run as 12 × 8 + 4 × 10 it is 136.
    const summary = summarizeBatches([record(0, 16, 40, [{ pairs: 12, sequenceLength: 8 }, { pairs: 4, sequenceLength: 10 }]), record(1, 4, 10)]);
    expect(summary).toMatchObject({ batches: 2, pairs: 20, totalMs: 50, runMs: 48, tokens: 160, cells: 176, grouped: 1 });
    expect(summary.paddingShare).toBeCloseTo(1 - 160 / 176, 12);
    expect(summary.pairsPerSecond).toBe(400);
    expect(summary.sizes).toEqual({ kind: 'list', values: [16, 4] });
  });
});
