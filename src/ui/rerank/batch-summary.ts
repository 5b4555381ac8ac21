/** What the per-batch timing summary says, fitted to how many batches there are. DOM-free. */
import { median, quantile } from '../../lib/sweep/sweep.ts';
import type { BatchRecord } from '../../lib/types.ts';

/** Fewer values than this are listed one by one: a median of two says less than the two. */
export const DISTRIBUTION_MIN_VALUES = 5;
/** A p95 of fewer values is just the maximum (nearest rank): it is shown from this many on. */
export const P95_MIN_VALUES = 20;

/** One value; a few, listed; or, with enough of them, their distribution. */
export type Spread =
  | { kind: 'one'; value: number }
  | { kind: 'list'; values: number[] }
  | { kind: 'distribution'; distribution: { min: number; median: number; p95?: number; max: number } };

/**
 * @example
 * spreadOf([12])              // → { kind: 'one', value: 12 }
 * spreadOf([16, 4])           // → { kind: 'list', values: [16, 4] }
 * spreadOf([1, 2, 3, 4, 10])  // → { kind: 'distribution', distribution: { min: 1, median: 3, max: 10 } }
 */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 1) return { kind: 'one', value: values[0] };
  if (values.length < DISTRIBUTION_MIN_VALUES) return { kind: 'list', values: [...values] };
  return {
    kind: 'distribution',
    distribution: {
      min: Math.min(...values),
      median: median(values),
      ...(values.length >= P95_MIN_VALUES ? { p95: quantile(values, 0.95) } : {}),
      max: Math.max(...values),
    },
  };
}

export interface BatchSummary {
  batches: number;
  pairs: number;
  /** Σ totalMs and Σ runMs, in the worker. */
  totalMs: number;
  runMs: number;
  pairsPerSecond: number;
  tokens: number;
  /** Tensor cells that ran (padding included), as the batches ran: per length group where a batch was split. */
  cells: number;
  /** Share of `cells` that is padding. */
  paddingShare: number;
  /** Batches that ran as more than one tensor (length groups). */
  grouped: number;
  /** Pairs per batch and batch time, in run order. */
  sizes: Spread;
  latencies: Spread;
}

/**
 * @example
 * summarizeBatches([{ pairs: 16, ownPairs: 16, totalMs: 40, runMs: 38, tokens: 600, paddedTokens: 800, tensors: [a, b] }, …])
 * // → { batches: 2, pairs: 20, ..., paddingShare: 0.25, grouped: 1, sizes: { kind: 'list', values: [16, 4] }, ... }
 */
export function summarizeBatches(records: readonly BatchRecord[]): BatchSummary {
  const sum = (f: (r: BatchRecord) => number) => records.reduce((n, r) => n + f(r), 0);
  const totalMs = sum((r) => r.totalMs);
  const pairs = sum((r) => r.ownPairs);
  const tokens = sum((r) => r.tokens);
  const cells = sum((r) => r.paddedTokens);
  return {
    batches: records.length,
    pairs,
    totalMs,
    runMs: sum((r) => r.runMs),
    pairsPerSecond: (pairs * 1000) / totalMs,
    tokens,
    cells,
    paddingShare: cells ? 1 - tokens / cells : 0,
    grouped: records.filter((r) => r.tensors.length > 1).length,
    sizes: spreadOf(records.map((r) => r.pairs)),
    latencies: spreadOf(records.map((r) => r.totalMs)),
  };
}
