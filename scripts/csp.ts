/**
 * The Content-Security-Policy of the app (index.html) and the RAG page (rag.html): one definition, written into every
 * page Vite emits as a `<meta http-equiv>` (so it holds on any static host) and sent as a response header by
 * `npm run dev` and `npm run preview` (so it also holds for the worker, which a `<meta>` does not reach: a worker
 * loaded from a URL takes its policy from its own script's response headers, never from the page).
 *
 * What each source is for:
 * - `script-src 'self' 'wasm-unsafe-eval'`: the site's own module scripts, and compiling onnxruntime's `.wasm`
 *   (in the worker; without it `WebAssembly.instantiate` is refused). No inline or remote script, no `eval`.
 * - `worker-src 'self'`: the reranker worker and onnxruntime's wasm threads (`em-pthread` workers, started from a
 *   same-origin module; measured: no `blob:` needed, isolated or not).
 * - `connect-src 'self'` + the hub: the model files, the `.wasm`, Vite's HMR socket in dev. huggingface.co answers
 *   large (LFS/xet) files with a redirect to its CDNs (`cdn-lfs*.huggingface.co`, `cdn-lfs*.hf.co`,
 *   `cas-bridge.xethub.hf.co`, regional `*.cdn.hf.co`), and CSP checks every hop, hence the wildcards.
 * - `img-src 'self' data:`: the inline SVG favicon (a `data:` URL: no request at all).
 * - `style-src 'self'`: the built stylesheet; Lit's styles are constructed stylesheets, which CSP does not govern.
 *   No `'unsafe-inline'`, so no `style` attribute applies: the UI sets inline styles through the CSSOM only.
 * - `default-src 'none'`, `object-src 'none'`, `base-uri 'self'`, `form-action 'none'`: everything else is refused.
 * - `require-trusted-types-for 'script'`: no string reaches an HTML or script sink (`innerHTML`, `script.src`,
 *   `new Worker(url)`) unless a Trusted Types policy vouches for it. Lit renders through its own policy; the pages and
 *   the worker install a `default` one that vouches for same-origin script URLs only (src/worker/trusted-types.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Plugin } from 'vite';

/** Where hub ids are downloaded from: the hub and the CDNs it redirects model files to. */
export const HUB_SOURCES = ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'] as const;

export interface PolicyOptions {
  /** More `connect-src` sources: the origin of a model folder on another host, e.g. `https://models.example.org`. */
  connect?: readonly string[];
  /** A nonce for `<style>` elements: only the dev server, whose CSS arrives as injected `<style>` tags, uses one. */
  styleNonce?: string;
}

/**
 * The policy as one header value.
 *
 * @example
 * contentSecurityPolicy({ connect: ['https://models.example.org'] })
 * // → "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:;
 * //    connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co https://models.example.org;
 * //    worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'; require-trusted-types-for 'script'"
 * //    (one line)
 */
