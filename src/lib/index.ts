/** The library's public surface: `createReranker` and its types. */
export { createReranker, DEFAULT_MAX_LENGTH, MAX_MAX_LENGTH } from './load.ts';
export { DEFAULT_LIMITS, type Limits } from './validate.ts';
export { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS, planBatches, paddingShare } from './batching.ts';
export type { BatchingMode, PlannedBatch } from './batching.ts';
export { buildPairIds, XLMR_SPECIAL_TOKENS } from './pairs.ts';
export * from './errors.ts';
export * from './types.ts';
