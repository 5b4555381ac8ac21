/**
 * The Content-Security-Policy as `npm run preview` and `npm run dev` send it: a response header equal to the pages'
 * `<meta>` (one definition, scripts/csp.ts), on every file, so the reranker worker, which a `<meta>` does not reach,
 * is held to it too. A model on a third origin is refused until the host adds that origin (CSP_CONNECT_SRC at build
 * time). The dev server keeps the policy with one addition, a nonce for the `<style>` tags Vite injects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { contentSecurityPolicy, metaPolicy } from '../../scripts/csp.ts';
import { PROJECT_ROOT, chromiumSkipReason, launchChromium, startDevServer, type DevServer } from '../../tools/browser/harness.ts';
import { buildSite, productionBuild, siteBuildFolder } from '../../tools/browser/site.ts';
import { startOtherOrigin, watchPolicy, type OtherOrigin } from './csp-page.ts';

const skip = chromiumSkipReason();
const MODEL_DIR = path.join(PROJECT_ROOT, 'public', 'models');

async function startPreview(outDir: string): Promise<{ url: string; server: PreviewServer }> {
  const server = await preview({
    configFile: path.join(PROJECT_ROOT, 'vite.config.ts'), root: PROJECT_ROOT, logLevel: 'warn',
    build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  return { url: server.resolvedUrls!.local[0], server };
}

/** The policy a served page carries as a header and in its `<meta>`. */
async function servedPolicies(url: string): Promise<{ header: string | null; meta: string | null }> {
  const response = await fetch(url);
  return { header: response.headers.get('content-security-policy'), meta: metaPolicy(await response.text()) };
}

async function loadFromUrl(page: Page, modelUrl: string): Promise<string> {
  await page.getByTestId('device-select').selectOption('wasm');
  await page.getByTestId('source-url').check();
  await page.getByTestId('model-url').fill(modelUrl);
  await page.getByTestId('load-button').click();
  const settled = page.locator('[data-testid="model-status"][data-status="ready"], [data-testid="model-status"][data-status="error"]');
  await settled.waitFor({ timeout: 60_000 });
  return (await settled.getAttribute('data-status'))!;
}

