/**
 * npm run bench:main-thread: how long the page's main thread is blocked while the app reranks in its worker. The
 * built app, served under /demo/, in Debian's Chromium; a 600-pair rerank at batch 1 (600 batch records reach the
 * page); a `longtask` PerformanceObserver and a requestAnimationFrame loop in the page. Goal: no task over 50 ms.
 *
 *   npm run bench:main-thread [-- --pairs 600 --rounds 3]
 */
import { parseArgs } from 'node:util';
import { launchChromium } from '../../tools/browser/harness.ts';
import { buildSite, serveSite } from '../../tools/browser/site.ts';
import { RAG_50 } from '../../src/samples/rag-50.ts';
import { spreadOf } from './stats.ts';

const { values } = parseArgs({ options: { pairs: { type: 'string', default: '600' }, rounds: { type: 'string', default: '3' } } });
const pairs = Number(values.pairs);
const rounds = Number(values.rounds);

/** In the page: long tasks and the gaps between animation frames, from now until COLLECT. */
const OBSERVE = `(() => {
  const w = window;
  w.__tasks = []; w.__gaps = []; w.__stop = false;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__tasks.push(e.duration); }).observe({ type: 'longtask' });
  let last = performance.now();
  const tick = (now) => { w.__gaps.push(now - last); last = now; if (!w.__stop) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;
const COLLECT = `(() => { window.__stop = true; return { tasks: window.__tasks, gaps: window.__gaps }; })()`;

const site = await serveSite(await buildSite());
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await page.goto(site.url);
  await page.getByTestId('device-select').selectOption('wasm');
  await page.getByTestId('load-button').click();
  await page.locator('[data-testid="model-status"][data-status="ready"]').waitFor({ timeout: 120_000 });
  const documents = Array.from({ length: pairs }, (_, i) => RAG_50.documents[i % RAG_50.documents.length].slice(0, 400));
  await page.getByTestId('query-input').fill(RAG_50.query);
  await page.getByTestId('documents-input').fill(documents.join('\n'));
  await page.getByTestId('batching-select').selectOption('fixed');
  await page.getByTestId('batch-size-input').fill('1');
  const longest: number[] = [];
  const blocked: number[] = [];
  const p95Gaps: number[] = [];
  console.log(`| round | wall ms | long tasks | longest ms | blocked ms | tasks > 50 ms | p95 frame gap ms |\n|---|---|---|---|---|---|---|`);
  for (let round = 1; round <= rounds; round++) {
    // A string, not a function: tsx would add helpers (__name) that do not exist in the page.
    await page.evaluate(OBSERVE);
    const started = Date.now();
    await page.getByTestId('rerank-button').click();
    await page.locator('[data-testid="rerank-status"][data-status="done"]').waitFor({ timeout: 600_000 });
    const wallMs = Date.now() - started;
    const { tasks, gaps } = (await page.evaluate(COLLECT)) as { tasks: number[]; gaps: number[] };
    const sorted = [...gaps].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
    const max = tasks.reduce((m, t) => Math.max(m, t), 0);
    const sum = tasks.reduce((a, b) => a + b, 0);
    longest.push(max);
    blocked.push(sum);
    p95Gaps.push(p95);
    console.log(`| ${round} | ${wallMs} | ${tasks.length} | ${max.toFixed(0)} | ${sum.toFixed(0)} | ${tasks.filter((t) => t > 50).length} | ${p95.toFixed(1)} |`);
  }
  const s = spreadOf(longest);
  console.log(`\n${pairs} pairs at batch 1, ${rounds} rounds: longest task median ${s.median.toFixed(0)} ms ` +
    `(${s.min.toFixed(0)}–${s.max.toFixed(0)}), blocked median ${spreadOf(blocked).median.toFixed(0)} ms, ` +
    `p95 frame gap median ${spreadOf(p95Gaps).median.toFixed(1)} ms`);
} finally {
  await browser.close();
  await site.close();
}
