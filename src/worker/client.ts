/**
 * The UI side of the worker: the same `Reranker` interface as the in-thread core, so callers do not care which side
 * runs it. Callbacks (progress, onBatch) and AbortSignals are bridged by messages; errors come back as the same named
 * classes.
 */
import { persistModelStorage } from '../lib/files/storage.ts';
import { RerankerError, AbortError, DisposedError } from '../lib/errors.ts';
import type { MemoryUsage } from '../lib/runtime/memory.ts';
import { isHubId, isUrlOrPath } from '../lib/files/model-source.ts';
import type {
  BatchRecord,
  LoadProgress,
  RerankOptions,
  RerankResult,
  Reranker,
  RerankerInfo,
  ModelSource,
  RerankerOptions,
  ScoreOptions,
} from '../lib/types.ts';
import { deserializeError, isReply, type AbortRequest, type CallReply, type Calls, type CallType, type Endpoint,
  type Response } from './protocol.ts';
// The .wasm's URL as seen from this module, handed to the worker. Left to itself, onnxruntime finds the .wasm beside
// its own module, and a bundler that re-bundles our prebuilt worker (an app installing the package) does not carry
// the .wasm along; this import makes every bundler emit it and give us its final URL.
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
// The plain wasm build, half the size, for devices that will run on wasm only (see RerankerOptions.wasmCpu).
import ortCpuWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortCpuLoaderUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';

interface Pending {
  /** The request's type: the reply that completes it has the same. */
  type: CallType;
  resolve(reply: CallReply): void;
  reject(error: Error): void;
  onProgress?: (event: LoadProgress) => void;
  onBatch?: (record: BatchRecord) => void;
}

type Callbacks = Omit<Pending, 'type' | 'resolve' | 'reject'> & { signal?: AbortSignal };

