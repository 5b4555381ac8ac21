/**
 * The browser cache seen from the core, with a stand-in for the Cache API (Node has none): a file that cannot be
 * stored (quota) is still used and `info.notes` says it will download again; a stored file is read back without a
 * request, and `cachedModelFiles` / `clearModelCache` report and clear what is stored.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReranker } from '../../src/lib/index.ts';
import { cachedModelFiles, clearModelCache } from '../../src/lib/cache.ts';
import { DEMO_MODEL_DIR } from '../helpers/models.ts';
import { serveDirectory, type TestServer } from '../helpers/server.ts';

/** A Map-backed CacheStorage with one cache; `failPut` makes every put reject as a full quota does. */
function fakeCaches(failPut: boolean) {
  const stores = new Map<string, Map<string, Response>>();
  const open = async (name: string) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name)!;
    return {
      match: async (key: RequestInfo | URL) => store.get(String(key instanceof Request ? key.url : key))?.clone(),
      put: async (key: RequestInfo | URL, response: Response) => {
        if (failPut) throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
        store.set(String(key), response);
      },
      keys: async (key?: RequestInfo | URL, options?: CacheQueryOptions) => {
        const wanted = key === undefined ? null : new URL(key instanceof Request ? key.url : String(key));
        const bare = (url: URL) => (options?.ignoreSearch ? `${url.origin}${url.pathname}` : url.href);
        return [...store.keys()].filter((url) => !wanted || bare(new URL(url)) === bare(wanted)).map((url) => new Request(url));
      },
      delete: async (key: RequestInfo | URL) => store.delete(String(key instanceof Request ? key.url : key)),
    };
  };
  return {
    open,
    has: async (name: string) => stores.has(name),
    delete: async (name: string) => stores.delete(name),
  };
}

describe('the browser cache', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await serveDirectory(DEMO_MODEL_DIR);
  });
  afterAll(() => server?.close());
  afterEach(() => {
    delete (globalThis as { caches?: unknown }).caches;
  });

  it('keeps working when a file cannot be stored, and says it will download again', async () => {
    (globalThis as { caches?: unknown }).caches = fakeCaches(true);
    const reranker = await createReranker({ model: { url: server.url }, device: 'wasm', dtype: 'q8' });
    try {
      const notes = reranker.info.notes.filter((n) => n.includes('browser cache'));
      expect(notes).toHaveLength(4); // config, tokenizer, tokenizer config, model
      expect(notes.find((n) => n.startsWith('onnx/model_quantized.onnx'))).toMatch(/QuotaExceededError.*download again next time/);
      expect((await reranker.score([['q', 'd']]))[0]).toBeGreaterThan(0);
    } finally {
      await reranker.dispose();
    }
  });

  it('serves a second load from the cache with no model request, lists the files, and clears them', async () => {
    (globalThis as { caches?: unknown }).caches = fakeCaches(false);
    const first = await createReranker({ model: { url: server.url }, device: 'wasm', dtype: 'q8' });
    await first.dispose();
    expect(first.info.notes.filter((n) => n.includes('browser cache'))).toEqual([]);
    const listed = await cachedModelFiles();
    expect(listed.map((f) => f.url.slice(server.url.length)).sort()).toEqual(
      ['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(listed[0].url).toMatch(/model_quantized\.onnx$/); // largest first
    expect(listed.every((f) => f.bytes > 0)).toBe(true);

    const requestsBefore = server.requests.filter((r) => r.startsWith('GET')).length;
    const second = await createReranker({ model: { url: server.url }, device: 'wasm', dtype: 'q8' });
    await second.dispose();
    expect(second.info.files.every((f) => f.fromCache)).toBe(true);
    expect(server.requests.filter((r) => r.startsWith('GET')).length).toBe(requestsBefore);

    // transformers.js shares the store: its own entries (another model of the page) are not ours to list or delete.
    const store = await (globalThis as unknown as { caches: CacheStorage }).caches.open('transformers-cache');
    await store.put('https://huggingface.co/other/model/resolve/main/onnx/model.onnx', new Response('theirs'));
    expect(await cachedModelFiles()).toHaveLength(4);
    expect(await clearModelCache()).toBe(true);
    expect(await cachedModelFiles()).toEqual([]);
    expect(await store.match('https://huggingface.co/other/model/resolve/main/onnx/model.onnx')).toBeDefined();
    expect(await clearModelCache()).toBe(false);
  });
});
