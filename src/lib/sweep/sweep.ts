/**
 * The batch-size sweep of the seed article, DOM-free: score the same pairs at batch 1, 2, 4, ... with fixed batching,
 * time every batch (inside the worker: the records' `totalMs`), read memory, and stop at the first out-of-memory batch
 * size the way the seed's table stops at batch 32. Each size is measured several times, and each row keeps the spread
 * of its runs: `findKnee` names the batch size worth using only where the differences exceed that noise.
 */
import { AbortError, InputError } from '../errors.ts';
import type { MemoryUsage } from '../runtime/memory.ts';
import { describeBatchEvent, type BatchRecord, type Reranker } from '../types.ts';
import { integerInRange } from '../validate.ts';
import { kneeOf, type SweepStatus } from './knee.ts';

export { findKnee, KNEE_SHARE, kneeOf, type Knee, type KneeInput, type KneeOptions, type SweepStatus } from './knee.ts';

export const DEFAULT_SWEEP_BATCH_SIZES: readonly number[] = [1, 2, 4, 8, 16, 32, 64];



export interface SweepRow {
  batchSize: number;
  /** Batches per run (the last one may be partial). */
  batches: number;
  /**
   * Mean and median batch latency over the measured runs, in ms: each batch's `totalMs` (tokenizing + running),
   * which is what the seed's per-batch timing covers. Null when no batch completed.
   */
  avgBatchMs: number | null;
  p50BatchMs: number | null;
  /** Pairs scored per second of batch time: Σ pairs / Σ totalMs, over all measured runs. */
  pairsPerSecond: number | null;
  /** Measured runs that completed. */
  runs: number;
  /** The slowest and the fastest run's pairs/s: the row's noise (equal with one run; null without a run). */
  pairsPerSecondMin: number | null;
  pairsPerSecondMax: number | null;
  /** Memory after this batch size's runs (null where not observed or no `memory` was given). */
  wasmHeapBytes: number | null;
  gpuBufferBytes: number | null;
  /** Most GPU buffer bytes alive at once so far in the worker (it only grows over a sweep). */
  gpuBufferPeakBytes: number | null;
  status: SweepStatus;
  /** `name: message` of the error that ended the sweep, or the queue's out-of-memory event. */
  error?: string;
}

export interface SweepOptions {
  /** Default `DEFAULT_SWEEP_BATCH_SIZES`; run in the order given. */
  batchSizes?: readonly number[];
  /** Untimed runs per batch size before the measured ones (kernels compile, buffers grow). Default 1. */
  warmup?: number;
  /** Measured runs per batch size. Default 3. */
  repeats?: number;
  signal?: AbortSignal;
  /** Reads the model's memory (a worker reranker's `memory()`); without it the memory columns stay null. */
  memory?: () => Promise<MemoryUsage>;
  /** Each row as soon as its batch size is done, so a UI can fill its table while the sweep runs. */
  onRow?: (row: SweepRow) => void;
  /** Every measured batch record, with the batch size it belongs to. */
  onBatch?: (batchSize: number, record: BatchRecord) => void;
}

export interface Distribution {
  min: number;
  median: number;
  p95: number;
  max: number;
}

/**
 * Nearest-rank quantile (the smallest value with at least `q` of the values at or below it).
 *
 * @example
 * quantile([40, 10, 30, 20], 0.5) // → 20
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * The middle value, or the mean of the two middle ones: the median of [16, 4] is 10, not 4.
 *
 * @example
 * median([16, 4]) // → 10
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * @example
 * distribution([5, 1, 3]) // → { min: 1, median: 3, p95: 5, max: 5 }
 */
export function distribution(values: readonly number[]): Distribution | null {
  if (values.length === 0) return null;
  return {
    min: Math.min(...values),
    median: median(values),
    p95: quantile(values, 0.95),
    max: Math.max(...values),
  };
}

/** The most batch size, warm-up runs or measured runs a sweep takes. */
export const MAX_SWEEP_COUNT = 1000;

const checkCount = (value: number, name: string, min: number): number => integerInRange(value, name, min, MAX_SWEEP_COUNT);

const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The queue splits an out-of-memory batch instead of failing; for a sweep that still means this size did not fit. */
const oomEvent = (record: BatchRecord): string | undefined => {
  const split = record.events?.find((e) => e.type === 'out-of-memory-split');
  return split && describeBatchEvent(split);
};

type Measured = Pick<SweepRow, 'batchSize' | 'batches' | 'avgBatchMs' | 'p50BatchMs' | 'pairsPerSecond' | 'runs' |
  'pairsPerSecondMin' | 'pairsPerSecondMax'>;

const rate = (records: readonly BatchRecord[]): number | null => {
  const ms = records.reduce((n, r) => n + r.totalMs, 0);
  return ms > 0 ? (records.reduce((n, r) => n + r.ownPairs, 0) * 1000) / ms : null;
};

/** One row's numbers from its measured runs (each run: the records of one pass over the pairs). */
function summarize(batchSize: number, runs: readonly (readonly BatchRecord[])[]): Measured {
  const records = runs.flat();
  const latencies = records.map((r) => r.totalMs);
  const perRun = runs.map(rate).filter((r): r is number => r !== null);
  return {
    batchSize,
    batches: runs.length ? Math.round(records.length / runs.length) : 0,
    avgBatchMs: records.length ? latencies.reduce((a, b) => a + b, 0) / records.length : null,
    p50BatchMs: records.length ? median(latencies) : null,
    pairsPerSecond: rate(records),
    runs: runs.length,
    pairsPerSecondMin: perRun.length ? Math.min(...perRun) : null,
    pairsPerSecondMax: perRun.length ? Math.max(...perRun) : null,
  };
}

