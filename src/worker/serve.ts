/**
 * The worker side: a thin adapter that answers protocol requests with the core, one handler per request kind. It owns
 * the one reranker (and so the one session); every request runs with its own AbortController so the caller can cancel
 * across the boundary. Exported (`bge-reranker-web/core`) for those who run the core in a worker of their own.
 */
import { createReranker } from '../lib/runtime/load.ts';
import { RerankerError } from '../lib/errors.ts';
import { UNOBSERVED_MEMORY, type MemoryProbe } from '../lib/runtime/memory.ts';
import { answerReference, scoreInSeparateWorker } from './reference-worker.ts';
import type { RerankResult, Reranker, RerankerOptions } from '../lib/types.ts';
import { serializeError, type CallReply, type CallRequest, type CallType, type Calls, type Endpoint, type RerankColumns,
  type Request, type Response } from './protocol.ts';

/** Dynamic batching wait inside the worker: concurrent calls within 10 ms share batches. */
export const WORKER_MAX_WAIT_MS = 10;

export interface ServeOptions {
  /**
   * Makes the reranker a `load` asks for. Default: the core's `createReranker`, with the self-check's wasm reference
   * in a worker of its own started from this worker's script, which serves the protocol too.
   */
  create?: (options: RerankerOptions) => Promise<Reranker>;
  /** Answers `memory` requests (see `installMemoryProbe`); without one, every figure is null. */
  memory?: MemoryProbe;
}

/** The core's createReranker; inside a worker, with the self-check's reference in a worker of its own. */
function createInThisWorker(): (options: RerankerOptions) => Promise<Reranker> {
  const scope = globalThis as { WorkerGlobalScope?: new () => unknown; location?: Location };
  const script = scope.WorkerGlobalScope && globalThis instanceof scope.WorkerGlobalScope ? scope.location?.href : undefined;
  return script ? (options) => createReranker(options, { reference: scoreInSeparateWorker(script) }) : createReranker;
}

/** Results as columns; windows only where the results have them (every result under 'chunk', none otherwise). */
function toColumns(results: readonly RerankResult[]): RerankColumns {
  const windowed = results.some((r) => r.window);
  return {
    indices: Int32Array.from(results, (r) => r.index),
    scores: Float64Array.from(results, (r) => r.score),
    truncated: Uint8Array.from(results, (r) => (r.truncated ? 1 : 0)),
    windows: windowed ? Int32Array.from(results.flatMap((r) => [r.window?.start ?? -1, r.window?.end ?? -1])) : null,
  };
}

/** A handler's answer: the reply, and the buffers to transfer with it. */
interface Answer<T extends CallType> {
  reply: Calls[T]['reply'];
  transfer?: Transferable[];
}

type Handlers = { [T in CallType]: (request: CallRequest<T>, signal: AbortSignal) => Promise<Answer<T>> };

/**
 * Answers the protocol's requests on `endpoint` (a worker's `self`, a MessagePort) with the core.
 *
 * @example
 * // my-reranker.worker.ts
 * import { installMemoryProbe, serveReranker } from 'bge-reranker-web/core';
 * serveReranker(self, { memory: installMemoryProbe() });
 * // the page: createReranker({ endpoint: new Worker(new URL('./my-reranker.worker.ts', import.meta.url), { type: 'module' }) })
 */
export function serveReranker(endpoint: Endpoint, { create = createInThisWorker(), memory }: ServeOptions = {}): void {
  let reranker: Reranker | null = null;
  /** Unsubscribes the held reranker's info listener. */
  let stopInfo = (): void => {};
  const controllers = new Map<number, AbortController>();
  const post = (message: Response, transfer: Transferable[] = []) => endpoint.postMessage(message, transfer);

  const current = (): Reranker => {
    if (!reranker) throw new RerankerError('no model is loaded in the worker: send "load" first');
    return reranker;
  };

  const handlers: Handlers = {
    async load(request, signal) {
      // The new reranker is created before the old one goes, and replaces it only once it loaded: a bad URL or a
      // missing file leaves the loaded model working. Memory: while it loads, both models are alive in this worker
      // (for the real model, twice its weights for a moment); most failures come on the first small file, before
      // the weights are read.
      const next = await create({
        maxWaitMs: WORKER_MAX_WAIT_MS,
        ...request.options,
        signal,
        progress: (event) => post({ type: 'progress', id: request.id, event }),
      });
      const previous = reranker;
      reranker = next;
      stopInfo();
      stopInfo = next.onInfoChange((info) => post({ type: 'info', id: request.id, info }));
      await previous?.dispose().catch(() => {}); // the new model is ready: an old one failing to let go must not undo that
      return { reply: { info: next.info } };
    },
    async rerank(request, signal) {
      const { reportBatches, ...options } = request.options;
      const results = await current().rerank(request.query, request.documents, {
        ...options,
        signal,
        onBatch: reportBatches ? (record) => post({ type: 'batch', id: request.id, record }) : undefined,
      });
      const columns = toColumns(results);
      const buffers = [columns.indices.buffer, columns.scores.buffer, columns.truncated.buffer];
      return { reply: { columns }, transfer: columns.windows ? [...buffers, columns.windows.buffer] : buffers };
    },
    async score(request, signal) {
      const { reportBatches, ...options } = request.options;
      const scores = Float64Array.from(await current().score(request.pairs, {
        ...options,
        signal,
        onBatch: reportBatches ? (record) => post({ type: 'batch', id: request.id, record }) : undefined,
      }));
      return { reply: { scores }, transfer: [scores.buffer] };
    },
    async reference(request) {
      return { reply: { logits: await answerReference(request) } };
    },
    async memory() {
      return { reply: { usage: memory?.read() ?? { ...UNOBSERVED_MEMORY } } };
    },
    async dispose() {
      const previous = reranker;
      reranker = null;
      stopInfo();
      stopInfo = () => {};
      await previous?.dispose();
      return { reply: {} };
    },
  };

  async function answer<T extends CallType>(request: CallRequest<T>, signal: AbortSignal): Promise<void> {
    const handler: Handlers[T] = handlers[request.type];
    const { reply, transfer } = await handler(request, signal);
    post({ type: request.type, id: request.id, reply } as CallReply, transfer);
  }

  endpoint.addEventListener('message', (event: MessageEvent) => {
    const request = event.data as Request;
    if (request.type === 'abort') {
      controllers.get(request.target)?.abort(new RerankerError('cancelled by the caller'));
      return;
    }
    const controller = new AbortController();
    controllers.set(request.id, controller);
    answer(request, controller.signal)
      .catch((error: unknown) => post({ type: 'error', id: request.id, error: serializeError(error) }))
      .finally(() => controllers.delete(request.id));
  });
  (endpoint as { start?: () => void }).start?.();
}
