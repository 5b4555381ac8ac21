/**
 * Issue 21: downloads through the public `createReranker` (the model in the bundled worker) in Chromium, from the
 * hub-like test server through `remoteHost`, with the committed tiny demo model's files. The q8 file (412,041 bytes) is
 * an LFS file (redirected to the second origin) stored in 64 KiB pieces, so resuming is real: a dropped connection
 * continues with Range, a reload mid-download continues from the stored pieces, a flipped byte is refused and nothing
 * of it cached, a server that ignores Range still completes, and a quota too small fails before the body is read.
 * The bytes served are printed for the record; nothing here depends on speed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HubServer } from '../../tools/hub-server.ts';
import { openHubBrowser, type HubBrowser } from '../helpers/hub-browser.ts';
import { DEMO_MODEL_DIR } from '../helpers/models.ts';
import { chromiumSkipReason, type BrowserEnv } from '../../tools/browser/harness.ts';
import type { HubLoad, HubLoadResult } from '../../tools/pages/downloads-page.ts';

const REPO = 'test-owner/tiny-reranker';
const MODEL = 'onnx/model_quantized.onnx';
const SIZE = fs.statSync(path.join(DEMO_MODEL_DIR, MODEL)).size;
const PIECE = 64 * 1024;

const skip = chromiumSkipReason();

describe.skipIf(skip !== null)('downloads through the worker in Chromium', () => {
  let env: BrowserEnv;
  let hub: HubServer;
  let page: Page;
  let request: HubLoad;
  let opened: HubBrowser | undefined;

  beforeAll(async () => {
    // The worker is held to the dev server's Content-Security-Policy, which lets the hub-like server in.
    opened = await openHubBrowser(REPO);
    ({ env, hub } = opened);
    request = { remoteHost: hub.remoteHost, model: REPO, pieceBytes: PIECE };
  }, 180_000);

  afterAll(async () => {
    await opened?.close();
  }, 120_000);

  beforeEach(async () => {
    page = await env.open('tools/pages/downloads.html', { ready: 'downloadsReady', timeoutMs: 120_000 });
    await page.evaluate(() => window.clearCache());
    hub.answers.length = 0;
  }, 180_000);

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') console.log(env.dumpLogs());
    hub.setFault(MODEL, null);
    hub.release();
    await page?.close();
  });

  const load = (): Promise<HubLoadResult> => page.evaluate((r) => window.loadHub(r), request);
  const progressOf = (result: HubLoadResult) =>
    result.events.filter((e): e is Extract<HubLoadResult['events'][number], { status: 'progress' }> => e.status === 'progress' && e.file === MODEL);
  const expectLoaded = (result: HubLoadResult) => {
    expect(result.error, env.dumpLogs()).toBeUndefined();
    expect(result.score).toBeGreaterThan(0);
    const loaded = progressOf(result).map((e) => e.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b)); // monotonic
    expect(result.events.find((e) => e.status === 'done' && e.file === MODEL)).toMatchObject({ verified: 'sha256' });
  };
  const modelEntries = async () => (await page.evaluate(() => window.cachedFiles())).filter((f) => f.url.endsWith(MODEL));
  const record = (what: string) => console.log(`${what}: ${hub.bytesServed(MODEL)} bytes served for the ${SIZE}-byte file ` +
    `(${hub.answers.filter((a) => a.file === MODEL).map((a) => `${a.origin} ${a.status}${a.range ? ` ${a.range}` : ''}`).join(', ')})`);

  it('loads a hub id from the mirror, verified, kept whole in the cache, and listed per model', async () => {
    const result = await load();
    expectLoaded(result);
    expect(result.info!.storage).toMatchObject({ kept: true, bytes: expect.any(Number) });
    // The worker cannot ask; the page asked for it once the model was kept, and info has the browser's answer.
    expect(typeof result.info!.storage!.persisted).toBe('boolean');
    console.log(`persist() answered ${result.info!.storage!.persisted}`);
    expect(result.info!.files.every((f) => !f.fromCache)).toBe(true);
    expect(await modelEntries()).toEqual([expect.objectContaining({ bytes: SIZE, model: REPO })]);
    expect((await modelEntries())[0].partial).toBeUndefined();
    const [model] = await page.evaluate(() => window.cachedModelList());
    expect(model).toMatchObject({ model: REPO, base: `${hub.remoteHost}${REPO}/resolve/main/` });
    expect(hub.bytesServed(MODEL)).toBe(SIZE);
    // Once kept, the model file is read weight by weight from the cache, not held in the worker's memory.
    expect(result.info!.runtime!.weights).toBe('read-on-demand');

    const again = await load();
    expect(again.info!.files.every((f) => f.fromCache)).toBe(true);
    expect(again.info!.runtime!.weights).toBe('read-on-demand');
    expect(hub.bytesServed(MODEL)).toBe(SIZE); // nothing downloaded again
    // The same scores as the file held in memory (not kept: downloaded again).
    const inMemory = await page.evaluate((r) => window.loadHub({ ...r, cache: false }), request);
    expect(inMemory.info!.runtime!.weights).toBe('file-as-external-data');
    expect([again.score, inMemory.score]).toEqual([result.score, result.score]);
    // Picked files are read on demand too, whatever their size: they are on disk already.
    const picked = await page.evaluate(([base, paths]) => window.loadPicked(base, paths),
      [`${hub.remoteHost}${REPO}/resolve/main/`, ['config.json', 'tokenizer.json', 'tokenizer_config.json', MODEL]] as const);
    expect(picked.error).toBeUndefined();
    expect(picked.info!.runtime!.weights).toBe('read-on-demand');
    expect(picked.score).toBe(result.score);
    expect(await page.evaluate((m) => window.deleteModel(m), REPO)).toBe(model.bytes);
    expect(await page.evaluate(() => window.cachedFiles())).toEqual([]);
  });

  it("runs the self-check's wasm reference in a worker of its own, ended before the session is built", async () => {
    expectLoaded(await load()); // kept: read on demand from here on
    const check = (options: Partial<HubLoad>) => page.evaluate((r) => window.loadHub(r), { ...request, ...options });
    const gpu = await check({ device: 'webgpu' });
    expect(gpu.error).toBeUndefined();
    expect(gpu.info).toMatchObject({ backend: 'webgpu', runtime: { weights: 'read-on-demand' } });
    expect(gpu.info!.runtime!.fidelity).toMatchObject({ ok: true, collapsed: false, reference: 'separate-worker' });
    // On wasm too when asked: the other worker's wasm gives this worker's logits exactly.
    const wasm = await check({ selfCheck: true });
    expect(wasm.info!.runtime!.fidelity).toMatchObject({ ok: true, maxDiff: 0, reference: 'separate-worker' });
    // A file held in memory is not read from a Blob: the reference runs beside the session.
    const inMemory = await check({ selfCheck: true, cache: false });
    expect(inMemory.info!.runtime).toMatchObject({ weights: 'file-as-external-data', fidelity: { maxDiff: 0, reference: 'in-process' } });
    expect(inMemory.score).toBe(wasm.score);
  });

  /**
   * Starts a load that stalls after 200,000 bytes, and resolves once the three 64 KiB pieces below that are stored:
   * the worker holds them, whatever the machine's speed, before the connection is cut or the page reloads.
   */
  async function stallWithPiecesStored(fault: { ignoreRange?: boolean } = {}): Promise<{ loading: Promise<HubLoadResult> }> {
    hub.setFault(MODEL, { stallAfter: 200_000, ...fault });
    const loading = load();
    loading.catch(() => {}); // a reload ends it
    await hub.stalled(MODEL);
    await expect.poll(async () => (await modelEntries())[0], { timeout: 60_000 }).toMatchObject({ partial: true, bytes: 3 * PIECE });
    return { loading };
  }

  it('continues a dropped connection with Range', async () => {
    const { loading } = await stallWithPiecesStored();
    hub.release(); // the connection drops
    const result = await loading;
    expectLoaded(result);
    const resumed = progressOf(result).find((e) => e.resumed)?.resumed;
    expect(resumed).toMatchObject({ cause: 'retry', ranged: true });
    expect(resumed!.from).toBeGreaterThanOrEqual(3 * PIECE);
    expect(hub.answers.filter((a) => a.file === MODEL && a.origin === 'cdn').map((a) => a.status)).toEqual([200, 206]);
    expect(hub.bytesServed(MODEL)).toBeLessThan(1.5 * SIZE);
    record('dropped after 200,000 bytes');
  });

  it('continues after a reload mid-download from the stored pieces', async () => {
    await stallWithPiecesStored();
    await page.reload();
    await page.waitForFunction(() => window.downloadsReady === true);
    hub.release();
    const servedBefore = hub.bytesServed(MODEL);

    const result = await load();
    expectLoaded(result);
    expect(progressOf(result).find((e) => e.resumed)?.resumed).toEqual({ from: 3 * PIECE, cause: 'stored', ranged: true });
    expect(hub.bytesServed(MODEL) - servedBefore).toBe(SIZE - 3 * PIECE);
    expect(hub.bytesServed(MODEL)).toBeLessThan(1.5 * SIZE);
    expect(await modelEntries()).toEqual([expect.objectContaining({ bytes: SIZE })]);
    expect((await modelEntries())[0].partial).toBeUndefined();
    record('reloaded after 200,000 bytes');
  });

  it('refuses a flipped byte as IntegrityError naming the file, and caches nothing of it', async () => {
    hub.setFault(MODEL, { flipByte: 300_000 });
    const result = await load();
    expect(result.error).toMatchObject({ name: 'IntegrityError', message: expect.stringContaining(`${MODEL} does not match its SHA-256`) });
    expect(await modelEntries()).toEqual([]);
    record('a flipped byte');
  });

  it('completes where the server ignores Range, and says so', async () => {
    const { loading } = await stallWithPiecesStored({ ignoreRange: true });
    hub.release(); // the connection drops; the server sends the whole file again
    const result = await loading;
    expectLoaded(result);
    const resumed = progressOf(result).find((e) => e.resumed)?.resumed;
    expect(resumed).toMatchObject({ cause: 'retry', ranged: false });
    expect(resumed!.from).toBeGreaterThanOrEqual(3 * PIECE);
    expect(hub.answers.filter((a) => a.file === MODEL && a.origin === 'cdn').map((a) => a.status)).toEqual([200, 200]);
    record('Range ignored, dropped after 200,000 bytes');
  });

  it('still completes a slow (trickling) download', async () => {
    hub.setFault(MODEL, { trickle: { bytes: 16 * 1024, everyMs: 5 } });
    expectLoaded(await load());
    expect(hub.bytesServed(MODEL)).toBe(SIZE);
  });

  it('runs from memory when the disk fills mid-download, taking back the stored pieces instead of downloading them again', async () => {
    const result = await page.evaluate((r) => window.loadHub(r), { ...request, fullDisk: true });
    expectLoaded(result);
    expect(result.info!.storage).toMatchObject({ kept: false, reason: expect.stringMatching(/QuotaExceededError/) });
    expect(result.info!.runtime!.weights).toBe('file-as-external-data'); // not kept: the file is held in memory
    expect(hub.bytesServed(MODEL)).toBe(SIZE);
    expect(await modelEntries()).toEqual([]); // neither the file nor its two pieces stay
    record('disk full after two pieces');
    const kept = await load(); // the same scores as the file read on demand from the cache
    expect(kept.info!.runtime!.weights).toBe('read-on-demand');
    expect(kept.score).toBe(result.score);
  });

  it('fails before downloading when the quota cannot hold the model, naming both sizes', async () => {
    const result = await page.evaluate((r) => window.loadHub(r), { ...request, smallQuota: true });
    expect(result.error).toMatchObject({ name: 'StorageQuotaError',
      message: expect.stringMatching(new RegExp(`^${MODEL} needs .*\\(${SIZE} bytes\\) of storage, but this site may store only .*\\(200000 bytes\\)`)) });
    expect(progressOf(result).filter((e) => e.loaded > 0)).toEqual([]);
    expect(await modelEntries()).toEqual([]);
    record('quota of 200,000 bytes');
  });
});
