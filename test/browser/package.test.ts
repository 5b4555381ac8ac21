/**
 * The packed library as a user gets it: `npm pack` (which runs `build:lib`), a fresh project that installs the tarball
 * offline and uses it with no configuration — bundled by Vite and served as a static site, and as plain
 * `<script type="module">` with no bundler — reranking with the demo model in Chromium; `bge-reranker-web/core` in
 * plain Node from a folder on disk and over http; and its types compile.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createReranker, type RerankerInfo } from '../../src/lib/index.ts';
import { demoFiles, maxAbsDiff } from '../helpers/models.ts';
import { serveDirectory } from '../helpers/server.ts';
import { PROJECT_ROOT, chromiumSkipReason, launchChromium } from '../../tools/browser/harness.ts';
import { productionBuild, serveSite } from '../../tools/browser/site.ts';

const skip = chromiumSkipReason();
const DOCUMENTS = ['Berlin is the capital of Germany.', 'Paris is the capital and largest city of France.', 'Bananas are rich in potassium.'];

/** The fresh project's page script: the library's API and its web component, both on the demo model. */
const MAIN_JS = (libraryPath: string) => `
import { createReranker, InputError } from '${libraryPath}';
import '${libraryPath}/element';
// A relative URL string: the folder beside the page (the worker, in assets/, must not resolve it against itself).
const model = './models/tiny-random-bge-reranker/';
try {
  // selfCheck and 64 KiB pieces: the model is kept and read on demand, so the reference runs in a worker of its own.
  const reranker = await createReranker({ model, device: 'wasm', selfCheck: true, downloadPieceBytes: 65536 });
  const results = await reranker.rerank('what is the capital of France?', ${JSON.stringify(DOCUMENTS)}, { returnDocuments: true });
  let inputError = null;
  try { await reranker.rerank('', ['x']); } catch (e) { inputError = e instanceof InputError ? e.name : String(e); }
  const element = document.querySelector('bge-reranker');
  element.documents = ${JSON.stringify(DOCUMENTS)};
  const elementResults = await element.rerank();
  // Lit renders after the property change: count the shown items once they are there (or after 5 s).
  const items = () => element.shadowRoot.querySelector('rerank-results')?.shadowRoot?.querySelectorAll('li').length ?? 0;
  for (let t = 0; t < 100 && items() < elementResults.length; t++) await new Promise((r) => setTimeout(r, 50));
  window.__outcome = { results, info: reranker.info, inputError, elementResults, elementItems: items() };
} catch (e) {
  window.__outcome = { error: String(e && e.stack || e) };
}
`;

const PAGE = (script: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>fresh app</title></head>
<body><bge-reranker model="models/tiny-random-bge-reranker/" device="wasm" query="what is the capital of France?"></bge-reranker>
${script}</body></html>`;

/**
 * `bge-reranker-web/core` in plain Node, as a user's script runs it: from `{ files }` read with fs, a path, a `./`
 * path, a `file:` URL, an http URL string and `{ url }`; prints each source's scores and info as JSON.
 */
const NODE_SCRIPT = `
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createReranker } from 'bge-reranker-web/core';
const [dir, httpUrl] = process.argv.slice(2);
const files = {};
for (const f of fs.readdirSync(dir, { recursive: true })) {
  const file = path.join(dir, f);
  if (fs.statSync(file).isFile()) files[f.split(path.sep).join('/')] = new Blob([fs.readFileSync(file)]);
}
const sources = { files: { files }, path: dir, relative: './public/models/tiny-random-bge-reranker/',
  fileUrl: pathToFileURL(dir).href, http: httpUrl, url: { url: httpUrl } };
