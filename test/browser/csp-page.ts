/**
 * Helpers for the Content-Security-Policy tests: what a page's policy reported (its `securitypolicyviolation` events
 * and the console lines the browser prints for a refusal, the worker's included), and a server on another origin that
 * records every request it gets (an attacker's, or a host that serves the model from a third origin).
 *
 * @example
 * const other = await startOtherOrigin();
 * const csp = await watchPolicy(page);           // before page.goto
 * await page.goto(url);
 * await page.evaluate((u) => fetch(u).catch(() => {}), other.url + 'x');
 * await csp.violations()                           // → [{ directive: 'connect-src', blocked: 'http://127.0.0.1:…/x', … }]
 * other.requests                                   // → []
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { ConsoleMessage, Page } from 'playwright-core';

export interface Violation {
  directive: string;
  blocked: string;
  disposition: string;
  sample: string;
}

export interface PolicyWatch {
  /** Every `securitypolicyviolation` the document fired so far (its shadow roots' included: the event is composed). */
  violations(): Promise<Violation[]>;
  /** Console lines about a refusal by the policy (Trusted Types included), from the page or its workers. */
  readonly refusals: string[];
}

/** A console line the browser prints when a Content-Security-Policy or Trusted Types refuses something. */
export const REFUSAL = /Content Security Policy|Refused to|TrustedScriptURL|TrustedHTML|TrustedScript\b/;

/** Starts recording before the page's first script runs; call it before `page.goto`. */
export async function watchPolicy(page: Page): Promise<PolicyWatch> {
  // A string, not a function: the script must run as written, before any of the page's own.
  await page.addInitScript({
    content: `window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push({
        directive: e.effectiveDirective, blocked: e.blockedURI, disposition: e.disposition, sample: e.sample }));`,
  });
  const refusals: string[] = [];
  const record = (from: string) => (m: ConsoleMessage) => {
    if (REFUSAL.test(m.text())) refusals.push(`[${from} ${m.type()}] ${m.text()}`);
  };
  page.on('console', record('page'));
  // A worker's refusals fire no event in the document and reach only the worker's own console.
  page.on('worker', (worker) => worker.on('console', record(worker.url().split('/').pop() ?? 'worker')));
  return {
    refusals,
    violations: () => page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations),
  };
}

export interface OtherOrigin {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  origin: string;
  /** Every request it got, as `METHOD /path?query`. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * An http server on its own port (so another origin than the site): it records every request and answers 204, or,
 * with `dir`, serves that folder with the headers a model host needs (CORS, and CORP for isolated pages).
 */
export async function startOtherOrigin({ dir }: { dir?: string } = {}): Promise<OtherOrigin> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const headers = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
    const file = dir ? path.join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)) : '';
    if (!dir || !file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      return void res.writeHead(dir ? 404 : 204, headers).end();
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { ...headers, 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    origin,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
