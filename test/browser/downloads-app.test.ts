/**
 * Issue 21 in the app (under the dev server, in Chromium): a download left unfinished by an earlier visit is listed
 * as such in the cache panel; a Load through the hub mirror field continues it (the progress says where and why, and
 * the model's files say how each arrived and what was checked); the browser's hold on stored models is shown and can
 * be asked for; one model's files are deleted on their own. The hub-like server holds the download open at a byte
 * count (a stall), so nothing here depends on speed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubServer } from '../../tools/hub-server.ts';
import { openHubBrowser, type HubBrowser } from '../helpers/hub-browser.ts';
import { DEMO_MODEL_DIR } from '../helpers/models.ts';
import { chromiumSkipReason, type BrowserEnv } from '../../tools/browser/harness.ts';
import { SCREENSHOTS } from './app-page.ts';

const REPO = 'test-owner/tiny-reranker';
const MODEL = 'onnx/model_quantized.onnx';
const SIZE = fs.statSync(path.join(DEMO_MODEL_DIR, MODEL)).size;
const PIECE = 64 * 1024;
/** Waits on the page (a busy machine is slow); nothing here waits on a clock otherwise. */
const POLL = { timeout: 60_000 };

const skip = chromiumSkipReason();

describe.skipIf(skip !== null)('the app\'s downloads: resume, storage, per-model delete', () => {
  let opened: HubBrowser | undefined;
  let env: BrowserEnv;
  let hub: HubServer;

  beforeAll(async () => {
    opened = await openHubBrowser(REPO, { include: ['lit', 'lit/decorators.js', 'lit/directive.js', '@lit/task', 'uplot'] });
    ({ env, hub } = opened);
  }, 180_000);

  afterAll(async () => {
    await opened?.close();
  }, 120_000);

  afterEach((context) => {
    if (context.task.result?.state === 'fail') console.log(env.dumpLogs());
  });

  it('lists an unfinished download, continues it from the stored pieces, says how each file arrived, and deletes one model', async () => {
    // An earlier visit: the library (64 KiB pieces) stored three pieces, then the page went away mid-download.
    const earlier = await env.open('tools/pages/downloads.html', { ready: 'downloadsReady', timeoutMs: 120_000 });
    await earlier.evaluate(() => window.clearCache());
    hub.setFault(MODEL, { stallAfter: 200_000 });
    void earlier.evaluate((r) => window.loadHub(r), { remoteHost: hub.remoteHost, model: REPO, pieceBytes: PIECE }).catch(() => {});
    await hub.stalled(MODEL);
    await expect.poll(async () => (await earlier.evaluate(() => window.cachedFiles())).find((f) => f.url.endsWith(MODEL)),
      { timeout: 60_000 }).toMatchObject({ partial: true, bytes: 3 * PIECE });
    await earlier.close();
    hub.release();
    hub.setFault(MODEL, null);

    const page = await env.open('index.html', { timeoutMs: 120_000 });
    const row = page.getByTestId('cached-model');
    await expect.poll(() => row.count(), POLL).toBe(1);
    expect(await row.getAttribute('data-model')).toBe(REPO);
    expect(await row.getByTestId('cached-model-partial').textContent())
      .toBe('unfinished download (196.6 KB stored): the next load continues it');

    // Load through the mirror field; the continued answer stalls, so its progress can be read mid-download.
    await page.getByTestId('source-hub').check();
    await page.getByTestId('hub-id').fill(REPO);
    await page.locator('model-source-choice summary').click();
    await page.getByTestId('hub-mirror').fill(hub.remoteHost);
    await page.getByTestId('device-select').selectOption('wasm');
    hub.setFault(MODEL, { stallAfter: 100_000 });
    const servedBefore = hub.bytesServed(MODEL);
    await page.getByTestId('load-button').click();
    await hub.stalled(MODEL);
    await expect.poll(() => page.getByTestId('load-progress-resumed').textContent(), POLL)
      .toBe('resumed at 196.6 KB: stored by an earlier visit');
    expect(await page.getByTestId('load-progress-file').filter({ hasText: MODEL }).locator('.bytes').textContent()).toMatch(/ \/ 412\.0 KB$/);
    await page.locator('model-panel').screenshot({ path: path.join(SCREENSHOTS, 'download-resumed.png') });
    hub.release(); // the connection drops: the download continues once more, with Range
    await page.locator('[data-testid="model-status"][data-status="ready"]').waitFor({ timeout: 120_000 });
    // The bytes stored before the visit are not fetched again (what the stall had sent may be, if it never arrived).
    expect(hub.bytesServed(MODEL) - servedBefore).toBeGreaterThanOrEqual(SIZE - 3 * PIECE);
    expect(hub.bytesServed(MODEL) - servedBefore).toBeLessThan(SIZE);

    const modelRow = page.getByTestId('info-file').filter({ hasText: MODEL });
    expect(await modelRow.getByTestId('info-file-arrival').textContent())
      .toMatch(/^resumed at \d+\.\d KB: the connection dropped; SHA-256 checked$/);
    // The small files came whole with the earlier visit, and were read from the cache.
    expect(await page.getByTestId('info-file').filter({ hasText: 'config.json' }).locator('td').nth(2).textContent()).toBe('browser cache');
    expect(await page.getByTestId('info-storage').getAttribute('data-kept')).toBe('true');
    expect(await page.getByTestId('info-storage').textContent()).toMatch(/^Kept in the browser cache \(\d+\.\d KB\)\.$/);

    // The cache panel: the model whole now, and the browser's answer on keeping it, as the page itself reads it.
    await expect.poll(() => row.getByTestId('cached-model-partial').count(), POLL).toBe(0);
    const persisted = await page.evaluate(() => navigator.storage.persisted());
    await expect.poll(() => page.getByTestId('storage-persisted').getAttribute('data-persisted'), POLL).toBe(String(persisted));
    expect(await page.getByTestId('persist-button').count()).toBe(persisted ? 0 : 1);
    console.log(`navigator.storage.persisted() after the load: ${persisted}`);
    if (!persisted) { // asking again shows the browser's new answer, whatever it is
      await page.getByTestId('persist-button').click();
      const now = await page.evaluate(() => navigator.storage.persisted());
      await expect.poll(() => page.getByTestId('storage-persisted').getAttribute('data-persisted'), POLL).toBe(String(now));
    }
    await page.locator('model-panel').screenshot({ path: path.join(SCREENSHOTS, 'download-stored.png') });

    // Another model's entry stays when this one is deleted.
    await page.evaluate(async () => {
      const cache = await caches.open('transformers-cache');
      await cache.put('https://example.org/other/resolve/main/config.json', new Response('{}', {
        headers: { 'x-stored-by': 'bge-reranker-web', 'x-bge-reranker-model': 'someone/other', 'content-length': '2' } }));
    });
    await page.getByTestId('load-button').click(); // a load re-reads the cache listing: now from the cache
    await page.locator('[data-testid="model-status"][data-status="ready"]').waitFor({ timeout: 120_000 });
    await expect.poll(() => row.count(), POLL).toBe(2);
    await page.locator(`[data-testid="cached-model"][data-model="${REPO}"] [data-testid="delete-model"]`).click();
    await expect.poll(() => row.count(), POLL).toBe(1);
    expect(await row.getAttribute('data-model')).toBe('someone/other');
    expect(await page.getByTestId('cache-size').textContent()).toBe('Browser cache: 2 B in 1 file');
    expect(env.problems()).toEqual([]);
    await page.close();
  }, 300_000);

  it('the cache panel fits 390 px', async () => {
    const page = await env.open('index.html', { timeoutMs: 120_000 });
    await page.evaluate(async () => {
      await caches.delete('transformers-cache');
      const cache = await caches.open('transformers-cache');
      const tag = { 'x-stored-by': 'bge-reranker-web', 'x-bge-reranker-model': 'onnx-community/bge-reranker-v2-m3-ONNX-with-a-long-name' };
      await cache.put('https://huggingface.co/onnx-community/bge-reranker-v2-m3-ONNX-with-a-long-name/resolve/main/onnx/model_quantized.onnx',
        new Response('x'.repeat(5_000), { headers: { ...tag, 'content-length': '5000' } }));
    });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await expect.poll(() => page.getByTestId('cached-model').count(), POLL).toBe(1);
    const box = await page.locator('model-cache').evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect);
    expect(box.right).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.locator('model-cache').screenshot({ path: path.join(SCREENSHOTS, 'model-cache-390.png') });
    await page.close();
  }, 120_000);
});