/** Numbers requests, routes the worker's replies and events to them, and bridges AbortSignals as abort requests. */
class WorkerClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Info listeners, keyed by the id of the load request that made the reranker. */
  private readonly infoListeners = new Map<number, (info: RerankerInfo) => void>();
  private broken: Error | null = null;

  constructor(private readonly endpoint: Endpoint) {
    endpoint.addEventListener('message', (event: MessageEvent) => this.receive(event.data as Response));
    (endpoint as { start?: () => void }).start?.();
  }

  /** Calls `listener` with each info change the worker reports for the reranker that load `loadId` made. */
  onInfo(loadId: number, listener: (info: RerankerInfo) => void): () => void {
    this.infoListeners.set(loadId, listener);
    return () => this.infoListeners.delete(loadId);
  }

  private receive(message: Response): void {
    if (message.type === 'info') {
      this.infoListeners.get(message.id)?.(message.info);
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return; // answer to a request already given up on
    switch (message.type) {
      case 'progress':
        entry.onProgress?.(message.event);
        return;
      case 'batch':
        entry.onBatch?.(message.record);
        return;
      case 'error':
        this.pending.delete(message.id);
        entry.reject(deserializeError(message.error));
        return;
      default:
        this.pending.delete(message.id);
        if (isReply(message) && message.type === entry.type) entry.resolve(message);
        else entry.reject(new RerankerError(`the worker answered ${(message as Response).type} to ${entry.type}`));
    }
  }

  /** Fails every request in flight, e.g. when the worker itself crashed. */
  fail(error: Error): void {
    this.broken = error;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }

  /** Sends a request and resolves with its reply (and the request's id). */
  call<T extends CallType>(type: T, body: Calls[T]['request'], { signal, ...callbacks }: Callbacks = {}):
    Promise<{ id: number; reply: Calls[T]['reply'] }> {
    if (this.broken) return Promise.reject(this.broken);
    if (signal?.aborted) return Promise.reject(new AbortError(`${type} was aborted`, { cause: signal.reason }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => this.endpoint.postMessage({ type: 'abort', id: this.nextId++, target: id } satisfies AbortRequest);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        ...callbacks,
        type,
        resolve: (message) => {
          done();
          resolve({ id, reply: (message as CallReply<T>).reply });
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      this.endpoint.postMessage({ ...body, type, id });
    });
  }
}

/**
 * The reranker in a worker: the same `Reranker` as the in-thread core, plus the worker's memory. Made by
 * {@link createWorkerReranker} (the main entry's `createReranker`).
 */
export class WorkerReranker implements Reranker {
  private disposed = false;
  private currentInfo: RerankerInfo;
  private readonly listeners = new Set<(info: RerankerInfo) => void>();

  /** @internal */
  constructor(
    private readonly client: WorkerClient,
    loadId: number,
    info: RerankerInfo,
    private readonly onDispose: () => void,
  ) {
    this.currentInfo = info;
    client.onInfo(loadId, (next) => {
      this.currentInfo = next;
      for (const listener of this.listeners) listener(next);
    });
  }

  /** The worker's reranker info, replaced when the worker reports a change (wasm after a lost GPU device). */
  get info(): RerankerInfo {
    return this.currentInfo;
  }

  onInfoChange(listener: (info: RerankerInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private check(): void {
    if (this.disposed) throw new DisposedError('this reranker was disposed');
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankResult[]> {
    this.check();
    const { signal, onBatch, returnDocuments, ...rest } = options;
    const { reply: { columns } } = await this.client.call('rerank',
      { query, documents, options: { ...rest, reportBatches: Boolean(onBatch) } }, { signal, onBatch });
    const windows = columns.windows;
    return Array.from(columns.indices, (index, k) => ({
      index,
      score: columns.scores[k],
      truncated: columns.truncated[k] === 1,
      ...(windows && windows[2 * k] >= 0 ? { window: { start: windows[2 * k], end: windows[2 * k + 1] } } : {}),
      ...(returnDocuments ? { document: documents[index] } : {}),
    }));
  }

  async score(pairs: readonly (readonly [string, string])[], options: ScoreOptions = {}): Promise<number[]> {
    this.check();
    const { signal, onBatch, ...rest } = options;
    const { reply } = await this.client.call('score', { pairs, options: { ...rest, reportBatches: Boolean(onBatch) } },
      { signal, onBatch });
    return Array.from(reply.scores);
  }

  /** Memory the worker's model uses now (wasm heap, live GPU buffers). */
  async memory(): Promise<MemoryUsage> {
    this.check();
    return (await this.client.call('memory', {})).reply.usage;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await this.client.call('dispose', {});
    } finally {
      this.onDispose();
    }
  }
}

/** A relative model URL names a folder beside the page, not beside the worker's script (assets/): resolve it here. */
function resolveAgainstPage(model: ModelSource | undefined): ModelSource | undefined {
  const base = globalThis.document?.baseURI ?? globalThis.location?.href;
  if (!base || !model) return model;
  try {
    if (typeof model === 'string') return !isHubId(model) && isUrlOrPath(model) ? new URL(model, base).href : model;
    return 'url' in model && typeof model.url === 'string' ? { url: new URL(model.url, base).href } : model;
  } catch {
    return model; // not a URL after all: the worker's loader says why
  }
}

/**
 * Loads the model in a worker and returns a reranker that talks to it. Without `endpoint`, starts the project's
 * worker (bundled by Vite) and terminates it on dispose(); with one, talks to a worker of your own that calls
 * `serveReranker(self)` from `bge-reranker-web/core`.
 *
 * @example
 * const reranker = await createWorkerReranker({ model: { url: '/models/tiny-random-bge-reranker/' } });
 * await reranker.rerank('query', ['a', 'b'], { onBatch: (r) => console.log(r.runMs) })
 * // → [{ index: 1, score: 0.61, truncated: false }, { index: 0, score: 0.32, truncated: false }]
 */
export async function createWorkerReranker(options: RerankerOptions & { endpoint?: Endpoint } = {}): Promise<WorkerReranker> {
  const { endpoint, progress, signal, ...load } = options;
  load.model = resolveAgainstPage(load.model);
  let worker: Worker | null = null;
  if (!endpoint) {
    worker = new Worker(new URL('./reranker.worker.ts', import.meta.url), { type: 'module', name: 'reranker' });
    // Resolved here: the worker's own base URL is not the page's.
    load.wasmUrl ??= new URL(ortWasmUrl, import.meta.url).href;
    load.wasmCpu ??= { wasm: new URL(ortCpuWasmUrl, import.meta.url).href, loader: new URL(ortCpuLoaderUrl, import.meta.url).href };
  }
  const client = new WorkerClient(endpoint ?? worker!);
  worker?.addEventListener('error', (event) => {
    client.fail(new RerankerError(`the reranker worker crashed: ${event.message || 'unknown error'}`));
  });
  try {
    // The worker's own 'ready' progress event reaches `progress` before this resolves.
    const { id, reply } = await client.call('load', { options: load }, { signal, onProgress: progress });
    // A worker cannot ask the browser to keep its storage (persist() is the page's): once the model is kept, ask here.
    const storage = reply.info.storage;
    const info = storage?.kept && !storage.persisted ? { ...reply.info, storage: { ...storage, persisted: await persistModelStorage() } } : reply.info;
    return new WorkerReranker(client, id, info, () => worker?.terminate());
  } catch (error) {
    worker?.terminate();
    throw error;
  }
}
