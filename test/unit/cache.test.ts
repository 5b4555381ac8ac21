/**
 * The browser cache seen from the core, with a stand-in for the Cache API (Node has none): a file that cannot be
 * stored (quota) is still used and `info.notes` says it will download again; a stored file is read back without a
 * request, and `cachedModelFiles` / `clearModelCache` report and clear what is stored.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReranker } from '../../src/lib/index.ts';
import { cachedModelFiles, clearModelCache } from '../../src/lib/files/cache.ts';
import { DEMO_MODEL_DIR } from '../helpers/models.ts';
import { fakeCaches } from '../helpers/fake-caches.ts';
import { serveDirectory, type TestServer } from '../helpers/server.ts';

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
    (globalThis as { caches?: unknown }).caches = fakeCaches({ failPut: true });
    const reranker = await createReranker({ model: { url: server.url }, device: 'wasm', dtype: 'q8' });
    try {
      const notes = reranker.info.notes.filter((n) => n.includes('browser cache'));
      expect(notes).toHaveLength(4); // config, tokenizer, tokenizer config, model
      expect(notes.find((n) => n.startsWith('onnx/model_quantized.onnx'))).toMatch(/QuotaExceededError.*download again next time/);
      expect((await reranker.score([['q', 'd']]))[0]).toBeGreaterThan(0);
      expect(reranker.info.storage).toMatchObject({ kept: false, bytes: 0, reason: expect.stringMatching(/QuotaExceededError/) });
    } finally {
      await reranker.dispose();
    }
  });

  it('serves a second load from the cache with no model request, lists the files, and clears them', async () => {
    (globalThis as { caches?: unknown }).caches = fakeCaches();
    const first = await createReranker({ model: { url: server.url }, device: 'wasm', dtype: 'q8' });
    await first.dispose();
    expect(first.info.notes.filter((n) => n.includes('browser cache'))).toEqual([]);
    expect(first.info.storage).toMatchObject({ kept: true, persisted: null }); // Node has no StorageManager to ask
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
