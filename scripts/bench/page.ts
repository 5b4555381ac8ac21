/**
 * The benchmark's page: the project's own core (`createReranker`, `runSweep`) and a bare onnxruntime-web session on
 * the same model, driven from Node through `window` (scripts/bench/browser.ts). All timing happens here, with
 * `performance.now()`; the driver only orders the runs and reads the numbers.
 */
import { createReranker } from '../../src/lib/runtime/load.ts';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { installMemoryProbe } from '../../src/lib/runtime/memory.ts';
import { ort } from '../../src/lib/runtime/ort.ts';
import { modelFeeds } from '../../src/lib/batching/padding.ts';
import { runSweep } from '../../src/lib/sweep/sweep.ts';
import type { BatchRecord, Reranker } from '../../src/lib/types.ts';
import type { BareRequest, LoadRequest, ScoreRequest, ScoreTiming } from './protocol.ts';

// Before any wasm instance exists, so the sweep's memory column sees the heap.
const memoryProbe = installMemoryProbe();

let reranker: Reranker | null = null;
let bare: ort.InferenceSession | null = null;

const absolute = (url: string) => new URL(url, location.href).href;

function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function load(request: LoadRequest): Promise<Reranker> {
  return createReranker({
    model: { url: absolute(request.modelUrl) },
    device: request.device,
    dtype: request.dtype,
    numThreads: request.numThreads,
    cache: request.cache,
  });
}

window.benchEnvironment = () => ({
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  hardwareConcurrency: navigator.hardwareConcurrency,
  userAgent: navigator.userAgent,
});

window.benchLoad = async (request) => {
  await reranker?.dispose();
  reranker = await load(request);
  return plain(reranker.info);
};

window.benchSweep = async (request) => {
  if (!reranker) throw new Error('benchLoad first');
  const memory = async () => memoryProbe.read();
  return plain(await runSweep(reranker, request.pairs, { ...request, memory }));
};

window.benchScore = async (request: ScoreRequest): Promise<ScoreTiming> => {
  const model = reranker;
  if (!model) throw new Error('benchLoad first');
  const records: BatchRecord[] = [];
  const onBatch = (r: BatchRecord) => records.push(r);
  const start = performance.now();
  if (request.mode === 'loop') {
    for (const pair of request.pairs) await model.score([pair], { batching: 'fixed', batchSize: 1, onBatch });
  } else {
    await model.score(request.pairs, {
      lengthGroups: request.lengthGroups ?? true,
      batching: request.mode,
      batchSize: request.batchSize,
      maxBatchTokens: request.maxBatchTokens,
      onBatch,
    });
  }
  const wallMs = performance.now() - start;
  const sum = (key: 'tokens' | 'paddedTokens' | 'runMs' | 'tokenizeMs') => records.reduce((n, r) => n + r[key], 0);
  return {
    wallMs,
    batches: records.length,
    tokens: sum('tokens'),
    paddedTokens: records.reduce((n, r) => n + r.pairs * r.sequenceLength, 0),
    runMs: sum('runMs'),
    tokenizeMs: sum('tokenizeMs'),
    // What ran: a wasm batch may run as several tensors of similar lengths (paddedTokens counts their cells).
    executedCells: sum('paddedTokens'),
    executedTokens: sum('tokens'),
    executedRuns: records.reduce((n, r) => n + r.tensors.length, 0),
    shapes: records.map((r) => [r.pairs, r.sequenceLength]),
  };
};

window.benchBareLoad = async (request) => {
  await bare?.release();
  bare = null;
  const response = await fetch(absolute(request.modelUrl) + ONNX_FILE_BY_DTYPE[request.dtype]);
  if (!response.ok) throw new Error(`model file: HTTP ${response.status}`);
  ort.env.wasm.numThreads = request.numThreads;
  // The options ModelSession uses, so the only difference from ours is our code around session.run.
  bare = await ort.InferenceSession.create(new Uint8Array(await response.arrayBuffer()), {
    executionProviders: [request.device],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
};


window.benchBareRun = async (request: BareRequest) => {
  const session = bare;
  if (!session) throw new Error('benchBareLoad first');
  let runMs = 0;
  const start = performance.now();
  for (const rows of request.batches) {
    const feeds = modelFeeds(rows.map((ids) => ({ ids })), request.pad, session.inputNames,
      (data, dims) => new ort.Tensor('int64', data, dims));
    const t0 = performance.now();
    const output = await session.run(feeds);
    runMs += performance.now() - t0;
    const logits = output.logits;
    if (logits.location !== 'cpu') await logits.getData();
    logits.dispose();
  }
  return { runMs, wallMs: performance.now() - start };
};

window.benchColdStart = async (request) => {
  const model = await load(request);
  try {
    const ready = performance.now();
    await model.score([request.pair]);
    const done = performance.now();
    return {
      readySinceNavigationMs: ready,
      loadMs: model.info.loadMs,
      firstScoreMs: done - ready,
      firstScoreSinceNavigationMs: done,
      filesFromCache: model.info.files.filter((f) => f.fromCache).length,
      files: model.info.files.length,
    };
  } finally {
    await model.dispose();
  }
};

window.benchDispose = async () => {
  await reranker?.dispose();
  reranker = null;
  await bare?.release();
  bare = null;
};

window.benchReady = true;
