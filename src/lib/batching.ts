/**
 * Splits pairs into batches. `fixed` keeps input order (the seed's "after": batch 16 in arrival order); `tokens`
 * sorts by length and packs each batch up to a budget of padded tokens, so short pairs are not padded to the length
 * of a long one: on a compute-bound device padding is pure waste.
 */
export type BatchingMode = 'fixed' | 'tokens';

export interface BatchPlanOptions {
  mode: BatchingMode;
  /** Pairs per batch (`fixed`), or the most pairs a batch may hold (`tokens`). */
  batchSize: number;
  /** Budget of padded tokens (rows × longest row) per batch, for `tokens`. */
  maxBatchTokens: number;
}

export interface PlannedBatch {
  /** Input positions of the batch's rows, in row order. */
  indices: number[];
  /** Longest row: every row is padded to this. */
  sequenceLength: number;
  /** Real tokens in the batch. */
  tokens: number;
}

export const DEFAULT_BATCH_SIZE = 16;
export const DEFAULT_MAX_BATCH_TOKENS = 8192;

function makeBatch(indices: number[], lengths: readonly number[]): PlannedBatch {
  let sequenceLength = 0;
  let tokens = 0;
  for (const i of indices) {
    sequenceLength = Math.max(sequenceLength, lengths[i]);
    tokens += lengths[i];
  }
  return { indices, sequenceLength, tokens };
}

/**
 * @example
 * planBatches([5, 100, 6, 98], { mode: 'tokens', batchSize: 16, maxBatchTokens: 200 })
 * // → [{ indices: [1, 3], sequenceLength: 100, tokens: 198 }, { indices: [2, 0], sequenceLength: 6, tokens: 11 }]
 */
export function planBatches(lengths: readonly number[], options: BatchPlanOptions): PlannedBatch[] {
  const batches: PlannedBatch[] = [];
  if (options.mode === 'fixed') {
    for (let start = 0; start < lengths.length; start += options.batchSize) {
      const indices = Array.from({ length: Math.min(options.batchSize, lengths.length - start) }, (_, k) => start + k);
      batches.push(makeBatch(indices, lengths));
    }
    return batches;
  }

  // Longest first: the costliest batch runs first, so an out-of-memory batch fails before work is spent on others.
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  let current: number[] = [];
  let currentMax = 0;
  for (const i of order) {
    const longest = Math.max(currentMax, lengths[i]);
    const fits = (current.length + 1) * longest <= options.maxBatchTokens && current.length < options.batchSize;
    if (current.length > 0 && !fits) {
      batches.push(makeBatch(current, lengths));
      current = [];
    }
    current.push(i);
    currentMax = current.length === 1 ? lengths[i] : longest;
  }
  if (current.length > 0) batches.push(makeBatch(current, lengths));
  return batches;
}

/** Share of a plan's tensor cells that are padding. */
export function paddingShare(batches: readonly PlannedBatch[]): number {
  let padded = 0;
  let real = 0;
  for (const b of batches) {
    padded += b.indices.length * b.sequenceLength;
    real += b.tokens;
  }
  return padded === 0 ? 0 : 1 - real / padded;
}