const out = {};
for (const [name, model] of Object.entries(sources)) {
  const reranker = await createReranker({ model });
  out[name] = { scores: await reranker.score(${JSON.stringify(DOCUMENTS.map((d) => ['what is the capital of France?', d]))}),
    backend: reranker.info.backend, dtype: reranker.info.dtype, modelId: reranker.info.modelId };
  await reranker.dispose();
}
console.log(JSON.stringify(out));
`;

describe('the packed library in a fresh project', () => {
  let project: string;

  beforeAll(async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bge-reranker-pack-'));
    execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const tarball = fs.readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    project = path.join(work, 'fresh-app');
    fs.mkdirSync(path.join(project, 'public/models'), { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }));
    // The package has no dependencies, so this install needs no registry.
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent', path.join(work, tarball)], { cwd: project, stdio: 'inherit' });
    fs.cpSync(path.join(PROJECT_ROOT, 'public/models/tiny-random-bge-reranker'), path.join(project, 'public/models/tiny-random-bge-reranker'), { recursive: true });
  }, 240_000);

  afterAll(() => {
    if (project) fs.rmSync(path.dirname(project), { recursive: true, force: true });
  });

  it('bge-reranker-web/core runs in plain Node: a folder on disk (files, path, ./path, file: URL) and an http URL', async () => {
    fs.writeFileSync(path.join(project, 'node-check.mjs'), NODE_SCRIPT);
    const server = await serveDirectory(path.join(project, 'public/models'));
    const pairs = DOCUMENTS.map((d): [string, string] => ['what is the capital of France?', d]);
    const reference = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'q8' });
    const expected = await reference.score(pairs);
    await reference.dispose();
    try {
      const dir = path.join(project, 'public/models/tiny-random-bge-reranker');
      const httpUrl = `${server.url}tiny-random-bge-reranker/`;
      // Async: the server answering the child lives in this process. The child must also exit by itself.
      const { stdout } = await promisify(execFile)(process.execPath, ['node-check.mjs', dir, httpUrl], { cwd: project, timeout: 150_000 });
      const results = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, { scores: number[]; backend: string; dtype: string; modelId: string }>;
      expect(Object.keys(results)).toEqual(['files', 'path', 'relative', 'fileUrl', 'http', 'url']);
      for (const [name, r] of Object.entries(results)) {
        // device and dtype 'auto' in Node: no WebGPU, so wasm and q8, scoring as the source core does.
        expect(r, name).toMatchObject({ backend: 'wasm', dtype: 'q8' });
        expect(maxAbsDiff(r.scores, expected), name).toBeLessThan(1e-6);
      }
      expect(results.path.modelId).toBe(dir);
      expect(results.http.modelId).toBe(httpUrl);
      // Each http source fetched the q8 model from the server (Node has no Cache API to keep it).
      const model = server.requests.filter((r) => r.includes('model_quantized.onnx'));
      expect(model).toEqual(['GET /tiny-random-bge-reranker/onnx/model_quantized.onnx', 'GET /tiny-random-bge-reranker/onnx/model_quantized.onnx']);
    } finally {
      await server.close();
    }
  }, 180_000);

  describe.skipIf(skip !== null)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    async function outcomeAt(url: string) {
      const page = await browser.newPage();
      const logs: string[] = [];
      page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`[pageerror] ${e}`));
      expect((await page.goto(url))?.ok()).toBe(true);
      await page.waitForFunction(() => '__outcome' in window, null, { timeout: 60_000 }).catch(() => {
        throw new Error(`no outcome at ${url}\n${logs.join('\n')}`);
      });
      const outcome = await page.evaluate(() => (window as unknown as { __outcome: Record<string, unknown> }).__outcome);
      await page.close();
      expect(outcome.error, logs.join('\n')).toBeUndefined();
      return outcome as {
        results: { index: number; score: number; document: string }[];
        info: RerankerInfo;
        inputError: string;
        elementResults: { index: number; score: number }[];
        elementItems: number;
      };
    }

    function expectReranked(outcome: Awaited<ReturnType<typeof outcomeAt>>): void {
      expect(outcome.info).toMatchObject({ backend: 'wasm', dtype: 'q8' });
      // The built worker starts its own script again for the reference: the same wasm, the same logits.
      expect(outcome.info.runtime).toMatchObject({ weights: 'read-on-demand', fidelity: { maxDiff: 0, reference: 'separate-worker' } });
      expect(outcome.results.map((r) => r.index).sort()).toEqual([0, 1, 2]);
      for (const r of outcome.results) expect(r.document).toBe(DOCUMENTS[r.index]);
      const scores = outcome.results.map((r) => r.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      expect(outcome.inputError).toBe('InputError');
      // The element ran the same model on the same input: the same ranking and scores.
      expect(outcome.elementResults.map((r) => r.index)).toEqual(outcome.results.map((r) => r.index));
      outcome.elementResults.forEach((r, i) => expect(r.score).toBeCloseTo(scores[i], 6));
      expect(outcome.elementItems).toBe(3);
    }

    it('bundled by Vite with no configuration, served from a static host', async () => {
      fs.writeFileSync(path.join(project, 'index.html'), PAGE('<script type="module" src="./main.js"></script>'));
      fs.writeFileSync(path.join(project, 'main.js'), MAIN_JS('bge-reranker-web'));
      await productionBuild({ root: project, configFile: false, base: './', logLevel: 'warn', build: { outDir: 'dist', emptyOutDir: true } });
      const assets = fs.readdirSync(path.join(project, 'dist/assets'));
      // One copy of each onnxruntime wasm build: the WebGPU one, and the plain one for wasm-only devices.
      const wasm = assets.filter((f) => f.endsWith('.wasm'));
      expect(wasm.filter((f) => f.startsWith('ort-wasm-simd-threaded.asyncify'))).toHaveLength(1);
      expect(wasm.filter((f) => /^ort-wasm-simd-threaded-[\w-]+\.wasm$/.test(f))).toHaveLength(1);
      expect(wasm).toHaveLength(2);
      const site = await serveSite(path.join(project, 'dist'), { base: '/app/' });
      try {
        expectReranked(await outcomeAt(site.url));
      } finally {
        await site.close();
      }
    });

    it('as plain <script type="module"> with no bundler', async () => {
      fs.writeFileSync(path.join(project, 'plain.html'),
        PAGE(`<script type="module">${MAIN_JS('./node_modules/bge-reranker-web/dist/lib/index.js').replace("'./node_modules/bge-reranker-web/dist/lib/index.js/element'", "'./node_modules/bge-reranker-web/dist/lib/element.js'")}</script>`));
      fs.cpSync(path.join(project, 'public/models'), path.join(project, 'models'), { recursive: true });
      const site = await serveSite(project, { base: '/' });
      try {
        expectReranked(await outcomeAt(`${site.url}plain.html`));
      } finally {
        await site.close();
      }
    });
  });

  it('ships type declarations that a strict TypeScript project compiles against', () => {
    fs.writeFileSync(path.join(project, 'check.ts'), `
import { createReranker, InputError, type RerankResult, type RerankerInfo } from 'bge-reranker-web';
import { createReranker as createInThread } from 'bge-reranker-web/core';
import { BgeRerankerElement } from 'bge-reranker-web/element';
export async function run(): Promise<[RerankResult[], RerankerInfo, number[]]> {
  const reranker = await createReranker({ model: 'onnx-community/bge-reranker-v2-m3-ONNX', dtype: 'q8', device: 'auto' });
  const local = await createInThread({ model: { url: '/m/' } });
  const el: BgeRerankerElement = document.createElement('bge-reranker');
  el.documents = ['a'];
  const err: Error = new InputError('x');
  void err;
  return [await reranker.rerank('q', ['a'], { topK: 1, batching: 'tokens' }), reranker.info, await local.score([['q', 'a']])];
}
`);
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2023', 'DOM'], skipLibCheck: false, types: [] },
      files: ['check.ts'],
    }));
    const tsc = path.join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe('');
  });
}, 300_000);
