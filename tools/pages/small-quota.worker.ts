/// <reference lib="webworker" />
/**
 * A reranker worker whose origin may store 200,000 bytes: the StorageManager's estimate is replaced, because Chromium's
 * DevTools quota override (`Storage.overrideQuotaForOrigin`) does not reach `navigator.storage.estimate()` (measured).
 */
import { serveReranker } from '../../src/worker/serve.ts';

export const SMALL_QUOTA = 200_000;

Object.defineProperty(StorageManager.prototype, 'estimate', {
  value: async () => ({ quota: SMALL_QUOTA, usage: 0 }),
});
serveReranker(self);