export function contentSecurityPolicy({ connect = [], styleNonce }: PolicyOptions = {}): string {
  for (const source of connect) {
    if (!/^[^\s;,<>"]+$/.test(source)) throw new Error(`not a CSP source: ${JSON.stringify(source)}`);
  }
  const directives: [string, readonly string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'", "'wasm-unsafe-eval'"]],
    ['style-src', ["'self'", ...(styleNonce ? [`'nonce-${styleNonce}'`] : [])]],
    ['img-src', ["'self'", 'data:']],
    ['connect-src', ["'self'", ...HUB_SOURCES, ...connect]],
    ['worker-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'none'"]],
    ['require-trusted-types-for', ["'script'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

/** The pages the policy protects: the app and the RAG example (the pages `vite build` emits). */
export const APP_PAGES = ['index.html', 'rag.html'] as const;

/**
 * The policy in the app's pages (a `<meta>` first in `<head>`, before any script or stylesheet) and in the dev and
 * preview servers' response headers. `vite build` and `vite preview` use the policy as is; the dev server adds a
 * nonce, fresh each start, for the `<style>` tags Vite's client injects for imported CSS (Vite's `html.cspNonce`), so
 * dev keeps every other rule of the built site, `style` attributes refused included.
 *
 * The dev server also serves the test and benchmark harness pages (tools/pages, test/browser/pages, scripts/bench), which run
 * onnxruntime in the page itself: those documents get neither the `<meta>` nor the header. Every other response does
 * (scripts, the wasm), so a worker is held to the policy whichever page started it.
 *
 * @example
 * defineConfig({ plugins: [contentSecurityPolicyPlugin({ connect: ['https://models.example.org'] })] })
 */
export function contentSecurityPolicyPlugin(options: Omit<PolicyOptions, 'styleNonce'> = {}): Plugin {
  let policy = contentSecurityPolicy(options);
  let nonce: string | undefined;
  return {
    name: 'bge-reranker:csp',
    config(_config, { command, isPreview }) {
      nonce = command === 'serve' && !isPreview ? randomBytes(18).toString('base64') : undefined;
      policy = contentSecurityPolicy({ ...options, styleNonce: nonce });
      // preview serves the built site only: the header goes with every file.
      return { preview: { headers: { 'Content-Security-Policy': policy } }, ...(nonce ? { html: { cspNonce: nonce } } : {}) };
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (!isHarnessPage(req.url ?? '/', req.headers['sec-fetch-dest'])) res.setHeader('Content-Security-Policy', policy);
        next();
      });
    },
    transformIndexHtml: {
      order: 'post',
      handler: (html, { path }) => (isAppPage(path) ? withMetaPolicy(html, policy) : html),
    },
  };
}

/** Whether a request path names one of the app's pages (`/`, `/index.html`, `/rag.html`; under a base path too). */
function isAppPage(requestPath: string): boolean {
  const pathname = new URL(requestPath, 'http://x').pathname;
  const file = pathname.endsWith('/') ? 'index.html' : pathname.slice(pathname.lastIndexOf('/') + 1);
  return (APP_PAGES as readonly string[]).includes(file) && !/\/(test|scripts)\//.test(pathname);
}

/** A document the dev server serves that is not one of the app's pages: a test or benchmark page. */
function isHarnessPage(url: string, destination: string | string[] | undefined): boolean {
  const pathname = new URL(url, 'http://x').pathname;
  const document = destination === 'document' || pathname.endsWith('.html') || pathname.endsWith('/');
  return document && !isAppPage(pathname);
}

/**
 * The page with the policy's `<meta>` right after `<meta charset>` (else first in `<head>`): before every script and
 * stylesheet, which a `<meta>` policy does not reach when they come first. Written with plain quotes, so a host can
 * read it and add a source.
 */
export function withMetaPolicy(html: string, policy: string): string {
  if (/[<>"]/.test(policy)) throw new Error(`a policy cannot hold <, > or ": ${policy}`);
  if (metaPolicy(html) !== null) throw new Error('the page already has a Content-Security-Policy <meta>');
  const tag = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
  const charset = /^([ \t]*)<meta\s+charset=[^>]*>/im.exec(html);
  if (charset) return html.replace(charset[0], `${charset[0]}\n${charset[1]}${tag}`);
  const head = /<head[^>]*>/i.exec(html);
  if (!head) throw new Error('no <head> to put the Content-Security-Policy <meta> in');
  return html.replace(head[0], `${head[0]}\n${tag}`);
}

/** The policy a page carries in its `<meta http-equiv="Content-Security-Policy">`, or null. */
export function metaPolicy(html: string): string | null {
  const tag = /<meta\s[^>]*http-equiv=["']?Content-Security-Policy["']?[^>]*>/i.exec(html)?.[0];
  const content = tag ? /content="([^"]*)"/i.exec(tag)?.[1] : undefined;
  return content === undefined ? null : content.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');
}
