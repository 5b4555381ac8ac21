/**
 * Reads a model's files from the hub (or a mirror: `remoteHost`), a self-hosted URL, files the user picked, or (in
 * Node) a folder on disk, with byte progress and abort. Downloads resume, are verified and are kept in transformers.js'
 * default cache (download/, cache.ts), so both libraries see the same files.
 */
import { env } from '@huggingface/transformers';
import { DEFAULT_HUB_HOST, MODEL_CACHE_NAME } from './cache.ts';
import { DEFAULT_PIECE_BYTES, downloadFile } from './download.ts';
import { StoredFile, type ModelTag } from './stored-file.ts';
import { AbortError, InputError, ModelLoadError, throwIfAborted } from '../errors.ts';
import type { ByteCheck, ByteProgress, DownloadResume, LoadProgress, ModelSource } from '../types.ts';
import { isHubId, isUrlOrPath } from './model-source.ts';
import { blobOnDemand } from './on-demand-bytes.ts';
import { nodeModule, readFromDisk, runsInNode } from './file-system.ts';

export interface FileRead {
  path: string;
  /** The file's bytes, or a model file's read on demand (ReadHow). */
  bytes: Uint8Array;
  fromCache: boolean;
  /** Why the downloaded file could not be stored in the browser cache (quota, private mode), when it could not. */
  cacheError?: string;
  /** The file went to the browser cache (read from it, or stored after its download). */
  kept?: boolean;
  /** A download's check of its bytes, and where it picked up again if it did (see LoadedFile). */
  verified?: ByteCheck;
  resumed?: DownloadResume;
}

export interface ModelFileReader {
  /** Human-readable name of the source (hub id, URL, or "local files"). */
  readonly label: string;
  read(path: string, signal?: AbortSignal, how?: ReadHow): Promise<FileRead>;
}

export interface ReadHow {
  /** An ONNX file: where it is on disk (cache, picked file) and can be, read on demand (on-demand-bytes.ts). */
  onDemand?: boolean;
}

/** Tracks bytes across files for the overall figure in progress events. */
export class ProgressTracker {
  private readonly files = new Map<string, { loaded: number; total: number | null }>();

  constructor(private readonly emit: (event: LoadProgress) => void = () => {}) {}

  private overall(): ByteProgress {
    let loaded = 0;
    let total: number | null = 0;
    for (const f of this.files.values()) {
      loaded += f.loaded;
      total = total === null || f.total === null ? null : total + f.total;
    }
    return { loaded, total };
  }

  start(file: string): void {
    this.files.set(file, { loaded: 0, total: null });
    this.emit({ status: 'initiate', file });
    this.emit({ status: 'download', file });
  }

  update(file: string, loaded: number, total: number | null, resumed?: DownloadResume): void {
    this.files.set(file, { loaded, total });
    this.emit({ status: 'progress', file, loaded, total, overall: this.overall(), ...(resumed ? { resumed } : {}) });
  }

  done(file: string, bytes: number, fromCache: boolean, verified?: ByteCheck): void {
    this.files.set(file, { loaded: bytes, total: bytes });
    this.emit({ status: 'done', file, bytes, fromCache, overall: this.overall(), ...(verified ? { verified } : {}) });
  }
}

function joinUrl(base: string, path: string): string {
  return base.endsWith('/') ? `${base}${path}` : `${base}/${path}`;
}

/**
 * The hub host to use: the `remoteHost` option, else transformers.js' `env.remoteHost`, else huggingface.co; an
 * http(s) URL, with a trailing slash added (a mirror may sit under a path).
 *
 * @example
 * resolveRemoteHost('https://hf-mirror.com') // → 'https://hf-mirror.com/'
 * resolveRemoteHost('ftp://x/')              // → throws InputError
 */
export function resolveRemoteHost(remoteHost?: string): string {
  const host = remoteHost ?? env.remoteHost ?? DEFAULT_HUB_HOST;
  let url: URL | null = null;
  try {
    url = new URL(host);
  } catch {
    // refused below
  }
  if (typeof host !== 'string' || !url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new InputError(`remoteHost must be an http(s) URL such as 'https://huggingface.co/', got ${JSON.stringify(host)}`);
  }
  return host.endsWith('/') ? host : `${host}/`;
}

/**
 * Base URL of a hub repository: `{remoteHost}{id}/resolve/{revision}/` (transformers.js' `env.remotePathTemplate`
 * where set).
 *
 * @example
 * hubBaseUrl('BAAI/bge-reranker-v2-m3', 'main', 'https://hf-mirror.com/')
 * // → 'https://hf-mirror.com/BAAI/bge-reranker-v2-m3/resolve/main/'
 */
