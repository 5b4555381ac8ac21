/**
 * Issue 19, item 1: `longDocuments: 'chunk'` through `<bge-reranker>`, whose reranker runs in the bundled worker. Each
 * result keeps the window it was scored on (`RerankResult.window`), the same window the in-page core gives.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumSkipReason, openBrowserEnv, type BrowserEnv } from '../../tools/browser/harness.ts';

const skip = chromiumSkipReason();

describe.skipIf(skip !== null)('<bge-reranker long-documents="chunk"> in Chromium', () => {
  let env: BrowserEnv;
  let page: Page;

  beforeAll(async () => {
    env = await openBrowserEnv({ include: ['lit', 'lit/decorators.js', 'lit/directives/style-map.js', '@lit/task', 'uplot'] });
    page = await env.open('test/browser/pages/element-chunk.html', { ready: 'elementChunkReady', timeoutMs: 120_000 });
  }, 180_000);

  afterAll(async () => {
    await env?.close();
  }, 120_000);

  afterEach((context) => {
    if (context.task.result?.state === 'fail' && env) console.log(env.dumpLogs());
  });

  it('every result carries its scored window across the worker, as the in-page core gives it', async () => {
    const report = await page.evaluate(() => window.chunkThroughElement());
    const { documents, element, core } = report;
    expect(element.map((r) => r.index).sort()).toEqual([0, 1, 2]);
    for (const result of element) {
      expect(result.window, `document ${result.index}`).toBeDefined();
      const { start, end } = result.window!;
      expect(0 <= start && start < end && end <= documents[result.index].length, `window ${start}–${end}`).toBe(true);
    }
    // The short document is one whole window; the longest is scored on a part of it.
    expect(element.find((r) => r.index === 0)!.window).toEqual({ start: 0, end: documents[0].length });
    const longest = element.find((r) => r.index === 2)!.window!;
    expect(longest.end - longest.start).toBeLessThan(documents[2].length);
    // The worker's ranking is the core's: same order, same windows, scores within float noise.
    expect(element.map((r) => [r.index, r.window, r.truncated])).toEqual(core.map((r) => [r.index, r.window, r.truncated]));
    element.forEach((r, k) => expect(Math.abs(r.score - core[k].score)).toBeLessThan(1e-5));
    expect(report.event).toEqual(element);
    // Truncating (the default) gives no windows.
    expect(report.truncated.every((r) => r.window === undefined)).toBe(true);
    expect(env.problems()).toEqual([]);
  }, 180_000);
});