describe.skipIf(skip !== null)('the Content-Security-Policy header of the preview and dev servers', () => {
  let browser: Browser;
  let other: OtherOrigin;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    other = await startOtherOrigin({ dir: MODEL_DIR });
    cleanup.push(() => browser.close(), () => other.close());
  }, 120_000);

  afterAll(async () => {
    for (const close of cleanup.reverse()) await close();
  });

  it('preview: the header equals the <meta> on both pages and is sent with the worker and the wasm; the worker is held to it', async () => {
    const { url, server } = await startPreview(await buildSite());
    cleanup.push(() => server.close());
    for (const name of ['', 'rag.html']) expect(await servedPolicies(url + name), name || 'index.html').toEqual({ header: contentSecurityPolicy(), meta: contentSecurityPolicy() });

    const page = await browser.newPage();
    const watch = await watchPolicy(page);
    await page.goto(url);
    expect(await loadFromUrl(page, `${url}models/tiny-random-bge-reranker/`)).toBe('ready');
    // Cross-origin isolated (preview sends COOP/COEP): onnxruntime's threads started under the worker's own policy,
    // Trusted Types included (the worker's default policy vouches for their same-origin script).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(await page.getByTestId('info-backend').textContent()).toBe(`wasm (${cores} thread${cores === 1 ? '' : 's'})`);
    await page.getByTestId('rerank-button').click();
    await page.locator('[data-testid="rerank-status"][data-status="done"]').waitFor({ timeout: 60_000 });
    expect(await watch.violations()).toEqual([]);
    expect(watch.refusals).toEqual([]);

    // Every file the page and the worker loaded came with the policy (the worker's own is its script's header).
    const worker = page.workers().find((w) => w.url().includes('reranker.worker'))!;
    expect(worker).toBeDefined();
    for (const file of [worker.url(), ...fs.readdirSync(path.join(await buildSite(), 'assets')).map((f) => `${url}assets/${f}`)]) {
      const response = await fetch(file, { method: 'HEAD' });
      expect(response.headers.get('content-security-policy'), file).toBe(contentSecurityPolicy());
    }
    // A worker's violation is an event on the worker's global scope (the document hears nothing of it).
    const fromWorker = await worker.evaluate(async (target) => {
      const reported = new Promise<string>((resolve) => self.addEventListener('securitypolicyviolation',
        (e) => resolve(`${(e as SecurityPolicyViolationEvent).effectiveDirective} ${(e as SecurityPolicyViolationEvent).blockedURI}`)));
      const sent = await fetch(target).then(() => 'sent', (e: Error) => e.name);
      return [sent, await reported];
    }, `${other.url}from-the-worker`);
    expect(fromWorker).toEqual(['TypeError', `connect-src ${other.url}from-the-worker`]);
    expect(other.requests).toEqual([]);
    await page.close();
  }, 120_000);

  it('preview: a model on a third origin is refused, until the build adds that origin (CSP_CONNECT_SRC)', async () => {
    const modelUrl = `${other.url}tiny-random-bge-reranker/`;
    const plain = await startPreview(await buildSite());
    cleanup.push(() => plain.server.close());
    const refused = await browser.newPage();
    const watch = await watchPolicy(refused);
    await refused.goto(plain.url);
    expect(await loadFromUrl(refused, modelUrl)).toBe('error');
    // Refused in the worker before any request left: the same URL loads below once the origin is added.
    expect(await refused.getByTestId('model-error').textContent()).toContain(`could not fetch ${modelUrl}config.json`);
    expect(other.requests).toEqual([]);
    expect(await watch.violations()).toEqual([]); // the page itself fetched nothing from there
    await refused.close();

    const outDir = siteBuildFolder();
    cleanup.push(async () => fs.rmSync(outDir, { recursive: true, force: true }));
    // The host's addition, at build time (the pages' <meta>) and when the preview starts (its header).
    const saved = process.env.CSP_CONNECT_SRC;
    process.env.CSP_CONNECT_SRC = other.origin;
    let widenedPreview: { url: string; server: PreviewServer };
    try {
      await productionBuild({ configFile: path.join(PROJECT_ROOT, 'vite.config.ts'), root: PROJECT_ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
      widenedPreview = await startPreview(outDir);
    } finally {
      if (saved === undefined) delete process.env.CSP_CONNECT_SRC;
      else process.env.CSP_CONNECT_SRC = saved;
    }
    const { url, server } = widenedPreview;
    cleanup.push(() => server.close());
    const widened = contentSecurityPolicy({ connect: [other.origin] });
    expect(await servedPolicies(url)).toEqual({ header: widened, meta: widened });
    const allowed = await browser.newPage();
    const allowedWatch = await watchPolicy(allowed);
    await allowed.goto(url);
    expect(await loadFromUrl(allowed, modelUrl)).toBe('ready');
    expect(other.requests.filter((r) => r.startsWith('GET /tiny-random-bge-reranker/onnx/'))).toHaveLength(1);
    expect(await allowedWatch.violations()).toEqual([]);
    expect(allowedWatch.refusals).toEqual([]);
    await allowed.close();
  }, 180_000);

  it('dev: the header equals the <meta>, the built policy plus a style nonce; the app runs under it with its styles; harness pages are left out', async () => {
    const dev: DevServer = await startDevServer({ include: ['lit', 'lit/decorators.js', 'lit/directive.js', '@lit/task', 'uplot', 'minisearch'] });
    cleanup.push(() => dev.close());
    for (const name of ['', 'rag.html']) {
      const { header, meta } = await servedPolicies(dev.url + name);
      expect(meta, name || 'index.html').toBe(header);
      const nonce = /'nonce-([^']+)'/.exec(header ?? '')?.[1];
      expect(nonce).toBeDefined();
      expect(header).toBe(contentSecurityPolicy({ styleNonce: nonce }));
    }
    // The harness pages (onnxruntime in the page itself) are not the product and get no policy; the worker's script
    // does, whichever page starts it.
    expect(await servedPolicies(`${dev.url}tools/pages/core.html`)).toEqual({ header: null, meta: null });
    const workerScript = await fetch(`${dev.url}src/worker/reranker.worker.ts?worker_file&type=module`);
    expect(workerScript.headers.get('content-security-policy')).toBe((await servedPolicies(dev.url)).header);
    const page = await browser.newPage();
    const watch = await watchPolicy(page);
    try {
      await page.goto(dev.url);
      // theme.css arrives as a <style> Vite's client injects: the nonce lets it apply.
      await expect.poll(() => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim())).not.toBe('');
      expect(await loadFromUrl(page, 'models/tiny-random-bge-reranker/')).toBe('ready');
      await page.getByTestId('rerank-button').click();
      await page.locator('[data-testid="rerank-status"][data-status="done"]').waitFor({ timeout: 60_000 });
      expect(await watch.violations()).toEqual([]);
      expect(watch.refusals).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);
});
