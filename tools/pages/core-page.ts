/**
 * The core's browser test page: loads the committed demo model with `createReranker` and exposes async functions on
 * `window` for `page.evaluate`. Everything returned is plain, cloneable data.
 *
 * @example
 * await page.evaluate((r) => window.scoreWith(r), { device: 'webgpu', dtype: 'fp32', pairs: [['q', 'd']], rawScores: true })
 * // → { info: { backend: 'webgpu', dtype: 'fp32', fallbacks: [], ... }, scores: [0.0123], batches: [...], ... }
 */
import { createReranker, type BatchRecord, type BatchingMode, type DeviceRequest, type DtypeRequest, type RerankerInfo,
  type RerankResult } from '../../src/lib/index.ts';

/** In Vite's dev server, files in public/ are served at the root. */
export const DEMO_MODEL_PATH = '/models/tiny-random-bge-reranker/';

export interface LoadRequest {
  device: DeviceRequest;
  dtype: DtypeRequest;
  /** Defaults to the demo model under public/. */
  modelUrl?: string;
  maxLength?: number;
  numThreads?: number;
  /** Default false: each load reads the files afresh, so one test's cache cannot change another's result. */
  cache?: boolean;
}

export interface ScoreRequest extends LoadRequest {
  pairs: [string, string][];
  batchSize?: number;
  batching?: BatchingMode;
  maxBatchTokens?: number;
  rawScores?: boolean;
}

export interface RerankRequest extends LoadRequest {
  query: string;
  documents: string[];
  batchSize?: number;
  topK?: number;
}

export interface RunResult<T> {
  info: RerankerInfo;
  result: T;
  batches: BatchRecord[];
  /** Wall time of the scoring call, load excluded. */
  runMs: number;
}

export interface ScoreResult extends RunResult<number[]> {
  scores: number[];
}

export interface AdapterProbe {
  hasNavigatorGpu: boolean;
  adapter: null | {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter: boolean;
    features: string[];
    limits: Record<string, number>;
  };
  error?: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  userAgent: string;
}

interface GpuLike {
  requestAdapter(options?: object): Promise<null | {
    features: Iterable<string>;
    limits: Record<string, unknown>;
    info?: Record<string, unknown>;
    isFallbackAdapter?: boolean;
  }>;
}

declare global {
  interface Window {
    coreReady: boolean;
    scoreWith(request: ScoreRequest): Promise<ScoreResult>;
    rerankWith(request: RerankRequest): Promise<RunResult<RerankResult[]>>;
    probeAdapter(): Promise<AdapterProbe>;
    /** URLs of the scripts and wasm files the page loaded (to spot a second onnxruntime-web copy, for instance). */
    loadedResources(): string[];
  }
}

/** Deep copy through JSON: what crosses to the test is exactly what a worker message could carry. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function withReranker<T>(request: LoadRequest, use: (reranker: Awaited<ReturnType<typeof createReranker>>,
  onBatch: (b: BatchRecord) => void) => Promise<T>): Promise<RunResult<T>> {
  const reranker = await createReranker({
    model: { url: new URL(request.modelUrl ?? DEMO_MODEL_PATH, location.href).href },
    device: request.device,
    dtype: request.dtype,
    maxLength: request.maxLength,
    numThreads: request.numThreads,
    cache: request.cache ?? false,
  });
  try {
    const batches: BatchRecord[] = [];
    const start = performance.now();
    const result = await use(reranker, (b) => batches.push(b));
    const runMs = performance.now() - start;
    return plain({ info: reranker.info, result, batches, runMs });
  } finally {
    await reranker.dispose();
  }
}

window.scoreWith = async (request) => {
  const run = await withReranker(request, (reranker, onBatch) => reranker.score(request.pairs, {
    batchSize: request.batchSize,
    batching: request.batching,
    maxBatchTokens: request.maxBatchTokens,
    rawScores: request.rawScores,
    onBatch,
  }));
  return { ...run, scores: run.result };
};

window.rerankWith = (request) => withReranker(request, (reranker, onBatch) =>
  reranker.rerank(request.query, request.documents, { batchSize: request.batchSize, topK: request.topK, onBatch }));

window.probeAdapter = async () => {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  const base = {
    hasNavigatorGpu: Boolean(gpu),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
  };
  if (!gpu) return { ...base, adapter: null, error: 'navigator.gpu is missing' };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { ...base, adapter: null, error: 'requestAdapter() returned null' };
    const info = adapter.info ?? {};
    const limits: Record<string, number> = {};
    // GPUSupportedLimits exposes its values as prototype getters: copy them by name.
    for (const key in adapter.limits) {
      const value = adapter.limits[key];
      if (typeof value === 'number') limits[key] = value;
    }
    return {
      ...base,
      adapter: {
        vendor: String(info.vendor ?? ''),
        architecture: String(info.architecture ?? ''),
        device: String(info.device ?? ''),
        description: String(info.description ?? ''),
        isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
        features: [...adapter.features].sort(),
        limits,
      },
    };
  } catch (error) {
    return { ...base, adapter: null, error: `requestAdapter() threw: ${(error as Error).message}` };
  }
};

window.loadedResources = () => performance.getEntriesByType('resource').map((e) => e.name)
  .filter((name) => /\.(m?js|ts|wasm)(\?|$)/.test(name));

window.coreReady = true;
