/**
 * The UI's lifecycle in Chromium under the Vite dev server: `<bge-reranker>` fires one error event per failure, sends a
 * model path like "models/tiny" to the page's own server (never to the hub), keeps the model it loaded when a new one
 * fails; the model controller follows its reranker's info when it changes (a lost GPU device) and keeps the loaded
 * reranker through a failed load.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TaskStatus } from '@lit/task';
import { chromiumSkipReason, openBrowserEnv, type BrowserEnv } from '../../tools/browser/harness.ts';

const skip = chromiumSkipReason();

describe.skipIf(skip !== null)('UI lifecycle in Chromium', () => {
  let env: BrowserEnv;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    env = await openBrowserEnv({ include: ['lit', 'lit/decorators.js', 'lit/directives/style-map.js', '@lit/task', 'uplot'] });
    page = await env.open('test/browser/pages/ui.html', { ready: 'uiReady', timeoutMs: 60_000 });
    page.on('request', (r) => requested.push(r.url()));
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  }, 120_000);

  afterEach((context) => {
    if (context.task.result?.state === 'fail' && env) console.log(env.dumpLogs());
  });

  it('<bge-reranker>: one error event per failure, a folder path stays on this server, the loaded model is kept', async () => {
    const report = await page.evaluate(() => window.elementFailures());
    expect(report.missingAlone).toMatchObject({ events: 1, error: 'ModelLoadError', status: 'Failed.' });
    expect(report.missingAfterLoaded).toMatchObject({ events: 1, error: 'ModelLoadError' });
    expect(report.missingAfterLoaded.status).toMatch(/^Failed\. Still loaded: the model of the previous settings \(wasm \/ q8\)/);
    // Back to the model loaded before: used at once, not loaded again.
    expect(report.readyAgain).toBe(0);
    expect(report.rankedAgain).toBe(2);
    // model="models/no-such-model" was read from this page's server, as a folder; nothing went to the hub.
    const origin = new URL(env.server.url).origin;
    expect(requested.some((u) => u.startsWith(`${origin}/test/browser/pages/models/no-such-model/`))).toBe(true);
    expect(requested.filter((u) => !u.startsWith(origin))).toEqual([]);
    expect(env.problems()).toEqual([]);
  });

  it('<bge-reranker remote-host>: a hub id downloads from the mirror, not from huggingface.co', async () => {
    const mirror = `${new URL(env.server.url).origin}/hub-mirror/`;
    const before = requested.length;
    const outcome = await page.evaluate(async (remoteHost) => {
      const element = document.createElement('bge-reranker');
      element.setAttribute('remote-host', remoteHost);
      element.setAttribute('model', 'someone/some-reranker');
      document.body.append(element);
      try {
        await element.load();
        return 'loaded';
      } catch (error) {
        return (error as Error).name;
      } finally {
        element.remove();
      }
    }, mirror);
    expect(outcome).toBe('ModelLoadError'); // the mirror has no such model
    const asked = requested.slice(before);
    expect(asked.some((u) => u.startsWith(`${mirror}someone/some-reranker/resolve/`)), asked.join('\n')).toBe(true);
    expect(asked.filter((u) => u.includes('huggingface.co'))).toEqual([]);
  });

  it('the model controller re-renders with the new backend after a device loss, and keeps its reranker through a failed load', async () => {
    const report = await page.evaluate(() => window.controllerFollowsInfo());
    expect(report).toEqual({
      before: 'webgpu / fp16',
      afterLoss: 'wasm / q8',
      afterFailedLoad: 'wasm / q8',
      keptSameReranker: true,
      filesAfterFailure: 0,
      status: TaskStatus.ERROR,
    });
  });
});
