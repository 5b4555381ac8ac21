/**
 * The one batch planner: which pairs share a batch, and as which tensors a batch runs. Pure functions of the pairs'
 * token lengths, the policy and the device, so the same input always runs as the same tensors and scores the same,
 * bit for bit, whatever ran before. The queue (batch-queue.ts) is its only caller in the product; `planBatches` plans
 * a whole call at once for the benchmark and the tests, with the same functions.
 *
 * `fixed` keeps input order (the seed's "after": batch 16 in arrival order) and runs each batch as one tensor, as
 * asked. `tokens` sorts by length and packs each batch up to a budget of padded tokens, so short pairs are not padded
 * to the length of a long one: on a compute-bound device padding is pure waste.
 */
import type { BatchingMode, Device } from '../types.ts';

export interface BatchPolicy {
  mode: BatchingMode;
  /** Pairs per batch (`fixed`), or the most pairs a batch may hold (`tokens`). */
  batchSize: number;
  /** Budget of padded tokens (rows × longest row) per batch, for `tokens`. */
  maxBatchTokens: number;
  /**
   * `tokens` on wasm: run a batch as several tensors of similar lengths where that saves work (`planTensors`).
   * Default true; the benchmark turns it off for its before/after rows.
   */
  lengthGroups?: boolean;
}

export interface PlannedBatch {
  /** Input positions of the batch's rows, in row order. */
  indices: number[];
  /** The tensors the batch runs as, each a list of input positions: one tensor unless `planTensors` split it. */
  tensors: number[][];
  /** Longest row of the batch. */
  sequenceLength: number;
  /** Real tokens in the batch. */
  tokens: number;
}

export const DEFAULT_BATCH_SIZE = 16;
export const DEFAULT_MAX_BATCH_TOKENS = 8192;

/**
 * What one extra `session.run` costs on wasm, in tensor cells (one cell = one token of one row): feeds, kernel
 * dispatch and reading the logits. A fixed constant, not fitted to timings, so that tensor shapes depend on lengths
 * alone. Measured on the small preset, a run's fixed cost is a few cells' worth (BENCHMARKS.md); 16 errs towards
 * fewer, larger tensors.
 */
export const WASM_RUN_OVERHEAD_CELLS = 16;
/** Least share of a batch's cells that a split into length groups must save to be worth it. */
export const MIN_SPLIT_SAVING = 0.1;

const paddedCells = (lengths: readonly number[], rows: readonly number[]) =>
  rows.length * rows.reduce((m, i) => Math.max(m, lengths[i]), 0);

/**
 * The next batch from rows waiting in arrival order: positions into `lengths`, or null when the batch would be
 * partial and `force` is false (it may still wait for company). `maxPaddedTokens` is the cap learned from
 * out-of-memory errors.
 *
 * @example
 * takeBatch([5, 100, 6, 98], { mode: 'tokens', batchSize: 16, maxBatchTokens: 200 }, { force: true }) // → [1, 3]
 * takeBatch([5, 100, 6], { mode: 'fixed', batchSize: 4, maxBatchTokens: 0 }, { force: false })          // → null
 */
export function takeBatch(lengths: readonly number[], policy: BatchPolicy,
  { force, maxPaddedTokens = Number.POSITIVE_INFINITY }: { force: boolean; maxPaddedTokens?: number }): number[] | null {
  if (lengths.length === 0) return null;
  if (policy.mode === 'fixed') {
    // In arrival order, as many as batchSize allows and the learned memory cap admits.
    let count = 0;
    let longest = 0;
    while (count < Math.min(policy.batchSize, lengths.length)) {
      const next = Math.max(longest, lengths[count]);
      if (count > 0 && (count + 1) * next > maxPaddedTokens) break;
      longest = next;
      count++;
    }
    if (count === lengths.length && count < policy.batchSize && !force) return null;
    return Array.from({ length: count }, (_, i) => i);
  }
  // Longest first: the costliest batch runs first, so an out-of-memory batch fails before work is spent on others.
  const budget = Math.min(policy.maxBatchTokens, maxPaddedTokens);
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const picked: number[] = [];
  let longest = 0;
  for (const i of order) {
    const next = Math.max(longest, lengths[i]);
    if (picked.length > 0 && ((picked.length + 1) * next > budget || picked.length >= policy.batchSize)) return picked;
    picked.push(i);
    longest = next;
  }
  return force ? picked : null;
}

