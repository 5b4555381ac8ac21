/** Public types of the reranker core. No DOM, no Node: shared by the library, the worker and the UI. */
import type { Limits } from './validate.ts';

export type Device = 'webgpu' | 'wasm';

/** Whether a backend name (`RerankerInfo.backend`) is one of onnxruntime-web's devices. */
export function isDevice(backend: string): backend is Device {
  return backend === 'webgpu' || backend === 'wasm';
}

/** How pairs are grouped into batches: `fixed` keeps input order, `tokens` packs by length (batching.ts). */
export type BatchingMode = 'fixed' | 'tokens';
export type DeviceRequest = Device | 'auto';
/** transformers.js' dtype names; `DTYPES` (dtypes.ts) has each one's file, what runs where and its label. */
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16';
export type DtypeRequest = Dtype | 'auto';

/**
 * Where the model comes from:
 * - a Hugging Face hub id (`'onnx-community/bge-reranker-v2-m3-ONNX'`), resolved with transformers.js' `env.remoteHost`
 *   and `env.remotePathTemplate`;
 * - `{ url }`, or a string that is clearly a URL or a path (`'https://host/models/x/'`, `'/models/x/'`, `'./x/'`): the
 *   base URL of a self-hosted copy with the same layout (`config.json`, `tokenizer.json`, `onnx/...`); in Node, a
 *   path or `file:` URL is read from disk;
 * - `{ files }`: files the user picked, keyed by their path inside the model folder (`'onnx/model_quantized.onnx'`).
 */
export type ModelSource = string | { url: string } | { files: Record<string, Blob> };

export const DEFAULT_MODEL_ID = 'onnx-community/bge-reranker-v2-m3-ONNX';

/** Loading progress, keyed on `status` like transformers.js' progress callback. Bytes are per file and overall. */
export type LoadProgress =
  | { status: 'initiate'; file: string }
  | { status: 'download'; file: string }
  | { status: 'progress'; file: string; loaded: number; total: number | null; overall: ByteProgress;
      /** On the first event after a download picked up again: where, and why (see {@link DownloadResume}). */
      resumed?: DownloadResume }
  | { status: 'done'; file: string; bytes: number; fromCache: boolean; overall: ByteProgress;
      verified?: ByteCheck }
  | { status: 'ready'; info: RerankerInfo };

/** What a download's bytes were checked against: the server's SHA-256, its size alone, or nothing it declared. */
export type ByteCheck = 'sha256' | 'size' | 'none';

/** A file of a loaded model: its size, and whether it came from the browser cache or (how) it was downloaded. */
export interface LoadedFile {
  path: string;
  bytes: number;
  fromCache: boolean;
  /** For a download: what its bytes were checked against. */
  verified?: ByteCheck;
  /** For a download that picked up again instead of starting over: the last time it did. */
  resumed?: DownloadResume;
}

/**
 * A download that continued instead of starting over: after a page reload (`stored`: the pieces already in the
 * browser cache), a dropped connection or an error answer (`retry`). `ranged` is false where the server ignored the
 * `Range` request and sent the whole file again (its first `from` bytes are skipped, so progress never goes back).
 */
export interface DownloadResume {
  from: number;
  cause: 'stored' | 'retry';
  ranged: boolean;
}

export interface ByteProgress {
  loaded: number;
  /** Sum of the sizes known so far; null while any file's size is unknown. */
  total: number | null;
}

export interface RerankerOptions {
  model?: ModelSource;
  dtype?: DtypeRequest;
  device?: DeviceRequest;
  /** Tokens per pair, special tokens included: at most 8192 and the model's limit (default 512, or that if lower). */
  maxLength?: number;
  /** wasm threads; defaults to the core count where the page is cross-origin isolated, else 1. */
  numThreads?: number;
  progress?: (event: LoadProgress) => void;
  signal?: AbortSignal;
  /** Use the browser's Cache API for downloaded files (default true where it exists). */
  cache?: boolean;
  /**
   * Where hub ids are downloaded from (default `https://huggingface.co/`, or transformers.js' `env.remoteHost` where
   * set): a mirror with the hub's paths, `{remoteHost}{id}/resolve/{revision}/{path}` (the `HF_ENDPOINT` convention).
   */
  remoteHost?: string;
  /**
   * A download larger than this is stored in pieces of this many bytes as it arrives, so that a dropped connection or
   * a reload continues from the last stored piece (default 8 MiB).
   */
  downloadPieceBytes?: number;
  /** URL of onnxruntime-web's .wasm (its WebGPU build, 26.9 MB), for hosts that serve it elsewhere. */
  wasmUrl?: string;
  /**
   * onnxruntime-web's plain wasm build (`ort-wasm-simd-threaded.wasm`, 14.3 MB, and its `.mjs` loader), loaded
   * instead of the WebGPU build when only wasm will run (no hardware adapter, or device 'wasm'): half the download and
   * start-up. The library's worker passes its own; elsewhere leave it unset. onnxruntime sets up its wasm once per
   * worker or page: a later WebGPU load there falls back to wasm, and says why.
   */
  wasmCpu?: { wasm: string; loader: string };
  /**
   * How long a partial batch waits for rows from concurrent calls before it runs (dynamic batching). Default 0 in
   * the calling thread; the worker uses 10 ms.
   */
  maxWaitMs?: number;
  /** Caps on one call's input (documents per call, total characters). */
  limits?: Partial<Limits>;
  /**
   * After loading, score a few fixed pairs on the chosen backend and on wasm, and warn when they diverge (the known
   * WebGPU int8/q4/fp16 bugs fail exactly this way, silently). Default: on for WebGPU, off for wasm.
   */
  selfCheck?: boolean;
}

