/**
 * The downloads' browser test page: the public `createReranker` (the model in the bundled worker) loading a hub id
 * from the hub-like test server through `remoteHost`, with the cache functions of the main entry. Everything returned
 * is plain, cloneable data.
 *
 * @example
 * await page.evaluate((r) => window.loadHub(r), { remoteHost: 'http://127.0.0.1:41234/', model: 'o/n', pieceBytes: 65536 })
 * // → { info: { backend: 'wasm', storage: { kept: true, ... }, ... }, events: [...], score: 0.51 }
 */
import { cachedModelFiles, cachedModels, clearModelCache, createReranker, deleteCachedModel, type CachedFile, type CachedModel,
  type DtypeRequest, type LoadProgress, type RerankerInfo } from '../../src/index.ts';

export interface HubLoad {
  remoteHost: string;
  model: string;
  pieceBytes: number;
  /** Default q8. */
  dtype?: DtypeRequest;
  /** Default wasm. */
  device?: 'wasm' | 'webgpu';
  /** createReranker's selfCheck; default as the library's (on for WebGPU). */
  selfCheck?: boolean;
  /** createReranker's cache; default true. */
  cache?: boolean;
  /** Leave the reranker loaded (for a memory reading after the load) instead of disposing of it. */
  keep?: boolean;
  /** Run in a worker whose storage quota is 200,000 bytes (small-quota.worker.ts), through `endpoint`. */
  smallQuota?: boolean;
  /** Run in a worker whose disk fills after a model file's second piece (full-disk.worker.ts). */
  fullDisk?: boolean;
}

export interface HubLoadResult {
  info?: RerankerInfo;
  score?: number;
  /** The worker's wasm heap after the load (kept rerankers only). */
  wasmHeapBytes?: number | null;
  error?: { name: string; message: string };
  /** Progress events, 'ready' left out (its info is above). */
  events: Exclude<LoadProgress, { status: 'ready' }>[];
}

declare global {
  interface Window {
    downloadsReady: boolean;
    loadHub(request: HubLoad): Promise<HubLoadResult>;
    loadPicked(base: string, paths: readonly string[]): Promise<HubLoadResult>;
    cachedFiles(): Promise<CachedFile[]>;
    cachedModelList(): Promise<CachedModel[]>;
    deleteModel(model: string): Promise<number>;
    clearCache(): Promise<boolean>;
  }
}

/**
 * Loads through `createReranker`, scores one pair, and reports it as plain data; the reranker is disposed of unless
 * `keep` (then its worker's wasm heap is read too).
 */
async function loadAndScore(options: Parameters<typeof createReranker>[0], events: HubLoadResult['events'], keep = false): Promise<HubLoadResult> {
  try {
    const reranker = await createReranker(options);
    try {
      const [score] = await reranker.score([['what is the capital of France?', 'Paris is the capital of France.']]);
      const wasmHeapBytes = keep && 'memory' in reranker ? (await reranker.memory()).wasmHeapBytes : undefined;
      return { info: reranker.info, score, events, ...(wasmHeapBytes !== undefined ? { wasmHeapBytes } : {}) };
    } finally {
      if (!keep) await reranker.dispose();
    }
  } catch (error) {
    return { error: { name: (error as Error).name, message: (error as Error).message }, events };
  }
}

window.loadHub = async ({ remoteHost, model, pieceBytes, smallQuota, fullDisk, dtype = 'q8', device = 'wasm', selfCheck, keep, cache }) => {
  const events: HubLoadResult['events'] = [];
  const endpoint = smallQuota ? new Worker(new URL('./small-quota.worker.ts', import.meta.url), { type: 'module' })
    : fullDisk ? new Worker(new URL('./full-disk.worker.ts', import.meta.url), { type: 'module' }) : undefined;
  try {
    return await loadAndScore({ model, remoteHost, downloadPieceBytes: pieceBytes, device, dtype, endpoint, selfCheck, cache,
      progress: (event) => {
        if (event.status !== 'ready') events.push(event);
      } }, events, keep);
  } finally {
    if (!keep) endpoint?.terminate();
  }
};

/** `{ files }` as a file picker gives them: Blobs of the folder's files (fetched here from `base`), into the worker. */
window.loadPicked = async (base, paths) => {
  const files = Object.fromEntries(await Promise.all(paths.map(async (p) => [p, await (await fetch(base + p)).blob()] as const)));
  return loadAndScore({ model: { files }, device: 'wasm', dtype: 'q8' }, []);
};

window.cachedFiles = cachedModelFiles;
window.cachedModelList = cachedModels;
window.deleteModel = deleteCachedModel;
window.clearCache = clearModelCache;
window.downloadsReady = true;