/**
 * As which tensors a batch runs: positions into `lengths` (the batch's rows). One tensor, in row order, except for a
 * `tokens` batch on wasm, where a padded cell costs as much as a real one (measured: scripts/bench, BENCHMARKS.md):
 * there rows are sorted longest first and cut into consecutive groups, each padded to its own longest row, when that
 * saves at least `MIN_SPLIT_SAVING` of the cells, counting `WASM_RUN_OVERHEAD_CELLS` for every extra run (dynamic
 * programming over the cut points, O(n²)). A GPU computes the padding in parallel: there a batch runs whole.
 *
 * @example
 * planTensors([500, 20, 480, 30], { mode: 'tokens', batchSize: 16, maxBatchTokens: 8192 }, 'wasm') // → [[0, 2], [3, 1]]
 * planTensors([500, 20, 480, 30], { mode: 'fixed', batchSize: 4, maxBatchTokens: 0 }, 'wasm')      // → [[0, 1, 2, 3]]
 */
export function planTensors(lengths: readonly number[], policy: BatchPolicy, device: Device): number[][] {
  const all = lengths.map((_, i) => i);
  if (device !== 'wasm' || policy.mode !== 'tokens' || policy.lengthGroups === false || lengths.length < 2) return [all];
  const order = [...all].sort((a, b) => lengths[b] - lengths[a] || a - b);
  const n = order.length;
  // best[j]: cheapest cost of running order[0..j); cut[j]: where its last group starts.
  const best = new Float64Array(n + 1).fill(Infinity);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    for (let i = 0; i < j; i++) {
      const cost = best[i] + WASM_RUN_OVERHEAD_CELLS + (j - i) * lengths[order[i]];
      if (cost < best[j]) {
        best[j] = cost;
        cut[j] = i;
      }
    }
  }
  const whole = WASM_RUN_OVERHEAD_CELLS + n * lengths[order[0]];
  if (cut[n] === 0 || best[n] > (1 - MIN_SPLIT_SAVING) * whole) return [all];
  const groups: number[][] = [];
  for (let j = n; j > 0; j = cut[j]) groups.unshift(order.slice(cut[j], j));
  return groups;
}

/**
 * Plans a whole call at once, as the queue would run it alone (no concurrent calls, no waiting).
 *
 * @example
 * planBatches([5, 100, 6, 98], { mode: 'tokens', batchSize: 16, maxBatchTokens: 200 })
 * // → [{ indices: [1, 3], tensors: [[1, 3]], sequenceLength: 100, tokens: 198 },
 * //    { indices: [2, 0], tensors: [[2, 0]], sequenceLength: 6, tokens: 11 }]
 */
export function planBatches(lengths: readonly number[], policy: BatchPolicy,
  { device = 'webgpu', maxPaddedTokens }: { device?: Device; maxPaddedTokens?: number } = {}): PlannedBatch[] {
  let pending = lengths.map((_, i) => i);
  const batches: PlannedBatch[] = [];
  while (pending.length > 0) {
    const picked = takeBatch(pending.map((i) => lengths[i]), policy, { force: true, maxPaddedTokens })!;
    const indices = picked.map((p) => pending[p]);
    const taken = new Set(picked);
    pending = pending.filter((_, p) => !taken.has(p));
    const batchLengths = indices.map((i) => lengths[i]);
    batches.push({
      indices,
      tensors: planTensors(batchLengths, policy, device).map((group) => group.map((k) => indices[k])),
      sequenceLength: batchLengths.reduce((m, l) => Math.max(m, l), 0),
      tokens: batchLengths.reduce((a, b) => a + b, 0),
    });
  }
  return batches;
}

/** Share of a plan's tensor cells that are padding, as the tensors run. */
export function paddingShare(batches: readonly PlannedBatch[], lengths: readonly number[]): number {
  let padded = 0;
  let real = 0;
  for (const b of batches) {
    for (const t of b.tensors) padded += paddedCells(lengths, t);
    real += b.tokens;
  }
  return padded === 0 ? 0 : 1 - real / padded;
}