/** The load-time comparison of the chosen backend against wasm on fixed pairs. */
export interface FidelityCheck {
  pairs: number;
  /** Largest |logit difference| between the backend and wasm. */
  maxDiff: number;
  tolerance: number;
  /** Every pair got (nearly) the same score on the backend while wasm's differ: a broken kernel. */
  collapsed: boolean;
  ok: boolean;
  /** Where wasm ran: a worker ended after (memory and all), or beside the session (its heap stays). */
  reference: 'separate-worker' | 'in-process';
}

/** One reason a preference was not honoured: shown to the user, never swallowed. */
export interface Fallback {
  from: string;
  to: string;
  reason: string;
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  shaderF16: boolean;
}

/**
 * What a reranker says about itself. Everything but `runtime` means the same for any implementation of `Reranker`;
 * `runtime` holds what only the runtime that ran it knows.
 */
export interface RerankerInfo {
  /** Where the model runs: 'webgpu' or 'wasm' for onnxruntime-web; another implementation names its own ('server'). */
  backend: Device | (string & {});
  dtype: Dtype;
  /** Model files read, with sizes. */
  files: LoadedFile[];
  loadMs: number;
  maxLength: number;
  fallbacks: Fallback[];
  /** What is worth knowing and is not a fallback (q8 on WebGPU runs partly on the CPU, ...). */
  notes: string[];
  /** The model's config says its weights are generated (random), not a trained model's. */
  generated: boolean;
  modelId: string;
  /** config.json's `architectures[0]` (`XLMRobertaForSequenceClassification`, `BertForSequenceClassification`, ...). */
  architecture: string;
  /**
   * Logits the model gives per pair: 1 (a relevance logit), or 2 (not relevant, relevant), whose `l1 − l0` is the
   * reported logit, so the score is the softmax's probability of relevant.
   */
  labels: 1 | 2;
  /** How the loaded file stores its embedding tables (config.json's `embedding_quantization`). */
  embeddings: EmbeddingStorage;
  /** Whether the downloads were kept in the browser cache, and whether the browser keeps them (absent: no cache). */
  storage?: ModelStorage;
  /** The runtime's details: onnxruntime-web's for this library's reranker; null from one with none to give. */
  runtime: OnnxRuntimeDetails | null;
}

/** What onnxruntime-web ran with: the WebGPU adapter, the wasm threads, and the self-check of a GPU session. */
export interface OnnxRuntimeDetails {
  name: 'onnxruntime-web';
  /** The WebGPU adapter, when one was found (even if wasm was chosen). */
  adapter: AdapterInfo | null;
  /** Threads of onnxruntime's wasm backend (1 unless the page is cross-origin isolated). */
  numThreads: number;
  /** The self-check against wasm, when one ran. */
  fidelity: FidelityCheck | null;
  /** How the weights reached onnxruntime. */
  weights: WeightsPath;
  /** Embedding tables read a range of rows at a time (not in one read), with range counts. */
  tablesInPieces: { name: string; pieces: number }[];
}

/**
 * Weight by weight from the file on disk (browser cache, picked file), as external data from the file's bytes in
 * memory, from its external data files, or parsed whole.
 */
export type WeightsPath = 'read-on-demand' | 'file-as-external-data' | 'external-data' | 'inline';

/** The browser cache's hold on a loaded model. */
export interface ModelStorage {
  /** Every file of the model is in the browser cache (false: storing failed, e.g. quota or private mode). */
  kept: boolean;
  /** Why a file was not kept, when one was not. */
  reason?: string;
  /** Bytes of this model's files in the cache. */
  bytes: number;
  /**
   * Whether the browser promised not to evict the origin's storage (`navigator.storage.persist()`); null where it
   * cannot be asked (no StorageManager). In a worker, which cannot ask, the answer `persisted()` gives.
   */
  persisted: boolean | null;
}

/**
 * How a model file stores its embedding tables: as the rest of its weights (`as-file`), or in `bits`-bit blocks of
 * `blockSize` values that the graph dequantizes when it looks a token up (a compact q4/q4f16 export).
 */
export type EmbeddingStorage =
  | { format: 'as-file' }
  | { format: 'block-quantized'; bits: number; blockSize: number; symmetric: boolean; tables: string[]; lookup: string };

