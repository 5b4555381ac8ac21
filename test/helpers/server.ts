/** A static file server on 127.0.0.1 for loading tests: plain, hub-shaped, or SPA-style (index.html for anything). */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Maps a request path to a file path relative to `root`, or null for 404. */
  route?: (urlPath: string) => string | null;
  /** Answer unknown paths with an HTML page and status 200, like Vite's dev server and SPA hosts. */
  htmlFallback?: boolean;
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.onnx': 'application/octet-stream', '.html': 'text/html' };

export async function serveDirectory(root: string, options: ServeOptions = {}): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(`${req.method} ${urlPath}`);
    const rel = options.route ? options.route(urlPath) : urlPath.replace(/^\//, '');
    const file = rel === null ? null : path.join(root, rel);
    if (file && file.startsWith(path.resolve(root)) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      const body = fs.readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else if (options.htmlFallback) {
      const body = '<!doctype html><html><body>app</body></html>';
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
