/**
 * `bge-reranker-web/core`: the reranker in the calling thread (tokenize → batch → run → score), for a worker of your
 * own or for Node. The main entry's `createReranker` wraps this in the bundled worker; `serveReranker` is that
 * worker's side, for a worker of your own that the main entry's `createReranker({ endpoint })` talks to. The ranking
 * functions are what another implementation of `Reranker` (a server, another runtime) shares with this one.
 *
 * @example
 * import { createReranker } from 'bge-reranker-web/core';
 * const reranker = await createReranker({ model: { url: 'https://example.org/models/bge-reranker-v2-m3/' }, device: 'wasm' });
 * await reranker.score([['capital of France', 'Paris is the capital of France.']]) // → [0.98]
 */
export * from './lib/index.ts';
export { serveReranker, WORKER_MAX_WAIT_MS, type ServeOptions } from './worker/serve.ts';
export type { Endpoint } from './worker/protocol.ts';
export { checkRerankCall, checkScoreCall, poolWindows, rankScores, scoresFromLogits, type DocumentPiece,
  type RerankPlan } from './lib/ranking.ts';
export { installMemoryProbe, type MemoryProbe, type MemoryUsage } from './lib/runtime/memory.ts';
export { cachedModelFiles, cachedModels, clearModelCache, deleteCachedModel, persistModelStorage, type CachedFile,
  type CachedModel } from './lib/files/cache.ts';
