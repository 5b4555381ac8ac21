/**
 * The self-check's wasm reference in a worker of its own (src/worker/reference-worker.ts), with a Worker stand-in
 * that serves the real protocol (serveReranker) on a MessageChannel: files read from Blobs cross as the Blobs and are
 * scored there with the logits of this thread's wasm; the worker is ended after, whatever happened; a worker that
 * cannot start, or files held in memory, leave the reference in this thread; wasm refusing the file reaches the
 * self-check as a skipped check; an aborted load stops waiting at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OnDemandBytes } from '../../src/lib/files/on-demand-bytes.ts';
import { parseModelConfig } from '../../src/lib/files/model-config.ts';
import { scoreOnWasm, scoreReference, type ReferenceJob } from '../../src/lib/runtime/self-check.ts';
import { PairEncoder } from '../../src/lib/text/tokenize.ts';
import { AbortError } from '../../src/lib/errors.ts';
import { scoreInSeparateWorker } from '../../src/worker/reference-worker.ts';
import { serveReranker } from '../../src/worker/serve.ts';
import type { Endpoint } from '../../src/worker/protocol.ts';
import { DEMO_MODEL_DIR } from '../helpers/models.ts';

const Q8 = path.join(DEMO_MODEL_DIR, 'onnx', 'model_quantized.onnx');
const config = parseModelConfig(JSON.parse(fs.readFileSync(path.join(DEMO_MODEL_DIR, 'config.json'), 'utf8')));
const rows = [[0, 5, 17, 2, 2, 33, 2], [0, 9, 2, 2, 2]].map((ids) => ({ ids }));

/** The file as the worker reads it: on demand, from a Blob. */
function fromBlob(bytes: Uint8Array): OnDemandBytes {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
  return new OnDemandBytes(bytes.byteLength, (start, end) => bytes.slice(start, end), blob);
}

const job = (graph: Uint8Array): ReferenceJob => ({ graph, external: [], config, rows, padId: 1 });

type Mode = 'serves' | 'fails to start' | 'never answers';

/** Worker stand-ins made by the code under test, and what became of them. */
const started: { url: string; options: WorkerOptions; terminated: boolean; requests: unknown[] }[] = [];

/** Installed after onnxruntime's first session: its Node build sets `globalThis.Worker` (worker_threads') when it starts. */
function installWorker(mode: Mode) {
  class StandIn extends EventTarget {
    readonly #record;
    readonly #page: MessagePort;
    constructor(url: string, options: WorkerOptions) {
      super();
      this.#record = { url, options, terminated: false, requests: [] as unknown[] };
      started.push(this.#record);
      const channel = new MessageChannel();
      this.#page = channel.port1;
      this.#page.addEventListener('message', (event) => this.dispatchEvent(new MessageEvent('message', { data: event.data })));
      this.#page.start();
      if (mode === 'serves') serveReranker(channel.port2 as unknown as Endpoint);
      if (mode === 'fails to start') queueMicrotask(() => this.dispatchEvent(Object.assign(new Event('error'), { message: 'no such script' })));
    }
    postMessage(message: unknown) {
      this.#record.requests.push(message);
      if (mode === 'serves') this.#page.postMessage(message);
    }
    terminate() {
      this.#record.terminated = true;
      this.#page.close();
    }
  }
  vi.stubGlobal('Worker', StandIn);
}

afterEach(() => {
  vi.unstubAllGlobals();
  started.length = 0;
});

describe('the self-check reference in a worker of its own', () => {
  const file = new Uint8Array(fs.readFileSync(Q8));
  /** The file's logits from a wasm session in this thread. */
  let here: number[];
  beforeAll(async () => {
    here = await scoreOnWasm(job(file));
  });

  it('sends the Blobs, scores there as wasm does here, and ends the worker', async () => {
    installWorker('serves');
    const result = await scoreInSeparateWorker('https://site.test/assets/reranker.worker.js')(job(fromBlob(file)));
    expect(result).toEqual({ logits: here, place: 'separate-worker' });
    expect(here).toHaveLength(rows.length);
    expect(started).toMatchObject([{ url: 'https://site.test/assets/reranker.worker.js', options: { type: 'module' }, terminated: true }]);
    const [request] = started[0].requests as { type: string; job: { graph: unknown } }[];
    expect(request.type).toBe('reference');
    expect(request.job.graph).toBeInstanceOf(Blob); // the file's Blob, not its bytes
  });

  it('runs in this thread where the worker cannot start, and ends it', async () => {
    installWorker('fails to start');
    const result = await scoreInSeparateWorker('https://site.test/w.js')(job(fromBlob(file)));
    expect(result).toEqual({ logits: here, place: 'in-process' });
    expect(started).toMatchObject([{ terminated: true }]);
  });

  it('runs in this thread, with no worker, where the file is held in memory', async () => {
    installWorker('serves');
    const result = await scoreInSeparateWorker('https://site.test/w.js')(job(file));
    expect(result.place).toBe('in-process');
    expect(started).toEqual([]);
  });

  it('reports a file wasm cannot load as a skipped check, the worker ended', async () => {
    installWorker('serves');
    const broken = file.slice();
    broken.fill(0xff, 0, 64);
    const encoder = { encode: () => [5], pairFromIds: () => rows[0], padId: 1 } as unknown as PairEncoder;
    const pending = await scoreReference(scoreInSeparateWorker('https://site.test/w.js'),
      { graph: fromBlob(broken), external: [], config }, encoder, 16);
    expect(pending.reference).toEqual({ skipped: expect.stringMatching(/^wasm cannot load this file as the reference \(.+\)$/) });
    expect(started).toMatchObject([{ terminated: true }]);
  });

  it('stops waiting when the load is aborted, and ends the worker', async () => {
    installWorker('never answers');
    const controller = new AbortController();
    const scoring = scoreInSeparateWorker('https://site.test/w.js')(job(fromBlob(file)), controller.signal);
    controller.abort();
    await expect(scoring).rejects.toBeInstanceOf(AbortError);
    expect(started).toMatchObject([{ terminated: true }]);
  });
});
