/**
 * The model picker in the built app, in Chromium: picking a known model fills the hub id and shows its languages and
 * download size, by mouse and by keyboard; picking downloads nothing (only Load does, and then from the hub, which is
 * answered here with 404s); the cards fit 390 px. Screenshots at 1280 and 390 px go to test-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { KNOWN_MODELS, knownModel } from '../../src/lib/known-models.ts';
import { describeDownload, downloadOptions } from '../../src/ui/known-model-choice.ts';
import { chromiumSkipReason, launchChromium } from './harness.ts';
import { buildSite, serveSite, type StaticSite } from './site.ts';
import { openApp, SCREENSHOTS, type AppPage } from './app-page.ts';

const skip = chromiumSkipReason();
const MINILM = 'Xenova/ms-marco-MiniLM-L-6-v2';
const V2_M3 = 'onnx-community/bge-reranker-v2-m3-ONNX';

describe.skipIf(skip !== null)('the model picker in the built app, in Chromium', () => {
  let site: StaticSite;
  let browser: Browser;
  let app: AppPage;
  let page: Page;
  /** Every URL the page asked the hub for (answered 404 here: no network, and no real model is wanted). */
  const hubRequests: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    site = await serveSite(await buildSite(), { base: '/demo/' });
    browser = await launchChromium();
    app = await openApp(browser, site.url);
    page = app.page;
    await page.context().route('https://huggingface.co/**', (route) => {
      hubRequests.push(route.request().url());
      return route.fulfill({ status: 404, body: 'not here' });
    });
    await page.waitForFunction(() => customElements.get('known-model-picker') !== undefined);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') console.log(app.logs.slice(-40).join('\n'));
  });

  const card = (id: string) => page.locator(`[data-testid="known-model"][data-id="${id}"]`);
  const radio = (name: string) => page.getByRole('radio', { name: new RegExp(`^${name}\\b`) });

  it('lists the known models, bge-reranker-v2-m3 first and checked, as the hub id field says', async () => {
    const ids = await page.getByTestId('known-model').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-id')));
    expect(ids).toEqual(KNOWN_MODELS.map((m) => m.id));
    expect(await page.getByTestId('hub-id').inputValue()).toBe(V2_M3);
    expect(await radio('bge-reranker-v2-m3').isChecked()).toBe(true);
    expect(await radio('ms-marco-MiniLM-L-6-v2').isChecked()).toBe(false);
    for (const m of KNOWN_MODELS) {
      expect(await card(m.id).getByTestId('known-languages').textContent()).toContain(m.languages);
      expect(await card(m.id).getByTestId('known-pick-when').textContent()).toContain(m.pickWhen);
    }
    await page.locator('model-panel').screenshot({ path: path.join(SCREENSHOTS, 'model-picker-1280.png') });
  });

  it('picking MiniLM puts its id in the hub field and shows its languages and download, and downloads nothing', async () => {
    const before = app.requests.length;
    await page.locator('model-panel #max-length').fill('1024');
    await radio('ms-marco-MiniLM-L-6-v2').click();

    expect(await page.getByTestId('hub-id').inputValue()).toBe(MINILM);
    expect(await page.getByTestId('source-hub').isChecked()).toBe(true);
    expect(await radio('ms-marco-MiniLM-L-6-v2').isChecked()).toBe(true);
    expect(await radio('bge-reranker-v2-m3').isChecked()).toBe(false);
    expect(await page.locator('model-panel #max-length').inputValue()).toBe('512'); // MiniLM's limit
    const minilm = card(MINILM);
    expect(await minilm.getByTestId('known-languages').textContent()).toContain('English only');
    // The download shown is the file the core would load with these settings (auto, auto) on this browser.
    const webgpu = await page.evaluate(() => 'gpu' in navigator);
    const expected = downloadOptions(knownModel(MINILM)!, 'auto', 'auto', webgpu).map(describeDownload);
    const shown = await minilm.getByTestId('known-download').textContent();
    for (const text of expected) expect(shown).toContain(text);
    expect(shown).toContain('q8 23.5 MB'); // on wasm, where this Chromium's software adapter sends auto

    // Changing the dtype changes the size shown, to that one file.
    await page.getByTestId('dtype-select').selectOption('q8');
    expect(await minilm.getByTestId('known-download').textContent()).toContain(describeDownload(downloadOptions(knownModel(MINILM)!, 'q8', 'auto', webgpu)[0]));
    await page.getByTestId('dtype-select').selectOption('auto');

    // Nothing was fetched by picking: no model file, nothing from the hub, the model still idle.
    await page.waitForTimeout(300);
    const after = app.requests.slice(before).map((r) => r.url());
    expect(after.filter((u) => !u.startsWith(new URL(site.url).origin) || /\.onnx|config\.json|tokenizer/.test(u)), after.join('\n')).toEqual([]);
    expect(hubRequests).toEqual([]);
    expect(await page.getByTestId('model-status').getAttribute('data-status')).toBe('idle');
    expect(app.problems, JSON.stringify(app.problems)).toEqual([]);
  });

  it('by keyboard: arrow keys move between models and fill the hub id; typing another id unchecks them', async () => {
    await radio('ms-marco-MiniLM-L-6-v2').focus();
    await page.keyboard.press('ArrowUp');
    expect(await page.getByTestId('hub-id').inputValue()).toBe('Xenova/bge-reranker-base');
    expect(await radio('bge-reranker-base').isChecked()).toBe(true);
    await page.keyboard.press('ArrowUp');
    expect(await page.getByTestId('hub-id').inputValue()).toBe(V2_M3);

    await page.getByTestId('hub-id').fill('someone/another-reranker');
    for (const m of KNOWN_MODELS) expect(await radio(m.name).isChecked(), m.id).toBe(false);
    expect(hubRequests).toEqual([]);
  });

  it('Load then fetches the picked model from the hub, and only then', async () => {
    await radio('ms-marco-MiniLM-L-6-v2').click();
    expect(hubRequests).toEqual([]);
    await page.getByTestId('load-button').click();
    await app.waitStatus('model-status', 'error');
    expect(hubRequests.length).toBeGreaterThan(0);
    for (const url of hubRequests) expect(url.startsWith(`https://huggingface.co/${MINILM}/`), url).toBe(true);
  });

  it('fits 390 px: every card within the screen, no sideways scrolling', async () => {
    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await narrow.goto(site.url);
      await narrow.waitForFunction(() => customElements.get('known-model-picker') !== undefined);
      await narrow.getByRole('radio', { name: /ms-marco-MiniLM-L-6-v2/ }).click();
      expect(await narrow.getByTestId('hub-id').inputValue()).toBe(MINILM);
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const boxes = await narrow.getByTestId('known-model').evaluateAll((cards) => cards.map((c) => c.getBoundingClientRect().toJSON() as DOMRect));
      expect(boxes).toHaveLength(KNOWN_MODELS.length);
      for (const b of boxes) {
        expect(b.left).toBeGreaterThanOrEqual(0);
        expect(b.right).toBeLessThanOrEqual(390);
      }
      await narrow.locator('model-panel').screenshot({ path: path.join(SCREENSHOTS, 'model-picker-390.png') });
    } finally {
      await narrow.close();
    }
  });
});
