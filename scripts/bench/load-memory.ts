/**
 * Peak memory of Chromium while the public `createReranker` (model in the worker) downloads, stores and starts a model
 * folder served by the hub-like test server's second origin: the renderer processes' resident memory (the page and its worker share
 * one), sampled every 100 ms from /proc (Linux), above the idle page's. Each run uses a fresh profile on disk, so the
 * file is downloaded (not read from the cache); `--cached` loads it twice and measures the second, cached load. It
 * also prints what the renderer still holds 5 s after the load and then after a garbage collection in the page and its
 * workers (what the loaded reranker keeps), the worker's wasm heap, and `info.runtime.weights` and `tablesInPieces`
 * (which loading path ran).
 * LOAD_MEMORY_TIMELINE=1 prints the memory every 0.5 s, to see which phase (download, session) makes the peak.
 *
 *   npx tsx scripts/bench/load-memory.ts --dir /tmp/full-q8 [--dtype q8] [--device wasm|webgpu] [--cached] [--no-self-check]
 *
 * WebGPU (SwiftShader here) keeps its buffers in the GPU process, which is not counted: the renderer's share is what
 * the page holds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, startDevServer } from '../../tools/browser/harness.ts';
import { serveHub } from '../../tools/hub-server.ts';
import type { HubLoadResult } from '../../tools/pages/downloads-page.ts';
import type { Dtype } from '../../src/lib/types.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' }, dtype: { type: 'string', default: 'q8' },
  device: { type: 'string', default: 'wasm' }, cached: { type: 'boolean', default: false },
  'no-self-check': { type: 'boolean', default: false } } });
if (values.device !== 'wasm' && values.device !== 'webgpu') throw new Error('--device is wasm or webgpu');
const device = values.device as 'wasm' | 'webgpu';
if (!values.dir) throw new Error('--dir is required');

/** Resident bytes of every process under `root` whose command line says it is a renderer. */
function rendererRss(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  let total = 0;
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      try {
        if (fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('--type=renderer')) {
          total += Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child}/status`, 'utf8'))?.[1] ?? 0) * 1024;
        }
      } catch {
        // gone
      }
      walk(child);
    }
  };
  walk(root);
  return total;
}

const dir = path.resolve(values.dir);
const modelFile = path.join(dir, 'onnx', values.dtype === 'q8' ? 'model_quantized.onnx' : `model_${values.dtype}.onnx`);
const fileBytes = fs.statSync(modelFile).size;
const hub = await serveHub({ repos: { 'generated/full': dir } });
process.env.CSP_CONNECT_SRC = 'http://127.0.0.1:*';
const server = await startDevServer();
// A profile on disk, as a user's: an incognito profile keeps the Cache API in memory.
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'load-memory-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH,
  args: [...(device === 'webgpu' ? CHROMIUM_ARGS : CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu')), '--js-flags=--expose-gc'] });
const browserPid = Number(fs.readdirSync('/proc').find((pid) => {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(profile) && !cmdline.includes('--type=');
  } catch {
    return false;
  }
}));
try {
  const page = await context.newPage();
  page.setDefaultTimeout(600_000);
  // A renderer that dies (out of memory, a GPU crash) reads as a lost execution context; say so, with the console.
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`.slice(0, 300)));
  page.on('crash', () => console.error(`the renderer crashed; its last console lines:\n${consoleLines.slice(-10).join('\n')}`));
  await page.goto(new URL('tools/pages/downloads.html', server.url).href);
  await page.waitForFunction(() => window.downloadsReady === true);
  // The folder's URL on the server's second origin (what the hub redirects to), so that the code before remoteHost
  // existed loads it the same way.
  const request = { remoteHost: hub.remoteHost, model: `${hub.cdnOrigin}/repos/generated/full/`, pieceBytes: 8 * 1024 * 1024, dtype: values.dtype as Dtype, device,
    ...(values['no-self-check'] ? { selfCheck: false } : {}) };
  if (values.cached) {
    const first = await page.evaluate((r) => window.loadHub(r), request);
    if (first.error) throw new Error(`${first.error.name}: ${first.error.message}`);
  }
  await new Promise((r) => setTimeout(r, 2000));
  const idle = rendererRss(browserPid);
  let peak = idle;
  const timeline: number[] = [];
  const sampler = setInterval(() => {
    const now = rendererRss(browserPid);
    peak = Math.max(peak, now);
    if (process.env.LOAD_MEMORY_TIMELINE) timeline.push(Math.round((now - idle) / 1e6));
  }, 100);
  const started = performance.now();
  const result: HubLoadResult = await page.evaluate((r) => window.loadHub({ ...r, keep: true }), request);
  clearInterval(sampler);
  if (timeline.length) console.log(`MB above idle every 0.5 s: ${timeline.filter((_, i) => i % 5 === 0).join(' ')}`);
  if (result.error) throw new Error(`${result.error.name}: ${result.error.message}`);
  // What the loaded reranker keeps: the renderer a few seconds after the load, once transient buffers had time to go.
  await new Promise((r) => setTimeout(r, 5000));
  const held = rendererRss(browserPid);
  // And after a full garbage collection in the page and every worker: what is held, as against what was not yet freed.
  // (onnxruntime's pthread workers sit in a blocking wait and never answer: bounded.)
  const collect = () => (globalThis as { gc?: () => void }).gc?.();
  await Promise.all([page.evaluate(collect), ...page.workers().map((worker) => worker.evaluate(collect))]
    .map((done) => Promise.race([done.catch(() => {}), new Promise((r) => setTimeout(r, 3000))])));
  await new Promise((r) => setTimeout(r, 2000));
  const heldAfterGc = rendererRss(browserPid);
  const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
  console.log(JSON.stringify({ file: path.basename(modelFile), fileBytes, cached: values.cached, backend: result.info?.backend,
    selfCheck: result.info?.runtime?.fidelity ?? null,
    fromCache: result.info?.files.map((f) => f.fromCache), wasmHeapBytes: result.wasmHeapBytes, weights: result.info?.runtime?.weights,
    tablesInPieces: result.info?.runtime?.tablesInPieces, storage: result.info?.storage, loadMs: Math.round(performance.now() - started) }));
  console.log(`idle ${mb(idle)}, peak ${mb(peak)}, above idle ${mb(peak - idle)} = ${((peak - idle) / fileBytes).toFixed(2)}× the ${mb(fileBytes)} file; ` +
    `held 5 s after the load ${mb(held - idle)} = ${((held - idle) / fileBytes).toFixed(2)}×; ` +
    `after a garbage collection ${mb(heldAfterGc - idle)} = ${((heldAfterGc - idle) / fileBytes).toFixed(2)}×`);
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  await server.close();
  await hub.close();
}
