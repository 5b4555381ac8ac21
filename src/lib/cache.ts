/**
 * The browser cache of downloaded model files (the Cache API store transformers.js uses, so both libraries share
 * downloads): what is in it, how big, and clearing it. Runs in a page or a worker.
 */

export interface CachedFile {
  url: string;
  bytes: number;
}

/**
 * The Cache API store the model reader uses: transformers.js' default `env.cacheKey`, so either library finds the
 * other's downloads. A literal, not read from `env`: the page's copy of transformers.js is not the worker's, and this
 * module must not pull transformers.js into the page.
 */
export const MODEL_CACHE_NAME = 'transformers-cache';

/** Where hub ids are downloaded from unless transformers.js' `env.remoteHost` says otherwise. */
export const DEFAULT_HUB_HOST = 'https://huggingface.co/';

/**
 * Marks the responses this library stores, so that listing and clearing touch only them: the store is shared with
 * transformers.js, whose files (other models of the same page) are not ours to delete.
 */
export const STORED_BY_HEADER = 'x-stored-by';
export const STORED_BY = 'bge-reranker-web';

const isOurs = (response: Response | undefined) => response?.headers.get(STORED_BY_HEADER) === STORED_BY;

/**
 * Every file this library cached, with its size, largest first; empty where there is no Cache API (Node, opaque
 * origins).
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
    if (!response || !isOurs(response)) continue;
    const length = Number(response.headers.get('content-length'));
    // Without a length header the blob's size is read from the cache's own metadata, not by reading the bytes.
    const bytes = Number.isFinite(length) && length > 0 ? length : (await response.blob()).size;
    files.push({ url: request.url, bytes });
  }
  return files.sort((a, b) => b.bytes - a.bytes);
}

/**
 * Deletes the files this library cached (transformers.js' own entries in the shared store stay); resolves with
 * whether there was anything to delete.
 */
export async function clearModelCache(): Promise<boolean> {
  if (typeof caches === 'undefined' || !(await caches.has(MODEL_CACHE_NAME).catch(() => false))) return false;
  const cache = await caches.open(MODEL_CACHE_NAME);
  let deleted = false;
  for (const request of await cache.keys()) {
    if (isOurs(await cache.match(request))) deleted = (await cache.delete(request)) || deleted;
  }
  return deleted;
}
