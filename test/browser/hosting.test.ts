/**
 * Static hosting: the built site from a sub-path on a plain static server, cross-origin isolated (wasm threads) or
 * not; the model cached in the browser with its size shown and a control that clears it; the RAG example page's
 * pipeline (retrieval feeds the reranker, the top 5 shown with timings); what the build ships and what the pages ask
 * the host for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkipReason, launchChromium } from '../../tools/browser/harness.ts';
import { buildSite, serveSite, type StaticSite } from '../../tools/browser/site.ts';

const skip = chromiumSkipReason();

describe.skipIf(skip !== null)('the built site on a static host', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of cleanup.reverse()) await close();
  });

  async function open(path: string, options: { base: string; isolate: boolean; webgpu?: boolean }): Promise<{ page: Page; site: StaticSite; logs: string[] }> {
    const site = await serveSite(await buildSite(), options);
    const browser: Browser = await launchChromium([], { webgpu: options.webgpu ?? true });
    cleanup.push(() => site.close(), () => browser.close());
    const page = await browser.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`[pageerror] ${e.stack ?? e}`));
    page.setDefaultTimeout(60_000);
    expect((await page.goto(site.url + path))?.ok()).toBe(true);
    return { page, site, logs };
  }

  const waitStatus = (page: Page, id: string, want: string) =>
    expect.poll(() => page.getByTestId(id).getAttribute('data-status'), { timeout: 60_000, interval: 100 }).toBe(want);

  it('cross-origin isolated under /static/demo/: wasm gets one thread per core; the cache fills, serves the reload, and clears', async () => {
    const { page, site, logs } = await open('', { base: '/static/demo/', isolate: true });
    expect(await page.evaluate(() => crossOriginIsolated), logs.join('\n')).toBe(true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);

    await page.getByTestId('device-select').selectOption('wasm');
    await page.getByTestId('load-button').click();
    await waitStatus(page, 'model-status', 'ready');
    expect(await page.getByTestId('info-backend').textContent()).toBe(`wasm (${cores} thread${cores === 1 ? '' : 's'})`);
    expect(await page.getByTestId('info-file').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-from-cache')))).toEqual(['false', 'false', 'false', 'false']);

    // The four files (config, tokenizer, tokenizer config, q8 model: ≈ 540 KB) are in the browser cache now.
    await expect.poll(() => page.getByTestId('cache-size').textContent()).toMatch(/in 4 files/);
    const modelRequests = () => site.requests.filter((r) => r.url.includes('/models/') && r.method === 'GET').length;
    const before = modelRequests();

    await page.getByTestId('load-button').click(); // "Reload model": read from the cache, nothing downloaded
    await waitStatus(page, 'model-status', 'ready');
    expect(await page.getByTestId('info-file').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-from-cache')))).toEqual(['true', 'true', 'true', 'true']);
    expect(modelRequests()).toBe(before);

    await page.getByTestId('clear-cache').click();
    await expect.poll(() => page.getByTestId('cache-size').textContent()).toMatch(/0 B in 0 files/);
    await page.getByTestId('load-button').click();
    await waitStatus(page, 'model-status', 'ready');
    expect(modelRequests()).toBeGreaterThan(before);
  });

  it('not isolated: the same site still works, on one wasm thread', async () => {
    const { page } = await open('', { base: '/demo/', isolate: false });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await page.getByTestId('device-select').selectOption('wasm');
    await page.getByTestId('load-button').click();
    await waitStatus(page, 'model-status', 'ready');
    expect(await page.getByTestId('info-backend').textContent()).toBe('wasm (1 thread)');
  });

  it('without a WebGPU adapter, auto says so and runs on wasm', async () => {
    const { page } = await open('', { base: '/demo/', isolate: false, webgpu: false });
    expect(await page.getByTestId('device-select').inputValue()).toBe('auto');
    await page.getByTestId('load-button').click();
    await waitStatus(page, 'model-status', 'ready');
    expect(await page.getByTestId('info-backend').textContent()).toBe('wasm (1 thread)');
    expect(await page.getByTestId('wasm-fallback-banner').textContent()).toMatch(/Running on wasm.*WebGPU/);
  });

  it('ships no file the pages never read (model.safetensors), and the pages ask the host for nothing it lacks (favicon)', async () => {
    const files = fs.readdirSync(await buildSite(), { recursive: true, encoding: 'utf8' }).map((f) => f.split(path.sep).join('/'));
    expect(files.filter((f) => f.endsWith('.safetensors'))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['models/tiny-random-bge-reranker/config.json',
      'models/tiny-random-bge-reranker/onnx/model_quantized.onnx', 'models/tiny-random-bge-reranker/onnx/model_fp16.onnx']));
    for (const pagePath of ['', 'rag.html']) {
      const { page, site, logs } = await open(pagePath, { base: '/demo/', isolate: false });
      // With an icon link the browser does not ask the host for /favicon.ico; inline, it asks for nothing.
      const icon = await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel~="icon"]')?.href ?? null);
      expect(icon, pagePath).toMatch(/^data:image\/svg\+xml,/);
      await page.waitForLoadState('networkidle');
      expect(site.requests.map((r) => r.url).filter((u) => u.includes('favicon')), pagePath).toEqual([]);
      expect(logs.filter((l) => /Failed to load resource/.test(l)), pagePath).toEqual([]);
    }
  });

  it('the RAG page retrieves 50 candidates, reranks them and shows the top 5 with their timings', async () => {
    const { page, logs } = await open('rag.html', { base: '/demo/', isolate: false });
    await page.getByTestId('rag-ask').click();
    const hits = page.getByTestId('rag-hit');
    await expect.poll(() => hits.count(), { timeout: 60_000 }).toBe(5);
    expect(await page.getByTestId('rag-error').count(), logs.join('\n')).toBe(0);
    const scores = await hits.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-score'))));
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const ranks = await hits.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-bm25-rank'))));
    expect(ranks.every((r) => r >= 0 && r < 50)).toBe(true);
    expect(new Set(ranks).size).toBe(5);
    expect(Number(await page.getByTestId('rag-rerank-ms').textContent())).toBeGreaterThan(0);
    expect(await page.getByTestId('rag-timings').textContent()).toMatch(/50 candidates in \d+ batch/);
    expect(await page.getByTestId('timing-row').count()).toBeGreaterThan(0);
  });
});
