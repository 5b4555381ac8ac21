/**
 * The built site, as a user hosts it: `vite build` once per test process into a private folder, then served by a plain
 * static server on 127.0.0.1 under a sub-path (`/demo/` by default), optionally cross-origin isolated (COOP/COEP, so
 * wasm threads work). Every request is recorded, for the privacy tests.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { build, type InlineConfig } from 'vite';
import { PROJECT_ROOT } from './harness.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

let built: Promise<string> | null = null;

/** Names the vitest run (set by test/global-setup.ts, inherited by the test workers); unset in scripts. */
export const SITE_RUN_VARIABLE = 'BGE_RERANKER_TEST_RUN';

/**
 * A fresh folder for a built site, named after the vitest run (test/global-setup.ts), which removes it when the run
 * ends; outside vitest, this process removes it on exit.
 */
export function siteBuildFolder(): string {
  const run = process.env[SITE_RUN_VARIABLE];
  const dir = fs.mkdtempSync(path.join(PROJECT_ROOT, 'node_modules', `.site-test-${run ?? 'manual'}-`));
  if (!run) process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * `vite build` as the CLI runs it. Under vitest NODE_ENV is 'test', which makes Vite resolve the `development` export
 * conditions (Lit's dev mode, for one): set it to 'production' for the build, then put it back.
 */
export async function productionBuild(config: InlineConfig): Promise<void> {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    // Rolldown's per-build plugin timing report is noise in test output (issue 19 item 13).
    const rolldownOptions = { ...config.build?.rolldownOptions, checks: { ...config.build?.rolldownOptions?.checks, bundlerTimings: false } };
    await build({ mode: 'production', ...config, build: { ...config.build, rolldownOptions } });
  } finally {
    process.env.NODE_ENV = previous;
  }
}

/** Builds the app (index.html and every page Vite's config names) once per process; resolves with the output folder. */
export function buildSite(): Promise<string> {
  built ??= (async () => {
    const outDir = siteBuildFolder();
    await productionBuild({ configFile: path.join(PROJECT_ROOT, 'vite.config.ts'), root: PROJECT_ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    return outDir;
  })();
  return built;
}

export interface RecordedRequest {
  method: string;
  url: string;
  body: string;
}

export interface StaticSite {
  /** The site's URL, ending in the base path: `http://127.0.0.1:PORT/demo/`. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface StaticSiteOptions {
  base?: string;
  /** Send COOP/COEP so the page is cross-origin isolated (SharedArrayBuffer, wasm threads). */
  isolate?: boolean;
}

/** A plain static server: files under `base`, 404 for anything else (no SPA fallback, like a bucket or GitHub Pages). */
export async function serveSite(dir: string, { base = '/demo/', isolate = false }: StaticSiteOptions = {}): Promise<StaticSite> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push({ method: req.method ?? 'GET', url: url.href.slice('http://x'.length), body: Buffer.concat(chunks).toString('utf8') });
      const headers: Record<string, string> = isolate
        ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
        : {};
      let rel = decodeURIComponent(url.pathname);
      if (!rel.startsWith(base)) return void res.writeHead(404, headers).end('not found');
      rel = rel.slice(base.length) || 'index.html';
      if (rel.endsWith('/')) rel += 'index.html';
      const file = path.join(dir, rel);
      if (!file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        return void res.writeHead(404, headers).end('not found');
      }
      const body = fs.readFileSync(file);
      res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
