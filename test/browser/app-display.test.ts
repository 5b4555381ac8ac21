/**
 * What the built app shows, in Chromium at 1280 and 390 px: timing fitted to the number of batches (one batch: its
 * time; a few: listed; many: a distribution), a chart legend with values, the sweep's knee only once it is done, tables
 * readable on a phone, and the loaded model kept through a failed load, with no half-filled progress bars.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkipReason, launchChromium } from '../../tools/browser/harness.ts';
import { buildSite, serveSite, type StaticSite } from '../../tools/browser/site.ts';
import { expectTableReadable, openApp, SCREENSHOTS, type AppPage } from './app-page.ts';

const skip = chromiumSkipReason();

describe.skipIf(skip !== null)('what the built app shows, in Chromium', () => {
  let site: StaticSite;
  let browser: Browser;
  let app: AppPage;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    site = await serveSite(await buildSite(), { base: '/demo/' });
    browser = await launchChromium();
    app = await openApp(browser, site.url);
    page = app.page;
    await app.loadDemo();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') console.log(app.logs.slice(-40).join('\n'));
  });

  const waitStatus = (id: string, want: string, timeout?: number) => app.waitStatus(id, want, timeout);
  const setDocuments = (query: string, documents: readonly string[]) => app.setDocuments(query, documents);
  const rerank = () => app.rerank();

  it('shows one batch as its time, two as a list, and says "1 document", not "1 documents"', async () => {
    // One batch (the default sample, 10 short passages): the totals are the batch; no distribution of one value, no
    // one-dot chart.
    await page.getByTestId('sample-select').selectOption('en-1');
    await page.getByTestId('batching-select').selectOption('tokens');
    await page.getByTestId('batch-size-input').fill('16');
    await rerank();
    expect(await page.getByTestId('timing-row').count()).toBe(1);
    const summary = await page.getByTestId('timing-summary').textContent();
    expect(summary).toMatch(/pairs\/s over 10 pairs in 1 batch\b/);
    expect(summary).not.toMatch(/min|median|p95/);
    expect(await page.getByTestId('timing-sizes').count()).toBe(0);
    expect(await page.getByTestId('timing-chart').count()).toBe(0);

    await setDocuments('capital of France?', ['Paris is the capital of France.']);
    await rerank();
    expect(await page.getByTestId('rerank-status').textContent()).toMatch(/^Ranked 1 document in \S+ ms\.$/);
    expect(await page.getByTestId('timing-summary').textContent()).toMatch(/over 1 pair in 1 batch\b/);

    // Two batches of 16 and 4: both listed in run order, no "median 4".
    await setDocuments('tea?', Array.from({ length: 20 }, (_, i) => `Passage ${i} about tea.`));
    await page.getByTestId('batching-select').selectOption('fixed');
    await rerank();
    expect(await page.getByTestId('timing-sizes').textContent()).toMatch(/^\s*16, 4\s*pairs per batch, in run order\s*$/);
    expect(await page.getByTestId('timing-summary').textContent()).not.toMatch(/median/);
  });

  it("gives a distribution for many batches, and the chart's legend shows the last batch, or the one under the pointer", async () => {
    await setDocuments('tea?', Array.from({ length: 24 }, (_, i) => `Passage ${i} about tea and water.`));
    await page.getByTestId('batching-select').selectOption('fixed');
    await page.getByTestId('batch-size-input').fill('1');
    await rerank();
    expect(await page.getByTestId('timing-row').count()).toBe(24);
    expect(await page.getByTestId('timing-latencies').textContent()).toMatch(/batch time: min \/ median \/ p95 \/ max/);

    const legend = page.locator('rerank-panel batch-timing .u-legend');
    const batchShown = async () => Number(/^\s*batch:?\s*(\d+)/.exec((await legend.textContent()) ?? '')?.[1]);
    expect(await legend.textContent()).not.toContain('—');
    expect(await batchShown()).toBe(24);
    const over = page.locator('rerank-panel batch-timing uplot-chart .u-over');
    const box = (await over.boundingBox())!;
    await over.hover({ position: { x: box.width * 0.2, y: box.height / 2 } });
    await expect.poll(batchShown).toBeLessThan(10);
    expect(await legend.textContent()).not.toContain('—');
    await page.mouse.move(0, 0);
  });

  it('runs a short batch-size sweep and names the knee (or no clear knee) only once it is done', async () => {
    await page.getByTestId('sweep-batch-sizes').fill('1, 2, 4');
    await page.getByTestId('sweep-pairs').fill('8');
    await page.getByTestId('sweep-warmup').fill('0');
    await page.getByTestId('sweep-repeats').fill('2');
    // Every state the panel renders during the sweep, recorded as it renders (no polling that could miss one).
    await page.evaluate(() => {
      const app = document.querySelector('reranker-app')!.shadowRoot!;
      const panel = app.querySelector('sweep-panel')!.shadowRoot!;
      const seen: { status: string | null; rows: number; knee: string | null; csvDisabled: boolean; jsonDisabled: boolean }[] = [];
      (window as unknown as { __sweepStates: typeof seen }).__sweepStates = seen;
      const record = () => seen.push({
        status: panel.querySelector('[data-testid="sweep-status"]')?.getAttribute('data-status') ?? null,
        rows: panel.querySelectorAll('[data-testid="sweep-row"]').length,
        knee: panel.querySelector('[data-testid="sweep-knee"]')?.getAttribute('data-knee') ?? null,
        csvDisabled: (panel.querySelector('[data-testid="sweep-csv"]') as HTMLButtonElement).disabled,
        jsonDisabled: (panel.querySelector('[data-testid="sweep-json"]') as HTMLButtonElement).disabled,
      });
      new MutationObserver(record).observe(panel, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.getByTestId('sweep-button').click();
    await waitStatus('sweep-status', 'done', 120_000);
    const states = await page.evaluate(() => (window as unknown as { __sweepStates: { status: string; rows: number; knee: string | null; csvDisabled: boolean; jsonDisabled: boolean }[] }).__sweepStates);
    const running = states.filter((s) => s.status === 'running');
    expect(running.some((s) => s.rows > 0)).toBe(true); // rows did show while it measured
    for (const s of running) {
      expect(s.knee === null || s.knee === 'pending', JSON.stringify(s)).toBe(true);
      expect(s.csvDisabled && s.jsonDisabled, JSON.stringify(s)).toBe(true);
    }

    const rows = page.getByTestId('sweep-row');
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-batch-size')))).toEqual(['1', '2', '4']);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['ok', 'ok', 'ok']);
    const knee = page.getByTestId('sweep-knee');
    const kneeText = (await knee.textContent())!.replace(/\s+/g, ' ');
    if ((await knee.getAttribute('data-knee')) === 'none') expect(kneeText).toMatch(/^No clear knee: /);
    else expect(kneeText).toMatch(new RegExp(`^Knee: batch ${await knee.getAttribute('data-knee')} \\(`));
    // Each row shows the range of its two runs.
    expect(await page.getByTestId('sweep-table').textContent()).toMatch(/pairs\/s range/);

    const download = page.waitForEvent('download');
    await page.getByTestId('sweep-csv').click();
    const csv = fs.readFileSync(await (await download).path(), 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^batchSize,batches,avgBatchMs,p50BatchMs,pairsPerSecond,pairsPerSecondMin,pairsPerSecondMax,runs,/);
    expect(csv.trim().split('\n')).toHaveLength(4);
  });

  it('keeps every table readable at 390 px and at 1280 px: cells on screen, columns named, no hidden scroller', async () => {
    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await narrow.goto(site.url);
      await narrow.getByTestId('device-select').selectOption('wasm');
      await narrow.getByTestId('load-button').click();
      await expect.poll(() => narrow.getByTestId('model-status').getAttribute('data-status'), { timeout: 60_000 }).toBe('ready');
      await narrow.getByTestId('batching-select').selectOption('fixed');
      await narrow.getByTestId('batch-size-input').fill('4');
      await narrow.getByTestId('rerank-button').click();
      await expect.poll(() => narrow.getByTestId('rerank-status').getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
      await narrow.getByTestId('sweep-batch-sizes').fill('1, 2');
      await narrow.getByTestId('sweep-pairs').fill('4');
      await narrow.getByTestId('sweep-warmup').fill('0');
      await narrow.getByTestId('sweep-repeats').fill('2');
      await narrow.getByTestId('sweep-button').click();
      await expect.poll(() => narrow.getByTestId('sweep-status').getAttribute('data-status'), { timeout: 60_000 }).toBe('done');

      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      for (const wrap of ['rerank-panel batch-timing', 'sweep-panel', 'model-info']) await expectTableReadable(narrow, wrap, 390);
      // On a phone each row is a card whose values carry their column's name.
      const labels = await narrow.getByTestId('timing-row').first().locator('td').evaluateAll((tds) =>
        tds.map((td) => getComputedStyle(td, '::before').content));
      expect(labels).toEqual(['"batch"', '"pairs"', '"tokens"', '"with padding"', '"padding"', '"ms"', '"pairs/s"']);
      await narrow.locator('rerank-panel batch-timing').screenshot({ path: path.join(SCREENSHOTS, 'timing-390.png') });
      await narrow.locator('sweep-panel').screenshot({ path: path.join(SCREENSHOTS, 'sweep-390.png') });
    } finally {
      await narrow.close();
    }
    // The wide page (1280 px) has its rows from the tests above: plain tables, every column on screen.
    for (const wrap of ['rerank-panel batch-timing', 'sweep-panel', 'model-info']) await expectTableReadable(page, wrap, 1280);
    await page.locator('sweep-panel').screenshot({ path: path.join(SCREENSHOTS, 'sweep-1280.png') });
  });

  it('says beside a disabled Rerank why (empty query, batch size 0, 1,001 documents), in the user\'s terms', async () => {
    const reason = () => page.getByTestId('rerank-blocked').textContent();
    await setDocuments('', ['Paris is the capital of France.']);
    expect(await page.getByTestId('rerank-button').isDisabled()).toBe(true);
    expect(await reason()).toMatch(/^Type a query/);
    expect(await page.getByTestId('sweep-blocked').textContent()).toMatch(/^Enter a query and documents/);
    expect(await page.getByTestId('sweep-button').isDisabled()).toBe(true);
    await setDocuments('capital of France?', ['Paris is the capital of France.']);
    await page.getByTestId('batch-size-input').fill('0');
    expect(await reason()).toBe('Batch size: a whole number from 1 to 4,096.');
    await page.getByTestId('batch-size-input').fill('16');
    await setDocuments('capital?', Array.from({ length: 1001 }, (_, i) => `Document ${i}.`));
    expect(await reason()).toBe('1,001 documents: one rerank takes at most 1,000. Remove 1, or rerank them in parts.');
    expect(await page.getByTestId('documents-detected').textContent()).toContain('Up to 1,000 documents and 5,000,000 characters per rerank.');
    await setDocuments('capital of France?', ['Paris is the capital of France.']);
    expect(await page.getByTestId('rerank-blocked').count()).toBe(0);
    expect(await page.getByTestId('rerank-button').isEnabled()).toBe(true);
  });

  it('marks results stale when the input or the model changes, and shows the demo warning beside them', async () => {
    await setDocuments('capital of France?', ['Berlin is in Germany.', 'Paris is the capital of France.']);
    await rerank();
    const results = page.getByTestId('results');
    expect(await results.getAttribute('data-stale')).toBe('false');
    expect(await page.getByTestId('results-stale').count()).toBe(0);
    // The demo model's random weights are named where the scores are, not only in the model panel.
    expect(await page.getByTestId('results-generated').textContent()).toMatch(/Generated demo weights: scores are not\s+meaningful/);

    await page.getByTestId('query-input').fill('capital of Germany?');
    expect(await results.getAttribute('data-stale')).toBe('true');
    expect(await page.getByTestId('results-stale').textContent()).toMatch(/out of date: the query changed/);
    await page.getByTestId('query-input').fill('capital of France?');
    expect(await results.getAttribute('data-stale')).toBe('false');

    // Another model loaded: the ranking of the one before is marked, until a rerank replaces it.
    await page.getByTestId('load-button').click();
    await waitStatus('model-status', 'ready');
    expect(await page.getByTestId('results-stale').textContent()).toMatch(/another model is loaded/);
    await rerank();
    expect(await results.getAttribute('data-stale')).toBe('false');
  });

  it('keeps the loaded model in use when loading another fails, and leaves no half-filled progress bars', async () => {
    await page.getByTestId('source-url').check();
    await page.getByTestId('model-url').fill('models/no-such-model/');
    await page.getByTestId('load-button').click();
    await waitStatus('model-status', 'error');
    expect(await page.getByTestId('model-error').textContent()).toMatch(/^ModelLoadError: /);
    expect(await page.getByTestId('model-status').textContent()).toMatch(/^Loading failed\. Still using wasm \/ q8 \(tiny-random-bge-reranker\)\.$/);
    expect(await page.locator('model-panel load-progress').count()).toBe(0);
    expect(await page.getByTestId('info-backend').textContent()).toMatch(/^wasm/);
    // The error is about that URL: another URL typed, it goes (the status still tells the last load).
    await page.getByTestId('model-url').fill('models/another-model/');
    expect(await page.getByTestId('model-error').count()).toBe(0);
    await page.getByTestId('model-url').fill('models/no-such-model/');
    expect(await page.getByTestId('model-error').textContent()).toMatch(/^ModelLoadError: /);

    // And it still reranks.
    await setDocuments('capital of France?', ['Berlin is in Germany.', 'Paris is the capital of France.']);
    await rerank();
    expect(await page.getByTestId('result-item').count()).toBe(2);
  });
});
