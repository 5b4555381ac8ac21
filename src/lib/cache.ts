/**
 * The browser cache of downloaded model files (the Cache API store transformers.js uses, so both libraries share
 * downloads): what is in it, how big, and clearing it. Runs in a page or a worker.
 */

export interface CachedFile {
  url: string;
  bytes: number;
}

/**
 * transformers.js' default `env.cacheKey`, which the model reader uses. A literal, not read from `env`: the page's
 * copy of transformers.js is not the worker's, and this module must not pull transformers.js into the page.
 */
export const MODEL_CACHE_NAME = 'transformers-cache';

/**
 * Every cached file with its size, largest first; empty where there is no Cache API (Node, opaque origins).
 *
 * @example
 * await cachedModelFiles()
 * // → [{ url: 'https://huggingface.co/onnx-community/bge-reranker-v2-m3-ONNX/resolve/main/onnx/model_quantized.onnx', bytes: 570727094 }, ...]
 */
export async function cachedModelFiles(): Promise<CachedFile[]> {
  if (typeof caches === 'undefined' || !(await caches.has(MODEL_CACHE_NAME).catch(() => false))) return [];
  const cache = await caches.open(MODEL_CACHE_NAME);
  const files: CachedFile[] = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    if (!response) continue;
    const length = Number(response.headers.get('content-length'));
    // Without a length header the blob's size is read from the cache's own metadata, not by reading the bytes.
    const bytes = Number.isFinite(length) && length > 0 ? length : (await response.blob()).size;
    files.push({ url: request.url, bytes });
  }
  return files.sort((a, b) => b.bytes - a.bytes);
}

/** Deletes every cached model file; resolves with whether there was anything to delete. */
export async function clearModelCache(): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  return caches.delete(MODEL_CACHE_NAME);
}
