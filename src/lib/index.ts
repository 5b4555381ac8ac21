/** The library's public surface: `createReranker` and its types. */
export { createReranker, DEFAULT_MAX_LENGTH, MAX_MAX_LENGTH } from './runtime/load.ts';
export { DEFAULT_LIMITS, type Limits } from './validate.ts';
export { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS, planBatches, paddingShare } from './batching/batching.ts';
export type { PlannedBatch } from './batching/batching.ts';
export { BERT_PAIR_TEMPLATE, buildPairIds, XLMR_PAIR_TEMPLATE, type PairTemplate } from './text/pairs.ts';
export { DTYPE_ORDER, DTYPES, type DtypeSpec } from './dtypes.ts';
export { KNOWN_MODELS, knownModel, publishedDtypes, type KnownModel } from './files/known-models.ts';
export {
  AbortError, DeviceLostError, DisposedError, ERROR_CLASSES, InputError, IntegrityError, ModelLoadError, OutOfMemoryError,
  RerankerError, StorageQuotaError, type RerankerErrorName,
} from './errors.ts';
export * from './types.ts';