export function hubBaseUrl(modelId: string, revision = 'main', remoteHost?: string): string {
  const template = env.remotePathTemplate ?? '{model}/resolve/{revision}/';
  const path = template.replaceAll('{model}', modelId).replaceAll('{revision}', encodeURIComponent(revision));
  return joinUrl(resolveRemoteHost(remoteHost), path);
}

/** How downloads are made: the hub mirror, and the piece size of resumable downloads. */
export interface DownloadSettings {
  remoteHost?: string;
  pieceBytes?: number;
}

/** Reads a body stream to the end, reporting bytes as they arrive. */
async function readBody(response: Response, onBytes: (loaded: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const size = Number(response.headers.get('content-length'));
  const reader = response.body.getReader();
  // Preallocated when the size is known (a Blob's always is): a large model should not be held twice while joining.
  const buffer = new Uint8Array(Number.isSafeInteger(size) && size > 0 ? size : 0);
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    if (signal?.aborted) {
      await reader.cancel().catch(() => {});
      throw new AbortError('model loading was aborted', { cause: signal.reason });
    }
    const { done, value } = await reader.read();
    if (done) break;
    if (!chunks.length && loaded + value.byteLength <= buffer.byteLength) buffer.set(value, loaded);
    else chunks.push(...(chunks.length ? [] : [buffer.subarray(0, loaded)]), value);
    loaded += value.byteLength;
    onBytes(loaded);
  }
  if (!chunks.length) return loaded === buffer.byteLength ? buffer : buffer.subarray(0, loaded);
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

async function openCache(enabled: boolean): Promise<Cache | null> {
  if (!enabled || typeof caches === 'undefined') return null;
  try {
    return await caches.open(MODEL_CACHE_NAME);
  } catch {
    return null; // e.g. opaque origins; downloading still works
  }
}

class UrlReader implements ModelFileReader {
  private cache: Promise<Cache | null> | undefined;

  constructor(
    readonly label: string,
    private readonly base: string,
    private readonly progress: ProgressTracker,
    private readonly useCache: boolean,
    private readonly pieceBytes: number,
  ) {}

  async read(path: string, signal?: AbortSignal, how: ReadHow = {}): Promise<FileRead> {
    throwIfAborted(signal, 'model loading');
    const url = joinUrl(this.base, path);
    this.progress.start(path);
    const cache = await (this.cache ??= openCache(this.useCache));
    const tag: ModelTag = { model: this.label, base: this.base };
    const file = await downloadFile({
      url, path, label: this.label, signal, pieceBytes: this.pieceBytes, onDemand: how.onDemand ?? false,
      stored: cache ? new StoredFile(cache, url, tag) : null,
      onBytes: (loaded, total, resumed) => this.progress.update(path, loaded, total, resumed),
    });
    this.progress.done(path, file.bytes.byteLength, file.fromCache, file.verified);
    return { path, bytes: file.bytes, fromCache: file.fromCache, ...(cache ? { kept: !file.cacheError } : {}),
      ...(file.cacheError ? { cacheError: file.cacheError } : {}), ...(file.fromCache ? {} : { verified: file.verified }),
      ...(file.resumed ? { resumed: file.resumed } : {}) };
  }
}

class BlobReader implements ModelFileReader {
  readonly label = 'the selected files';
  private readonly files: Map<string, Blob>;

  constructor(files: Record<string, Blob>, private readonly progress: ProgressTracker) {
    this.files = new Map(Object.entries(files).map(([k, v]) => [k.replace(/^\.?\//, ''), v]));
  }

  /** Exact path, or a path under one top-level folder (what a folder picker's webkitRelativePath gives). */
  private find(path: string): Blob | undefined {
    const exact = this.files.get(path);
    if (exact) return exact;
    for (const [key, blob] of this.files) if (key.endsWith(`/${path}`) && key.split('/').length === path.split('/').length + 1) return blob;
    return undefined;
  }

  async read(path: string, signal?: AbortSignal, how: ReadHow = {}): Promise<FileRead> {
    throwIfAborted(signal, 'model loading');
    const blob = this.find(path);
    if (!blob) {
      throw new ModelLoadError(`${path} is missing from the selected files (found: ${[...this.files.keys()].join(', ') || 'none'})`,
        { missingFile: path });
    }
    this.progress.start(path);
    // A picked file is on disk already: a model file is read from it as onnxruntime asks, never whole.
    const bytes = (how.onDemand ? blobOnDemand(blob) : null)
      ?? await readBody(new Response(blob), (n) => this.progress.update(path, n, blob.size), signal);
    this.progress.done(path, bytes.byteLength, false);
    return { path, bytes, fromCache: false };
  }
}

/** A model folder on disk (Node): a path, absolute or from the working directory, or a `file:` URL. */
class FileSystemReader implements ModelFileReader {
  private folder: Promise<URL> | undefined;

  constructor(readonly label: string, private readonly location: string, private readonly progress: ProgressTracker) {}

  private async folderUrl(): Promise<URL> {
    if (!runsInNode()) {
      throw new ModelLoadError(`${this.label} is on the file system, which only Node can read here: serve the folder ` +
        'over http(s), or pass { files }');
    }
    const url = /^file:/i.test(this.location)
      ? new URL(this.location)
      : (await nodeModule<{ pathToFileURL(path: string): URL }>('node:url')).pathToFileURL(this.location);
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url;
  }

  async read(path: string, signal?: AbortSignal, how: ReadHow = {}): Promise<FileRead> {
    throwIfAborted(signal, 'model loading');
    const file = new URL(path, await (this.folder ??= this.folderUrl()));
    this.progress.start(path);
    const bytes = await readFromDisk(file, path, this.label, how.onDemand ?? false, signal);
    this.progress.update(path, bytes.byteLength, bytes.byteLength);
    this.progress.done(path, bytes.byteLength, false);
    return { path, bytes, fromCache: false };
  }
}

/**
 * A folder given by URL or path: fetched over http(s), and relative to the page in a browser; read from the file
 * system for `file:` URLs, and for paths in Node (which has no page to be relative to).
 */
function folderReader(location: string, progress: ProgressTracker, useCache: boolean, pieceBytes: number): ModelFileReader {
  const onDisk = /^file:/i.test(location) || (runsInNode() && !/^https?:\/\//i.test(location));
  return onDisk ? new FileSystemReader(location, location, progress)
    : new UrlReader(location, location, progress, useCache, pieceBytes);
}

/**
 * The reader for a model source. A string is a hub id when it is exactly `owner/name` (model-source.ts), else a
 * folder when it is clearly a URL or a path (`https://…`, `/…`, `./…`); anything else is refused rather than guessed.
 *
 * @example
 * createFileReader('onnx-community/bge-reranker-v2-m3-ONNX', progress, true).label // → 'onnx-community/bge-reranker-v2-m3-ONNX'
 * createFileReader('./models/tiny/', progress, true).label                         // → './models/tiny/'
 * createFileReader('models/tiny', progress, true)                                  // → throws ModelLoadError
 */
export function createFileReader(source: ModelSource, progress: ProgressTracker, useCache: boolean,
  download: DownloadSettings = {}): ModelFileReader {
  if (download.remoteHost !== undefined) resolveRemoteHost(download.remoteHost); // a bad option fails whatever the source
  const pieceBytes = download.pieceBytes ?? DEFAULT_PIECE_BYTES;
  if (!Number.isSafeInteger(pieceBytes) || pieceBytes < 1024) {
    throw new InputError(`downloadPieceBytes must be an integer of at least 1024, got ${String(download.pieceBytes)}`);
  }
  if (typeof source === 'string') {
    if (isHubId(source)) return new UrlReader(source, hubBaseUrl(source, 'main', download.remoteHost), progress, useCache, pieceBytes);
    if (isUrlOrPath(source)) return folderReader(source, progress, useCache, pieceBytes);
    throw new ModelLoadError(`"${source}" is not a hub id ("owner/name", like "onnx-community/bge-reranker-v2-m3-ONNX") ` +
      'or a URL or path of a model folder ("https://…", "/…", "./…")');
  }
  if (typeof source === 'object' && source !== null && 'url' in source && typeof source.url === 'string') {
    return folderReader(source.url, progress, useCache, pieceBytes);
  }
  if (typeof source === 'object' && source !== null && 'files' in source && source.files && typeof source.files === 'object') {
    return new BlobReader(source.files, progress);
  }
  throw new ModelLoadError('model must be a hub id, a URL or path, { url }, or { files }');
}

export function parseJsonFile(file: FileRead): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(file.bytes));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new ModelLoadError(`${file.path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  throw new ModelLoadError(`${file.path} does not hold a JSON object`);
}