/**
 * Runs the sweep. Resolves with one row per batch size tried; the last row is `'oom'` or `'error'` when a batch size
 * failed (later sizes are not tried: a bigger batch would only fail harder, and the queue caps batch sizes after an
 * out-of-memory split). Rejects with an AbortError when `signal` aborts; rows already done went to `onRow`.
 *
 * @example
 * await runSweep(reranker, pairs, { batchSizes: [1, 8, 32], repeats: 2 })
 * // → [{ batchSize: 1, batches: 64, avgBatchMs: 48, p50BatchMs: 47, pairsPerSecond: 20.8, runs: 2,
 * //      pairsPerSecondMin: 20.1, pairsPerSecondMax: 21.5, status: 'ok', ... },
 * //    { batchSize: 8, batches: 8, avgBatchMs: 70, p50BatchMs: 70, pairsPerSecond: 114.3, runs: 2, ..., status: 'ok', ... },
 * //    { batchSize: 32, batches: 0, avgBatchMs: null, ..., status: 'oom', error: 'OutOfMemoryError: ...' }]
 */
export async function runSweep(
  reranker: Pick<Reranker, 'score'>,
  pairs: readonly (readonly [string, string])[],
  options: SweepOptions = {},
): Promise<SweepRow[]> {
  const { signal, memory, onRow, onBatch } = options;
  const batchSizes = options.batchSizes ?? DEFAULT_SWEEP_BATCH_SIZES;
  const warmup = checkCount(options.warmup ?? 1, 'warmup', 0);
  const repeats = checkCount(options.repeats ?? 3, 'repeats', 1);
  if (pairs.length === 0) throw new InputError('the sweep needs at least one pair');
  if (batchSizes.length === 0) throw new InputError('the sweep needs at least one batch size');
  for (const b of batchSizes) checkCount(b, 'batch size', 1);

  const rows: SweepRow[] = [];
  const aborted = () => new AbortError('the sweep was cancelled', { cause: signal?.reason });
  for (const batchSize of batchSizes) {
    if (signal?.aborted) throw aborted();
    const runs: BatchRecord[][] = [];
    let failure: { status: 'oom' | 'error'; error: string } | null = null;
    try {
      for (let run = 0; run < warmup + repeats && !failure; run++) {
        const measured = run >= warmup;
        const records: BatchRecord[] = [];
        if (measured) runs.push(records);
        await reranker.score(pairs, {
          batching: 'fixed',
          batchSize,
          signal,
          onBatch: (record) => {
            const event = oomEvent(record);
            if (event && !failure) failure = { status: 'oom', error: `OutOfMemoryError: ${event}` };
            if (!measured) return;
            records.push(record);
            onBatch?.(batchSize, record);
          },
        });
      }
    } catch (error) {
      if (signal?.aborted || (error as Error)?.name === 'AbortError') throw signal?.aborted ? aborted() : error;
      failure = { status: (error as Error)?.name === 'OutOfMemoryError' ? 'oom' : 'error', error: errorText(error) };
    }
    let usage: MemoryUsage | null = null;
    try {
      usage = memory ? await memory() : null;
    } catch {
      // Memory is a side reading: a worker that cannot answer it must not end the sweep.
    }
    const row: SweepRow = {
      ...summarize(batchSize, failure ? [] : runs),
      wasmHeapBytes: usage?.wasmHeapBytes ?? null,
      gpuBufferBytes: usage?.gpuBufferBytes ?? null,
      gpuBufferPeakBytes: usage?.gpuBufferPeakBytes ?? null,
      status: failure?.status ?? 'ok',
      ...(failure ? { error: failure.error } : {}),
    };
    rows.push(row);
    onRow?.(row);
    if (failure) break;
  }
  return rows;
}

const CSV_COLUMNS = ['batchSize', 'batches', 'avgBatchMs', 'p50BatchMs', 'pairsPerSecond', 'pairsPerSecondMin', 'pairsPerSecondMax',
  'runs', 'wasmHeapBytes', 'gpuBufferBytes', 'gpuBufferPeakBytes', 'status', 'error', 'knee'] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The rows as CSV (RFC 4180 quoting), with a `knee` column marking the knee row (`kneeOf(rows)` unless given).
 *
 * @example
 * sweepToCsv([{ batchSize: 8, batches: 2, avgBatchMs: 70, p50BatchMs: 70, pairsPerSecond: 114.3, pairsPerSecondMin: 110,
 *   pairsPerSecondMax: 118, runs: 3, wasmHeapBytes: null, gpuBufferBytes: null, gpuBufferPeakBytes: null, status: 'ok' }])
 * // → 'batchSize,batches,avgBatchMs,...,knee\n8,2,70,70,114.3,110,118,3,,,,ok,,yes\n'
 */
export function sweepToCsv(rows: readonly SweepRow[], knee: number | null = kneeOf(rows)): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(CSV_COLUMNS.map((c) => (c === 'knee' ? (row.batchSize === knee ? 'yes' : '') : csvCell(row[c]))).join(','));
  }
  return `${lines.join('\n')}\n`;
}
