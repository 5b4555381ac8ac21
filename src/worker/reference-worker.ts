/**
 * The self-check's wasm reference in a worker of its own: the reranker's worker starts its own script once more,
 * asks it for the reference's logits, and ends it, so the reference's wasm heap (about the model's size, never
 * shrunk while its worker lives) is given back before the GPU session is built. The files cross as the Blobs they are
 * read from, so the second worker reads them on demand from disk as the first does; nothing is copied.
 */
import { blobOnDemand, isOnDemand } from '../lib/files/on-demand-bytes.ts';
import { currentWasmSettings, useWasmSettings } from '../lib/runtime/ort.ts';
import { scoreInProcess, scoreOnWasm, type ReferenceJob, type ReferenceScorer } from '../lib/runtime/self-check.ts';
import { AbortError } from '../lib/errors.ts';
import { deserializeError, type CallReply, type CallRequest, type ErrorResponse, type WireReferenceJob } from './protocol.ts';

/** The worker's name, as DevTools and the task manager show it. */
const REFERENCE_WORKER_NAME = 'reranker self-check';

/** The job with its files as Blobs; null where a file is not read from one (held in memory, or read from a disk). */
function onWire(job: ReferenceJob): WireReferenceJob | null {
  const blobOf = (bytes: Uint8Array) => (isOnDemand(bytes) ? bytes.blob : null);
  const graph = blobOf(job.graph);
  const external = job.external.map((file) => ({ path: file.path, blob: blobOf(file.data) }));
  if (!graph || external.some((file) => !file.blob)) return null;
  return { graph, external: external as WireReferenceJob['external'], config: job.config, rows: job.rows, padId: job.padId };
}

/** A worker that did not start, or died, is not the model's fault: the reference then runs here. */
class WorkerFailed extends Error {}

function askWorker(worker: Worker, job: WireReferenceJob, signal?: AbortSignal): Promise<number[]> {
  return new Promise((resolve, reject) => {
    worker.addEventListener('message', (event: MessageEvent) => {
      const message = event.data as CallReply<'reference'> | ErrorResponse;
      if (message.type === 'error') reject(deserializeError(message.error));
      else if (message.type === 'reference') resolve(message.reply.logits);
    });
    worker.addEventListener('error', (event) => reject(new WorkerFailed(event.message || 'the worker failed to start')));
    signal?.addEventListener('abort', () => reject(new AbortError('model loading was aborted', { cause: signal.reason })),
      { once: true });
    worker.postMessage({ type: 'reference', id: 1, job, wasm: currentWasmSettings() } satisfies CallRequest<'reference'>);
  });
}

/**
 * A scorer that runs the reference in a new worker from `scriptUrl` (a script that serves the protocol: the
 * reranker worker's own), and in this thread where the files are not Blobs or no worker can start.
 *
 * @example
 * createReranker(options, { reference: scoreInSeparateWorker(self.location.href) }) // inside the reranker worker
 */
export function scoreInSeparateWorker(scriptUrl: string): ReferenceScorer {
  return async (job, signal) => {
    const wire = onWire(job);
    if (!wire || typeof Worker !== 'function') return scoreInProcess(job, signal);
    let worker: Worker;
    try {
      worker = new Worker(scriptUrl, { type: 'module', name: REFERENCE_WORKER_NAME });
    } catch {
      return scoreInProcess(job, signal); // refused: another origin, a Trusted Types policy, a data: URL
    }
    try {
      return { logits: await askWorker(worker, wire, signal), place: 'separate-worker' };
    } catch (error) {
      if (error instanceof WorkerFailed) return scoreInProcess(job, signal);
      throw error;
    } finally {
      worker.terminate(); // its memory goes with it
    }
  };
}

/** The other side: what the started worker does with a `reference` request. */
export async function answerReference({ job, wasm }: CallRequest<'reference'>): Promise<number[]> {
  useWasmSettings(wasm);
  const read = async (blob: Blob) => blobOnDemand(blob) ?? new Uint8Array(await blob.arrayBuffer());
  return scoreOnWasm({
    graph: await read(job.graph),
    external: await Promise.all(job.external.map(async (file) => ({ path: file.path, data: await read(file.blob) }))),
    config: job.config,
    rows: job.rows,
    padId: job.padId,
  });
}
