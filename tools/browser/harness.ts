/**
 * Helpers for the real-browser tier: a Vite dev server on 127.0.0.1, Debian's Chromium driven by playwright-core
 * (WebGPU through SwiftShader on CPU-only machines), and the page's console kept for diagnostics.
 *
 * @example
 * const skip = chromiumSkipReason();
 * describe.skipIf(skip !== null)('in Chromium', () => {
 *   let env: BrowserEnv;
 *   beforeAll(async () => { env = await openBrowserEnv(); }, 120_000);
 *   afterAll(() => env?.close());
 *   it('works', async () => {
 *     const page = await env.open('tools/pages/core.html', { ready: 'coreReady' });
 *     // page.evaluate(() => window.scoreWith(...))
 *   });
 * });
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type InlineConfig, type ViteDevServer } from 'vite';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags measured to give a WebGPU adapter (SwiftShader) headless on a CPU-only machine. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Why the browser tests should be skipped, or null when they should run. Only a missing Chromium outside CI skips:
 * CI installs it, so there a missing browser must fail loudly (at launch), never pass as "skipped".
 */
export function chromiumSkipReason(): string | null {
  if (fs.existsSync(CHROMIUM_PATH)) return null;
  if (process.env.CI) return null;
  const reason = `browser tests skipped: no Chromium at ${CHROMIUM_PATH} ` +
    '(install it with `apt-get install -y chromium`, or set CHROMIUM_PATH; in CI a missing browser fails)';
  console.warn(reason);
  return reason;
}

export interface DevServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  vite: ViteDevServer;
  close(): Promise<void>;
}

export interface DevServerOptions {
  /** Dependencies to pre-bundle at startup besides the core's (`@huggingface/transformers`); e.g. `lit` for app tests. */
  include?: string[];
  /** Merged over the harness' settings (and those over vite.config.ts). */
  config?: InlineConfig;
}

/**
 * Starts Vite (the project's vite.config.ts) in middleware mode behind our own http server on 127.0.0.1, port 0:
 * the OS picks a free port and we hold it from the start, so there is no probe-then-bind race.
 *
 * Determinism: dependencies are pre-bundled once at startup (`include`, `noDiscovery`), so no "new dependencies
 * optimized, reloading" can happen mid-test; the file watcher is off, so edits to src/ by others while a
 * test runs cannot reload the page. The optimizer cache is private to this server (removed on close), so concurrent
 * dev servers and test runs never share or clobber one.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cacheDir = fs.mkdtempSync(path.join(PROJECT_ROOT, 'node_modules', '.vite-browser-test-'));
  const sockets = new Set<Socket>();
  const server = http.createServer();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let vite: ViteDevServer | undefined;
  try {
    vite = await createServer({
      configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
      root: PROJECT_ROOT,
      cacheDir,
      logLevel: 'warn',
      clearScreen: false,
      appType: 'mpa',
      // The client's HMR socket shares our server (`server.ws`; `server.hmr.server` is deprecated in Vite 8), so a
      // closed socket is no page error. With the watcher off,
      // nothing is ever pushed on it.
      server: { middlewareMode: true, ws: { server }, watch: null },
      optimizeDeps: {
        include: ['@huggingface/transformers', ...(options.include ?? [])],
        noDiscovery: true,
        // onnxruntime-web stays excluded (vite.config.ts): it finds its .wasm relative to its own module.
      },
      ...options.config,
    });
  } catch (error) {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    throw error;
  }
  server.on('request', vite.middlewares);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const started = vite;
  return {
    url: `http://127.0.0.1:${port}/`,
    vite: started,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await started.close();
      fs.rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** One console message or page error, in arrival order. */
export interface PageLog {
  page: string;
  type: string;
  text: string;
}

export interface OpenPageOptions {
  /** A `window` property the page sets to true once its module has run; waited for after navigation. */
  ready?: string;
  timeoutMs?: number;
}

