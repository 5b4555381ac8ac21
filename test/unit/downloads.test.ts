/**
 * Downloads from a hub-like server (tools/hub-server.ts) through the core's reader, in Node with a stand-in
 * Cache API: a hub id through `remoteHost`, the LFS redirect's SHA-256 checked, pieces stored as they arrive and
 * continued with Range after a dropped connection, an error answer or a stop (the reload of a page), the whole file
 * again where Range is ignored (progress never going back), a flipped byte refused and nothing kept, a quota too small
 * refused before the body is read. Bytes served are asserted, never times.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedModelFiles, cachedModels, deleteCachedModel, MODEL_CACHE_NAME } from '../../src/lib/files/cache.ts';
import { createFileReader, hubBaseUrl, ProgressTracker, resolveRemoteHost } from '../../src/lib/files/model-files.ts';
import type { LoadProgress } from '../../src/lib/types.ts';
import { fakeCaches } from '../helpers/fake-caches.ts';
import { serveHub, type HubServer } from '../../tools/hub-server.ts';
import { DEMO_MODEL_DIR } from '../helpers/models.ts';

const REPO = 'test-owner/tiny-reranker';
const MODEL = 'onnx/model_quantized.onnx';
const SIZE = fs.statSync(path.join(DEMO_MODEL_DIR, MODEL)).size; // 412,041 bytes
const PIECE = 64 * 1024;

type Global = { caches?: unknown; navigator?: unknown };

describe('downloads from a hub-like server', () => {
  let hub: HubServer;
  let events: LoadProgress[];

  beforeAll(async () => {
    hub = await serveHub({ repos: { [REPO]: DEMO_MODEL_DIR } });
  });
  afterAll(() => hub?.close());
  beforeEach(() => {
    (globalThis as Global).caches = fakeCaches();
    events = [];
    hub.answers.length = 0;
  });
  afterEach(() => {
    delete (globalThis as Global).caches;
    hub.release();
    hub.setFault(MODEL, null);
  });

  const reader = () => createFileReader(REPO, new ProgressTracker((e) => events.push(e)), true,
    { remoteHost: hub.remoteHost, pieceBytes: PIECE });
  const fileUrl = () => `${hub.remoteHost}${REPO}/resolve/main/${MODEL}`;
  const progressOf = (file: string) =>
    events.filter((e): e is Extract<LoadProgress, { status: 'progress' }> => e.status === 'progress' && e.file === file);
  const expectMonotonic = () => {
    const loaded = progressOf(MODEL).map((e) => e.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
  };
  const stored = async () => {
    const cache = await (globalThis as unknown as { caches: CacheStorage }).caches.open(MODEL_CACHE_NAME);
    return { cache, whole: await cache.match(fileUrl()), keys: (await cache.keys(fileUrl(), { ignoreSearch: true })).map((r) => r.url) };
  };
  const expectedBytes = () => fs.readFileSync(path.join(DEMO_MODEL_DIR, MODEL));

  /** Starts a read that stalls after 200,000 bytes; resolves once the three 64 KiB pieces below that are stored. */
  async function stallWithPiecesStored(fault: { ignoreRange?: boolean } = {}, signal?: AbortSignal) {
    hub.setFault(MODEL, { stallAfter: 200_000, ...fault });
    const reading = reader().read(MODEL, signal);
    reading.catch(() => {}); // awaited by the caller
    await hub.stalled(MODEL);
    await expect.poll(async () => (await cachedModelFiles()).find((f) => f.url === fileUrl())).toMatchObject({ partial: true, bytes: 3 * PIECE });
    return { reading };
  }

  it('resolves hub ids under remoteHost and refuses a remoteHost that is not an http(s) URL', () => {
    expect(hubBaseUrl('BAAI/bge-reranker-v2-m3', 'main', 'https://hf-mirror.com')).toBe('https://hf-mirror.com/BAAI/bge-reranker-v2-m3/resolve/main/');
    expect(hubBaseUrl('a/b', 'main', 'https://example.org/hf/')).toBe('https://example.org/hf/a/b/resolve/main/');
    expect(resolveRemoteHost(undefined)).toBe('https://huggingface.co/');
    for (const bad of ['ftp://x/', 'huggingface.co', '', 'https://x/?a=1']) {
      expect(() => resolveRemoteHost(bad), bad).toThrow(expect.objectContaining({ name: 'InputError' }));
    }
  });

  it('follows the LFS redirect, checks the SHA-256, and keeps one whole entry where transformers.js looks', async () => {
    const file = await reader().read(MODEL);
    expect(Buffer.from(file.bytes).equals(expectedBytes())).toBe(true);
    expect(events.find((e) => e.status === 'done')).toMatchObject({ verified: 'sha256', fromCache: false });
    expect(hub.answers.map((a) => `${a.origin} ${a.status}`)).toEqual(['hub 302', 'cdn 200']);
    const { whole, keys } = await stored();
    expect(Buffer.from(await whole!.arrayBuffer()).equals(expectedBytes())).toBe(true);
    expect(keys).toEqual([fileUrl()]); // the pieces went once the whole file was stored
    expect(file.kept).toBe(true);

    const config = await reader().read('config.json'); // a git file: its ETag is a SHA-1, so only the size is checked
    expect(config.fromCache).toBe(false);
    expect(events.filter((e) => e.status === 'done').at(-1)).toMatchObject({ verified: 'size' });
    expect((await reader().read(MODEL)).fromCache).toBe(true);
  });

  it('continues a dropped connection with a Range request from the last byte held', async () => {
    const { reading } = await stallWithPiecesStored();
    hub.release(); // the connection drops
    const file = await reading;
    expect(Buffer.from(file.bytes).equals(expectedBytes())).toBe(true);
    const cdn = hub.answers.filter((a) => a.origin === 'cdn');
    expect(cdn.map((a) => a.status)).toEqual([200, 206]);
    expect(cdn[1].range).toMatch(/^bytes=\d+-$/);
    const resumed = progressOf(MODEL).find((e) => e.resumed)?.resumed;
    expect(resumed).toMatchObject({ cause: 'retry', ranged: true });
    expect(resumed!.from).toBe(Number(/\d+/.exec(cdn[1].range!)![0]));
    expect(resumed!.from).toBeGreaterThanOrEqual(3 * PIECE);
    expect(hub.bytesServed(MODEL)).toBeLessThan(1.5 * SIZE);
    console.log(`dropped at 200,000: ${hub.bytesServed(MODEL)} bytes served for a ${SIZE}-byte file`);
    expectMonotonic();
  });

  it('tries again after an error answer', async () => {
    hub.setFault(MODEL, { failOnce: true });
    const file = await reader().read(MODEL);
    expect(file.bytes.byteLength).toBe(SIZE);
    expect(hub.answers.filter((a) => a.origin === 'cdn').map((a) => a.status)).toEqual([500, 200]);
  });

  it('gives up after five error answers in a row, saying so', async () => {
    hub.setFault(MODEL, { failOnce: true, times: 10 });
    await expect(reader().read(MODEL)).rejects.toMatchObject({ name: 'ModelLoadError',
      message: expect.stringMatching(/^could not fetch .*onnx\/model_quantized\.onnx: HTTP 500 \(5 attempts\)$/) });
    expect(hub.answers.filter((a) => a.origin === 'cdn').map((a) => a.status)).toEqual([500, 500, 500, 500, 500]);
  });

  it('where the server ignores Range, takes the whole file again, skips what it holds, and says so', async () => {
    const { reading } = await stallWithPiecesStored({ ignoreRange: true });
    hub.release(); // the connection drops; the server sends the whole file again
    const file = await reading;
    expect(Buffer.from(file.bytes).equals(expectedBytes())).toBe(true);
    expect(hub.answers.filter((a) => a.origin === 'cdn').map((a) => a.status)).toEqual([200, 200]);
    expect(progressOf(MODEL).find((e) => e.resumed)?.resumed).toMatchObject({ cause: 'retry', ranged: false });
    expectMonotonic();
    console.log(`Range ignored: ${hub.bytesServed(MODEL)} bytes served for a ${SIZE}-byte file`);
  });

  it('after a stop mid-download (a page reload), continues from the stored pieces', async () => {
    const stop = new AbortController();
    const { reading } = await stallWithPiecesStored({}, stop.signal);
    stop.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    hub.release();
    const servedBefore = hub.bytesServed(MODEL);

    events = [];
    const file = await reader().read(MODEL);
    expect(Buffer.from(file.bytes).equals(expectedBytes())).toBe(true);
    expect(progressOf(MODEL)[0].resumed).toEqual({ from: 3 * PIECE, cause: 'stored', ranged: true });
    expect(hub.answers.at(-1)).toMatchObject({ status: 206, range: `bytes=${3 * PIECE}-` });
    expect(hub.bytesServed(MODEL) - servedBefore).toBe(SIZE - 3 * PIECE);
    expect(events.find((e) => e.status === 'done')).toMatchObject({ verified: 'sha256' });
    expect((await stored()).keys).toEqual([fileUrl()]);
    console.log(`stopped at 200,000: ${hub.bytesServed(MODEL)} bytes served in all for a ${SIZE}-byte file`);
  });

  it('refuses a flipped byte by name, and keeps nothing of it', async () => {
    hub.setFault(MODEL, { flipByte: 300_000 });
    await expect(reader().read(MODEL)).rejects.toMatchObject({ name: 'IntegrityError',
      message: expect.stringMatching(/^onnx\/model_quantized\.onnx does not match its SHA-256/) });
    expect((await stored()).keys).toEqual([]);
  });

  it('fails before reading the body when the quota cannot hold the file, naming both sizes', async () => {
    const storage = { estimate: async () => ({ quota: 100_000, usage: 20_000 }), persisted: async () => false };
    Object.defineProperty(globalThis, 'navigator', { value: { storage }, configurable: true });
    try {
      await expect(reader().read(MODEL)).rejects.toMatchObject({ name: 'StorageQuotaError',
        message: expect.stringMatching(new RegExp(`needs .*\\(${SIZE} bytes\\).* only .*\\(80000 bytes\\)`)) });
      expect(progressOf(MODEL).filter((e) => e.loaded > 0)).toEqual([]);
      expect((await stored()).keys).toEqual([]);
    } finally {
      Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
    }
  });

  it('lists the cache per model and deletes one model', async () => {
    await reader().read(MODEL);
    await reader().read('config.json');
    const [model] = await cachedModels();
    expect(model).toMatchObject({ model: REPO, base: `${hub.remoteHost}${REPO}/resolve/main/`, bytes: SIZE + fs.statSync(path.join(DEMO_MODEL_DIR, 'config.json')).size });
    expect(model.files).toHaveLength(2);
    expect(await deleteCachedModel(REPO)).toBe(model.bytes);
    expect(await cachedModels()).toEqual([]);
  });
});
