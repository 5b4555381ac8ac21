/**
 * The model panel in the built app, in Chromium: one source shown at a time, the Load button naming what it loads and
 * in the first screen at 1280×900 and 390×844, the dtype options from the core's table, a URL refused as it is typed;
 * picking a known model fills the hub id and shows its languages and download size, by mouse and by keyboard; picking
 * downloads nothing (only Load does, and then from the hub, which is answered here with 404s); the cards fit 390 px.
 * Screenshots at 1280 and 390 px go to test-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DTYPE_ORDER, DTYPES } from '../../src/lib/dtypes.ts';
import { KNOWN_MODELS, knownModel } from '../../src/lib/files/known-models.ts';
import { describeDownload, downloadOptions } from '../../src/ui/model/known-model-choice.ts';
import { chromiumSkipReason, launchChromium } from '../../tools/browser/harness.ts';
import { buildSite, serveSite, type StaticSite } from '../../tools/browser/site.ts';
import { openApp, SCREENSHOTS, type AppPage } from './app-page.ts';

const skip = chromiumSkipReason();
const MINILM = 'Xenova/ms-marco-MiniLM-L-6-v2';
const V2_M3 = 'onnx-community/bge-reranker-v2-m3-ONNX';

describe.skipIf(skip !== null)('the model panel and picker in the built app, in Chromium', () => {
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
    await page.getByTestId('load-button').waitFor();
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

  /** Whether the Load button lies wholly inside the viewport as the page first shows it (no scrolling). */
  const loadButtonInFirstScreen = (p: Page) => p.evaluate(() => {
    const button = document.querySelector('reranker-app')!.shadowRoot!.querySelector('model-panel')!.shadowRoot!
      .querySelector('[data-testid="load-button"]')!;
    const box = button.getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, height: innerHeight, scrollY };
  });

  it('puts the Load button in the first screen at 1280×900 and 390×844, with every source chosen', async () => {
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      const fresh = await browser.newPage({ viewport });
      try {
        await fresh.goto(site.url);
        await fresh.getByTestId('load-button').waitFor();
        for (const source of ['demo', 'hub', 'url', 'files']) {
          await fresh.evaluate(() => scrollTo(0, 0));
          if (source !== 'demo') {
            // Chosen without scrolling the page: the radio is near the top at both sizes.
            await fresh.getByTestId(`source-${source}`).dispatchEvent('click');
          }
          const box = await loadButtonInFirstScreen(fresh);
          expect(box.scrollY, `${viewport.width}px, ${source}`).toBe(0);
          expect(box.top, `${viewport.width}px, ${source}`).toBeGreaterThanOrEqual(0);
          expect(box.bottom, `${viewport.width}px, ${source}: the Load button at ${box.top}–${box.bottom}`).toBeLessThanOrEqual(box.height);
        }
        await fresh.getByTestId('source-demo').dispatchEvent('click');
        await fresh.screenshot({ path: path.join(SCREENSHOTS, `first-screen-${viewport.width}.png`) });
      } finally {
        await fresh.close();
      }
    }
  });

  it('shows one source as chosen, and the Load button names what it will load', async () => {
    const checkedSources = () => page.locator('input[name="source"]').evaluateAll((radios) =>
      radios.filter((r) => (r as HTMLInputElement).checked).map((r) => r.getAttribute('value')));
    // The demo is the default: no hub card is on screen (so none can look checked), and the button names the demo.
    expect(await checkedSources()).toEqual(['demo']);
    expect(await page.getByTestId('known-model').count()).toBe(0);
    expect((await page.getByTestId('load-button').textContent())?.trim()).toBe('Load the XLM-R demo');
    await page.getByTestId('demo-model').selectOption('bert');
    expect((await page.getByTestId('load-button').textContent())?.trim()).toBe('Load the BERT demo');
    await page.getByTestId('demo-model').selectOption('xlmr');

    // The hub: its cards and id, and no demo select; the button names the hub model.
    await page.getByTestId('source-hub').check();
    expect(await checkedSources()).toEqual(['hub']);
    expect(await page.getByTestId('demo-model').count()).toBe(0);
    expect((await page.getByTestId('load-button').textContent())?.trim()).toBe('Load bge-reranker-v2-m3');
  });

  it('offers every dtype of the core\'s table (DTYPES), labelled from it, after auto', async () => {
    const options = await page.getByTestId('dtype-select').locator('option').evaluateAll((els) =>
      els.map((o) => ({ value: o.getAttribute('value'), label: o.textContent?.trim() })));
    expect(options.map((o) => o.value)).toEqual(['auto', ...DTYPE_ORDER]);
    expect(options.slice(1).map((o) => o.label)).toEqual(DTYPE_ORDER.map((d) => DTYPES[d].label));
    await page.getByTestId('dtype-select').selectOption('q4f16');
    expect(await page.getByTestId('dtype-hint').textContent()).toContain(DTYPES.q4f16.description);
    await page.getByTestId('dtype-select').selectOption('auto');
  });

  it('refuses a URL that is not a web address as it is typed, and says why beside the Load button', async () => {
    await page.getByTestId('source-url').check();
    await page.getByTestId('model-url').fill('htp:/bad url');
    expect(await page.getByTestId('model-url-problem').textContent()).toMatch(/^"htp:" is not a web address/);
    expect(await page.getByTestId('load-button').isDisabled()).toBe(true);
    expect(await page.getByTestId('load-blocked').textContent()).toMatch(/^"htp:" is not a web address/);
    await page.getByTestId('model-url').fill('https://models.example/m/tiny/');
    expect(await page.getByTestId('model-url-problem').count()).toBe(0);
    expect(await page.getByTestId('load-button').isEnabled()).toBe(true);
    expect((await page.getByTestId('load-button').textContent())?.trim()).toBe('Load tiny from its URL');
  });

  it('says before a load that a max length of 100000 is too long, in tokens', async () => {
    await page.getByTestId('source-demo').check();
    await page.locator('model-panel #max-length').fill('100000');
    expect(await page.getByTestId('max-length-problem').textContent()).toMatch(/at most 8192 tokens per \(query, document\) pair/);
    expect(await page.getByTestId('load-blocked').textContent()).not.toMatch(/maxLength/);
    expect(await page.getByTestId('load-button').isDisabled()).toBe(true);
    await page.locator('model-panel #max-length').fill('512');
    expect(await page.getByTestId('load-button').isEnabled()).toBe(true);
  });

  it('lists the known models, bge-reranker-v2-m3 first and checked, as the hub id field says', async () => {
    await page.getByTestId('source-hub').check();
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
    expect(shown).toContain('q8 23.1 MB'); // the hub's listed size, on wasm, where this Chromium's software adapter sends auto

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
    // The failure says the network may be the cause, and that the demo needs none.
    expect(await page.getByTestId('model-error-network').textContent()).toMatch(/over the network: check the connection, and that huggingface\.co\s+can be\s+reached/);
  });

  it('a hub mirror takes the hub\'s place: checked as typed, then every download goes to it', async () => {
    // The mirror sits on the site's own origin, which the built page's Content-Security-Policy allows.
    const mirror = `${site.url}hub-mirror/`;
    const mirrorRequests: string[] = [];
    await page.context().route(`${mirror}**`, (route) => {
      mirrorRequests.push(route.request().url());
      return route.fulfill({ status: 404, body: 'not here' });
    });
    hubRequests.length = 0;
    await page.getByTestId('source-hub').check();
    await page.locator('model-source-choice summary').click();
    await page.getByTestId('hub-mirror').fill('mirror.example');
    expect(await page.getByTestId('hub-mirror-problem').textContent()).toMatch(/^Hub mirror: start with https:\/\//);
    expect(await page.getByTestId('load-button').isDisabled()).toBe(true);
    await page.getByTestId('hub-mirror').fill(mirror);
    expect(await page.getByTestId('hub-mirror-problem').count()).toBe(0);
    await page.getByTestId('load-button').click();
    await app.waitStatus('model-status', 'error');
    expect(mirrorRequests.length).toBeGreaterThan(0);
    for (const url of mirrorRequests) expect(url.startsWith(`${mirror}${MINILM}/resolve/`), url).toBe(true);
    expect(hubRequests).toEqual([]);
    expect(await page.getByTestId('model-error-network').textContent()).toContain(new URL(site.url).host);
  });

  it('fits 390 px: every card within the screen, no sideways scrolling', async () => {
    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await narrow.goto(site.url);
      await narrow.getByTestId('source-hub').check();
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