/**
 * The timing of one batch, reported as it completes: what the UI's per-batch table shows. Batches may be shared with
 * concurrent calls (the batching queue merges them); `pairs` counts the whole batch, `ownPairs` this call's part.
 */
export interface BatchRecord {
  /** 0-based index among this call's batches, in run order. */
  index: number;
  /** Pairs in the batch, all callers included. */
  pairs: number;
  /** This call's pairs in the batch. */
  ownPairs: number;
  /** This call's pairs scored so far, and in all. */
  done: number;
  total: number;
  /** Real tokens. */
  tokens: number;
  /** Tensor cells that ran (rows × longest row, summed over the batch's tensors): padding included. */
  paddedTokens: number;
  /** Longest pair of the batch. */
  sequenceLength: number;
  /** The tensors the batch ran as: one, unless a wasm batch was split into groups of similar lengths. */
  tensors: { pairs: number; sequenceLength: number }[];
  /** Time spent tokenizing this batch's pairs. */
  tokenizeMs: number;
  /** session.run, feeds and reading the logits included. */
  runMs: number;
  /** Tokenizing + queueing overhead + running. */
  totalMs: number;
  pairsPerSecond: number;
  /** As `RerankerInfo.backend`. */
  backend: Device | (string & {});
  /** What happened on the way: out-of-memory splits, a lost device and the session recreated. */
  events?: BatchEvent[];
}

/** Something that happened to a batch on its way; `describeBatchEvent` says it in words. */
export type BatchEvent =
  /** The batch ran out of memory: it was split in two, and no later batch exceeds `maxPaddedTokens`. */
  | { type: 'out-of-memory-split'; pairs: number; paddedTokens: number; maxPaddedTokens: number }
  /** The session failed (a lost GPU device): it was recreated on `to` and the batch re-run. */
  | { type: 'recovered'; from: Device; to: Device; reason: string };

/**
 * @example
 * describeBatchEvent({ type: 'recovered', from: 'webgpu', to: 'wasm', reason: 'the GPU device was lost' })
 * // → 'the GPU device was lost: recreated the session on wasm; batch re-run'
 */
export function describeBatchEvent(event: BatchEvent): string {
  switch (event.type) {
    case 'out-of-memory-split':
      return `out of memory at ${event.pairs} pairs (${event.paddedTokens} padded tokens): split in two; ` +
        `batches now stay within ${event.maxPaddedTokens} padded tokens`;
    case 'recovered':
      return `${event.reason}: recreated the session on ${event.to}; batch re-run`;
  }
}

export interface ScoreOptions {
  /** Pairs per batch (`fixed`), or the most a batch may hold (`tokens`). Default 16. */
  batchSize?: number;
  /** Default `'tokens'`: sort by length and pack up to `maxBatchTokens` padded tokens. */
  batching?: BatchingMode;
  /** Default 8192. */
  maxBatchTokens?: number;
  /**
   * `tokens` batching on wasm: run a batch as tensors of similar lengths when that saves padded work (default true).
   * The split depends on the pairs' lengths alone, so the same call always scores the same.
   */
  lengthGroups?: boolean;
  /** Logits instead of sigmoid scores. */
  rawScores?: boolean;
  signal?: AbortSignal;
  onBatch?: (record: BatchRecord) => void;
}

export interface RerankOptions extends ScoreOptions {
  /**
   * `truncate` (default) cuts a document to fit beside the query. `chunk` splits it into overlapping windows that fit,
   * scores it by its best window (as Cohere does), and returns that window's offsets.
   */
  longDocuments?: 'truncate' | 'chunk';
  /** Keep only the best `topK` results. */
  topK?: number;
  /** Copy each document into its result. */
  returnDocuments?: boolean;
}

export interface RerankResult {
  /** Position of the document in the input. */
  index: number;
  score: number;
  document?: string;
  /** The document (or the query) was cut to fit maxLength. */
  truncated: boolean;
  /** With `longDocuments: 'chunk'`: the scored window, `document.slice(start, end)`. */
  window?: { start: number; end: number };
}

export interface Reranker {
  /** What runs the model. Replaced, never mutated, when it changes (wasm after a lost GPU device). */
  readonly info: RerankerInfo;
  /** Calls `listener` with the new info whenever it changes; returns a function that stops it. */
  onInfoChange(listener: (info: RerankerInfo) => void): () => void;
  /**
   * @example
   * await reranker.rerank('capital of France', ['Berlin is in Germany.', 'Paris is the capital of France.'])
   * // → [{ index: 1, score: 0.98, truncated: false }, { index: 0, score: 0.01, truncated: false }]
   */
  rerank(query: string, documents: readonly string[], options?: RerankOptions): Promise<RerankResult[]>;
  /**
   * @example
   * await reranker.score([['capital of France', 'Paris is the capital of France.']])
   * // → [0.98]
   */
  score(pairs: readonly (readonly [string, string])[], options?: ScoreOptions): Promise<number[]>;
  dispose(): Promise<void>;
}