export interface BrowserEnv {
  server: DevServer;
  browser: Browser;
  context: BrowserContext;
  /** Everything every page printed (console, page errors, crashes, failed requests). */
  logs: PageLog[];
  /** Opens `pathname` (relative to the server root) in a new page of the shared context. */
  open(pathname: string, options?: OpenPageOptions): Promise<Page>;
  /** The logs as text, for a failure message. */
  dumpLogs(last?: number): string;
  /** Messages that mean Vite reloaded the page or an uncaught error happened: should stay empty. */
  problems(): PageLog[];
  close(): Promise<void>;
}

/**
 * Launches Chromium with the WebGPU flags (`webgpu: false` leaves out `--enable-unsafe-webgpu`: a browser with no
 * adapter). playwright gives each launch a fresh temporary profile and removes it.
 */
export async function launchChromium(extraArgs: string[] = [], { webgpu = true }: { webgpu?: boolean } = {}): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` ` +
      '(never `npx playwright install`), or set CHROMIUM_PATH');
  }
  // playwright refuses `--user-data-dir` in `args`: launch() already uses a fresh temporary profile per browser.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS.filter((arg) => webgpu || arg !== '--enable-unsafe-webgpu'), ...extraArgs],
    timeout: 60_000,
  });
}

const RELOAD = /new dependencies optimized|optimized dependencies changed|reloading|\[vite\] server connection lost/i;

/** Starts the dev server and the browser together; `close` undoes both (and is safe after a partial start). */
export async function openBrowserEnv(options: DevServerOptions & { chromiumArgs?: string[] } = {}): Promise<BrowserEnv> {
  const logs: PageLog[] = [];
  const server = await startDevServer(options);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium(options.chromiumArgs);
    const context = await browser.newContext();
    const launched = browser;
    const env: BrowserEnv = {
      server,
      browser: launched,
      context,
      logs,
      async open(pathname, { ready, timeoutMs = 60_000 } = {}) {
        const page = await context.newPage();
        const name = pathname.split('/').pop() ?? pathname;
        page.on('console', (m) => logs.push({ page: name, type: m.type(), text: m.text() }));
        page.on('pageerror', (e) => logs.push({ page: name, type: 'pageerror', text: e.stack ?? String(e) }));
        page.on('crash', () => logs.push({ page: name, type: 'crash', text: 'the page crashed' }));
        page.on('response', (r) => {
          if (r.status() >= 400) logs.push({ page: name, type: 'http', text: `${r.status()} ${r.url()}` });
        });
        page.on('requestfailed', (r) => {
          // Chromium reports every HEAD fetch (how the core probes optional files) as aborted: not a failure.
          if (r.method() !== 'HEAD') logs.push({ page: name, type: 'requestfailed', text: `${r.url()}: ${r.failure()?.errorText}` });
        });
        page.setDefaultTimeout(timeoutMs);
        const response = await page.goto(new URL(pathname, server.url).href, { waitUntil: 'load' });
        if (!response?.ok()) throw new Error(`${pathname} answered HTTP ${response?.status()}\n${env.dumpLogs()}`);
        if (ready) {
          await page.waitForFunction((flag) => (window as unknown as Record<string, unknown>)[flag] === true, ready, { timeout: timeoutMs })
            .catch((error: Error) => {
              throw new Error(`${pathname} never set window.${ready}: ${error.message}\n${env.dumpLogs()}`);
            });
        }
        return page;
      },
      dumpLogs(last = 60) {
        const shown = logs.slice(-last);
        return `page logs (${logs.length}${logs.length > shown.length ? `, last ${shown.length}` : ''}):\n` +
          shown.map((l) => `  [${l.page} ${l.type}] ${l.text}`).join('\n');
      },
      problems() {
        return logs.filter((l) => l.type === 'pageerror' || l.type === 'crash' || RELOAD.test(l.text));
      },
      async close() {
        await context.close().catch(() => {});
        await launched.close().catch(() => {});
        await server.close();
      },
    };
    return env;
  } catch (error) {
    await browser?.close().catch(() => {});
    await server.close();
    throw error;
  }
}
