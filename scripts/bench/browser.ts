/**
 * The benchmark's browser: the test harness' Vite dev server and Chromium (tools/browser/harness.ts, unchanged), plus a
 * Vite plugin that makes every response cross-origin isolated (COOP/COEP, so wasm threads work) and serves the model
 * folder from disk at /bench-model/ with `no-store`, so a load without the Cache API really fetches.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { openBrowserEnv, type BrowserEnv } from '../../tools/browser/harness.ts';

export const MODEL_ROUTE = '/bench-model/';
export const PAGE = 'scripts/bench/bench.html';

const TYPES: Record<string, string> = { '.json': 'application/json', '.onnx': 'application/octet-stream' };

function benchPlugin(modelDir: string): Plugin {
  const root = path.resolve(modelDir);
  return {
    name: 'bench-isolation-and-model',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
        res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        const urlPath = decodeURIComponent((req.url ?? '/').split('?')[0]);
        if (!urlPath.startsWith(MODEL_ROUTE)) return next();
        const file = path.join(root, urlPath.slice(MODEL_ROUTE.length));
        if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found');
          return;
        }
        res.writeHead(200, {
          'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'content-length': fs.statSync(file).size,
          'cache-control': 'no-store',
        });
        if (req.method === 'HEAD') res.end();
        else fs.createReadStream(file).pipe(res);
      });
    },
  };
}

export function openBenchBrowser(modelDir: string): Promise<BrowserEnv> {
  return openBrowserEnv({ config: { plugins: [benchPlugin(modelDir)] } });
}
