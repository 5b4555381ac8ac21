/**
 * bge-reranker-web: rerank documents against a query in the browser with BAAI/bge-reranker-v2-m3 on onnxruntime-web
 * (WebGPU, wasm fallback). `createReranker` runs the model in a bundled Web Worker, so the page stays responsive; this
 * entry holds no onnxruntime code itself (that lives in the worker). `bge-reranker-web/core` is the same reranker
 * in the calling thread, for your own worker or Node.
 *
 * @example
 * import { createReranker } from 'bge-reranker-web';
 * const reranker = await createReranker({ model: 'onnx-community/bge-reranker-v2-m3-ONNX', dtype: 'auto' });
 * const ranked = await reranker.rerank('capital of France', ['Berlin is in Germany.', 'Paris is the capital of France.']);
 * // → [{ index: 1, score: 0.98, truncated: false }, { index: 0, score: 0.01, truncated: false }]
 */
export { createWorkerReranker as createReranker, type WorkerReranker } from './worker/client.ts';
export type { Endpoint } from './worker/protocol.ts';
export { cachedModelFiles, cachedModels, clearModelCache, deleteCachedModel, persistModelStorage, storageState,
  type CachedFile, type CachedModel, type StorageState } from './lib/files/cache.ts';
export { DTYPE_ORDER, DTYPES, type DtypeSpec } from './lib/dtypes.ts';
export { KNOWN_MODELS, knownModel, publishedDtypes, type KnownModel } from './lib/files/known-models.ts';
export type { MemoryUsage } from './lib/runtime/memory.ts';
export type { Limits } from './lib/validate.ts';
export {
  AbortError, DeviceLostError, DisposedError, ERROR_CLASSES, InputError, IntegrityError, ModelLoadError, OutOfMemoryError,
  RerankerError, StorageQuotaError, type RerankerErrorName,
} from './lib/errors.ts';
export * from './lib/types.ts';
