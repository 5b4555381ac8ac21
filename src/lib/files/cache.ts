/**
 * The browser cache of downloaded model files (the Cache API store transformers.js uses, so both libraries share
 * downloads): what is in it, how big, per file and per model, and deleting one model or all. Runs in a page or a
 * worker. A large download in progress is stored in pieces (download/stored-file.ts): listed as one partial file.
 */
export { persistModelStorage, storageState, type StorageState } from './storage.ts';

export interface CachedFile {
  url: string;
  bytes: number;
  /** Only pieces of it are stored: a download that stopped (a reload, a dropped connection) and continues next load. */
  partial?: true;
  /** The hub id or folder URL the file belongs to (`info.modelId`), when this library stored it. */
  model?: string;
}

/** One model's files in the cache. */
export interface CachedModel {
  /** The hub id or folder URL, as `info.modelId` says it. */
  model: string;
  /** The URL its files are relative to (a hub id through another `remoteHost` is another entry). */
  base: string;
  bytes: number;
  files: CachedFile[];
}

/**
 * The Cache API store the model reader uses: transformers.js' default `env.cacheKey`, so either library finds the
 * other's downloads. A literal, not read from `env`: the page's copy of transformers.js is not the worker's, and this
 * module must not pull transformers.js into the page.
 */
export const MODEL_CACHE_NAME = 'transformers-cache';

/** Where hub ids are downloaded from unless transformers.js' `env.remoteHost` says otherwise. */
export const DEFAULT_HUB_HOST = 'https://huggingface.co/';

/**
 * Marks the responses this library stores, so that listing and clearing touch only them: the store is shared with
 * transformers.js, whose files (other models of the same page) are not ours to delete.
 */
export const STORED_BY_HEADER = 'x-stored-by';
export const STORED_BY = 'bge-reranker-web';
/** On each stored entry: the model it belongs to (`info.modelId`) and the URL its paths are relative to. */
export const MODEL_HEADER = 'x-bge-reranker-model';
export const MODEL_BASE_HEADER = 'x-bge-reranker-model-base';
/** The query parameter of a stored piece's key (download/stored-file.ts): the file's URL plus this. */
export const PIECE_PARAM = 'bge-reranker-piece';

const isOurs = (response: Response | undefined) => response?.headers.get(STORED_BY_HEADER) === STORED_BY;

/**
 * Every file this library cached, with its size, largest first; empty where there is no Cache API (Node, opaque
 * origins).
 *
 * @example
 * await cachedModelFiles()
 * // → [{ url: 'https://huggingface.co/onnx-community/bge-reranker-v2-m3-ONNX/resolve/main/onnx/model_quantized.onnx', bytes: 570727094 }, ...]
 */
export async function cachedModelFiles(): Promise<CachedFile[]> {
  return (await ourEntries()).files.map(({ keys: _keys, base: _base, ...file }) => file);
}

type OurFile = CachedFile & { base?: string; keys: Request[] };

/** Our entries, a file's pieces summed into one partial file (unless the whole file is there too); with their keys. */
async function ourEntries(): Promise<{ files: OurFile[]; cache: Cache | null }> {
  if (typeof caches === 'undefined' || !(await caches.has(MODEL_CACHE_NAME).catch(() => false))) return { files: [], cache: null };
  const cache = await caches.open(MODEL_CACHE_NAME);
  const byUrl = new Map<string, { whole: number | null; pieces: number; model?: string; base?: string; keys: Request[] }>();
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    if (!response || !isOurs(response)) continue;
    const length = Number(response.headers.get('content-length'));
    // Without a length header the blob's size is read from the cache's own metadata, not by reading the bytes.
    const bytes = Number.isFinite(length) && length > 0 ? length : (await response.blob()).size;
    const url = new URL(request.url);
    const piece = url.searchParams.has(PIECE_PARAM);
    url.searchParams.delete(PIECE_PARAM);
    const entry = byUrl.get(url.href) ?? { whole: null, pieces: 0, keys: [],
      model: response.headers.get(MODEL_HEADER) ?? undefined, base: response.headers.get(MODEL_BASE_HEADER) ?? undefined };
    if (piece) entry.pieces += bytes;
    else entry.whole = bytes;
    entry.keys.push(request);
    byUrl.set(url.href, entry);
  }
  const files = [...byUrl].map(([url, e]): OurFile => ({
    url,
    bytes: e.whole ?? e.pieces,
    ...(e.whole === null ? { partial: true as const } : {}),
    ...(e.model ? { model: e.model } : {}),
    ...(e.base ? { base: e.base } : {}),
    keys: e.keys,
  }));
  return { files: files.sort((a, b) => b.bytes - a.bytes), cache };
}

/**
 * What this library cached, per model (hub id or folder URL), largest first.
 *
 * @example
 * await cachedModels()
 * // → [{ model: 'onnx-community/bge-reranker-v2-m3-ONNX', base: 'https://huggingface.co/onnx-community/bge-reranker-v2-m3-ONNX/resolve/main/',
 * //      bytes: 571_900_000, files: [{ url: '…/onnx/model_quantized.onnx', bytes: 570727094, model: '…' }, ...] }]
 */
export async function cachedModels(): Promise<CachedModel[]> {
  const models = new Map<string, CachedModel>();
  for (const { keys: _keys, base, ...file } of (await ourEntries()).files) {
    const modelBase = base ?? new URL('.', file.url).href;
    const entry = models.get(modelBase) ?? { model: file.model ?? modelBase, base: modelBase, bytes: 0, files: [] };
    entry.bytes += file.bytes;
    entry.files.push(file);
    models.set(modelBase, entry);
  }
  return [...models.values()].sort((a, b) => b.bytes - a.bytes);
}

/**
 * Deletes one model's files (and pieces of unfinished downloads): `model` is its hub id or folder URL (`info.modelId`,
 * `CachedModel.model`) or its base URL (`CachedModel.base`). Resolves with the bytes freed.
 *
 * @example
 * await deleteCachedModel('onnx-community/bge-reranker-v2-m3-ONNX') // → 571900000
 */
export async function deleteCachedModel(model: string): Promise<number> {
  const { files, cache } = await ourEntries();
  let freed = 0;
  for (const file of files) {
    if (!cache || (file.model !== model && file.base !== model)) continue;
    for (const key of file.keys) await cache.delete(key);
    freed += file.bytes;
  }
  return freed;
}

/**
 * Deletes the files this library cached (transformers.js' own entries in the shared store stay); resolves with
 * whether there was anything to delete.
 */
export async function clearModelCache(): Promise<boolean> {
  if (typeof caches === 'undefined' || !(await caches.has(MODEL_CACHE_NAME).catch(() => false))) return false;
  const cache = await caches.open(MODEL_CACHE_NAME);
  let deleted = false;
  for (const request of await cache.keys()) {
    if (isOurs(await cache.match(request))) deleted = (await cache.delete(request)) || deleted;
  }
  return deleted;
}
