/**
 * A hub-like server on 127.0.0.1 for download tests: `/{owner}/{name}/resolve/{revision}/{path}` answers small files
 * itself and redirects large (LFS) ones to a second origin (another port), the way huggingface.co sends them to its
 * CDN: the 302 carries `X-Linked-Size`, `X-Linked-Etag` (the quoted SHA-256) and `X-Repo-Commit`; the CDN answers with
 * the SHA-256 as its `ETag`, `Accept-Ranges: bytes`, and honours `Range`. CORS allows any origin and exposes those
 * headers. Faults per file path: drop the connection after N bytes, answer 500 once, flip a byte, trickle slowly,
 * ignore `Range`, or stall (hold the connection open) after N bytes. Every answer is recorded with the body bytes it
 * actually sent.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';

export interface HubFault {
  /** Send this many body bytes, then destroy the connection; `times` such answers (default 1), then behave. */
  dropAfter?: number;
  /** Answer HTTP 500 to this many requests first (default 0; `failOnce` is 1). */
  failOnce?: boolean;
  /** Flip (xor 0xff) the byte at this offset in every answer. */
  flipByte?: number;
  /** Send the body in pieces of `bytes` every `everyMs` (tests must not assert on time). */
  trickle?: { bytes: number; everyMs: number };
  /** Answer every `Range` request with the whole file and status 200, as servers without range support do. */
  ignoreRange?: boolean;
  /** Send this many body bytes of the first answer, then hold the connection open until `release()` or close. */
  stallAfter?: number;
  times?: number;
}

export interface ServedAnswer {
  /** The file's path in the repository. */
  file: string;
  origin: 'hub' | 'cdn';
  status: number;
  range: string | null;
  /** Body bytes written before the answer ended (or was cut). */
  bytes: number;
}

export interface HubServer {
  /** The `remoteHost` to give the reranker: `http://127.0.0.1:PORT/`. */
  remoteHost: string;
  cdnOrigin: string;
  answers: ServedAnswer[];
  /** Body bytes sent for files whose path ends with `suffix`. */
  bytesServed(suffix: string): number;
  setFault(file: string, fault: HubFault | null): void;
  /** Lets stalled answers end (the connection is cut, as when the page that asked goes away). */
  release(): void;
  /** Resolves once an answer for `file` has stalled. */
  stalled(file: string): Promise<void>;
  close(): Promise<void>;
}

export interface HubOptions {
  /** Repositories: `owner/name` → folder on disk. */
  repos: Record<string, string>;
  /** Files at least this large are LFS files: redirected to the CDN origin (default 100 KB). */
  lfsFrom?: number;
}

const CORS = {
  // no-store: each test's answers come from this server, never from the browser's HTTP cache of an earlier test.
  'cache-control': 'no-store',
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'etag, x-linked-size, x-linked-etag, x-repo-commit, accept-ranges, content-range, content-length',
};

const TYPES: Record<string, string> = { '.json': 'application/json' };

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function serveHub({ repos, lfsFrom = 100_000 }: HubOptions): Promise<HubServer> {
  const answers: ServedAnswer[] = [];
  const faults = new Map<string, HubFault & { used: number; failed: number }>();
  const sockets = new Set<Socket>();
  const stalledSockets = new Set<Socket>();
  const stallWaiters = new Map<string, (() => void)[]>();
  const stalledFiles = new Set<string>();
  const digests = new Map<string, string>();

  const sha256 = (file: string) => {
    if (!digests.has(file)) digests.set(file, createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    return digests.get(file)!;
  };
  const locate = (repo: string, rel: string): string | null => {
    const root = repos[repo];
    const file = root ? path.join(root, rel) : null;
    return file && file.startsWith(path.resolve(root)) && fs.existsSync(file) && fs.statSync(file).isFile() ? file : null;
  };

  /** Answers with a file's bytes (whole or a range), applying the file's fault. */
  function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string, rel: string, origin: 'hub' | 'cdn',
    headers: Record<string, string>): void {
    const fault = faults.get(rel);
    const record: ServedAnswer = { file: rel, origin, status: 200, range: req.headers.range ?? null, bytes: 0 };
    answers.push(record);
    if (fault?.failOnce && fault.failed < (fault.times ?? 1)) {
      fault.failed += 1;
      record.status = 500;
      res.writeHead(500, { ...CORS, 'content-type': 'text/plain' });
      res.end('internal error (test fault)');
      return;
    }
    let body = fs.readFileSync(file);
    if (fault?.flipByte !== undefined) {
      body = Buffer.from(body);
      body[fault.flipByte] ^= 0xff;
    }
    const size = body.length;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size;
    if (range && !fault?.ignoreRange) {
      start = Number(range[1]);
      end = range[2] ? Math.min(size, Number(range[2]) + 1) : size;
      if (start >= size) {
        record.status = 416;
        res.writeHead(416, { ...CORS, 'content-range': `bytes */${size}` });
        res.end();
        return;
      }
      record.status = 206;
    }
    const part = body.subarray(start, end);
    res.writeHead(record.status, {
      ...CORS, ...headers,
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': String(part.length),
      'accept-ranges': fault?.ignoreRange ? 'none' : 'bytes',
      ...(record.status === 206 ? { 'content-range': `bytes ${start}-${end - 1}/${size}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const once = (limit: number | undefined) => limit !== undefined && fault!.used < (fault!.times ?? 1);
    const cutAt = once(fault?.dropAfter) ? fault!.dropAfter! : once(fault?.stallAfter) ? fault!.stallAfter! : null;
    const stall = cutAt !== null && fault?.dropAfter === undefined;
    if (cutAt !== null) fault!.used += 1;
    const limit = cutAt === null ? part.length : Math.min(cutAt, part.length);
    const step = fault?.trickle?.bytes ?? 64 * 1024;
    let sent = 0;
    const next = () => {
      if (res.destroyed) return;
      if (sent >= limit) {
        if (cutAt === null) res.end();
        else if (stall) {
          stalledSockets.add(req.socket);
          stalledFiles.add(rel);
          for (const wake of stallWaiters.get(rel) ?? []) wake();
          stallWaiters.delete(rel);
        } else req.socket.destroy();
        return;
      }
      const chunk = part.subarray(sent, Math.min(limit, sent + step));
      sent += chunk.length;
      record.bytes += chunk.length;
      const go = () => (fault?.trickle ? setTimeout(next, fault.trickle.everyMs) : setImmediate(next));
      if (res.write(chunk)) go();
      else res.once('drain', go);
    };
    next();
  }

  const track = (server: http.Server) => server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      stalledSockets.delete(socket);
    });
  });
  const preflight = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== 'OPTIONS') return false;
    res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': 'range',
      'access-control-max-age': '600' });
    res.end();
    return true;
  };

  const cdn = http.createServer((req, res) => {
    if (preflight(req, res)) return;
    // /repos/{owner}/{name}/{path}
    const match = /^\/repos\/([^/]+\/[^/]+)\/(.+)$/.exec(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = match ? locate(match[1], match[2]) : null;
    if (!match || !file) {
      res.writeHead(404, CORS);
      res.end('not found');
      return;
    }
    sendFile(req, res, file, match[2], 'cdn', { etag: `"${sha256(file)}"` });
  });
  track(cdn);
  const cdnOrigin = await listen(cdn);

  const hub = http.createServer((req, res) => {
    if (preflight(req, res)) return;
    const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = match ? locate(match[1], match[3]) : null;
    if (!match || !file) {
      answers.push({ file: match?.[3] ?? req.url ?? '', origin: 'hub', status: 404, range: req.headers.range ?? null, bytes: 0 });
      res.writeHead(404, { ...CORS, 'content-type': 'text/plain', 'x-error-code': 'EntryNotFound' });
      res.end('Entry not found');
      return;
    }
    const [, repo, , rel] = match;
    const size = fs.statSync(file).size;
    if (size >= lfsFrom) {
      answers.push({ file: rel, origin: 'hub', status: 302, range: req.headers.range ?? null, bytes: 0 });
      res.writeHead(302, { ...CORS, location: `${cdnOrigin}/repos/${repo}/${rel}`, 'x-linked-size': String(size),
        'x-linked-etag': `"${sha256(file)}"`, 'x-repo-commit': '0'.repeat(40), etag: `"${sha256(file)}"`, 'content-length': '0' });
      res.end();
      return;
    }
    // Git files: the hub's ETag is the git blob's SHA-1, not a SHA-256.
    const gitSha = createHash('sha1').update(`blob ${size}\0`).update(fs.readFileSync(file)).digest('hex');
    sendFile(req, res, file, rel, 'hub', { etag: `"${gitSha}"`, 'x-repo-commit': '0'.repeat(40) });
  });
  track(hub);
  const hubOrigin = await listen(hub);

  return {
    remoteHost: `${hubOrigin}/`,
    cdnOrigin,
    answers,
    bytesServed: (suffix) => answers.filter((a) => a.file.endsWith(suffix)).reduce((sum, a) => sum + a.bytes, 0),
    setFault(file, fault) {
      stalledFiles.delete(file);
      if (fault) faults.set(file, { ...fault, used: 0, failed: 0 });
      else faults.delete(file);
    },
    release() {
      for (const socket of stalledSockets) socket.destroy();
      stalledSockets.clear();
    },
    stalled: (file) => new Promise((resolve) => {
      if (stalledFiles.has(file)) resolve();
      else stallWaiters.set(file, [...(stallWaiters.get(file) ?? []), resolve]);
    }),
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([hub, cdn].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
