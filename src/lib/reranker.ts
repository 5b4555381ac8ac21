/**
 * The reranker core: load (files → tokenizer → backend choice → session), then tokenize → batch → run → score.
 * No DOM: runs in a Web Worker, on the main thread, or in Node.
 */
import { ort } from './ort.ts';
import { chooseDevices, chooseDtype, defaultThreadCount, ONNX_FILE_BY_DTYPE, probeWebGpu, type WebGpuProbe } from './backend.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS, type BatchingMode } from './batching.ts';
import { BatchQueue } from './batch-queue.ts';
import { DisposedError, InputError, ModelLoadError, RerankerError, throwIfAborted } from './errors.ts';
import { createFileReader, parseJsonFile, ProgressTracker, type ModelFileReader } from './model-files.ts';
import { MIN_MAX_LENGTH, type PairIds } from './pairs.ts';
import { ModelSession, type ExternalDataFile } from './session.ts';
import { PairEncoder } from './tokenize.ts';
import {
  DEFAULT_MODEL_ID,
  type BatchRecord,
  type Device,
  type Dtype,
  type Fallback,
  type RerankOptions,
  type RerankResult,
  type Reranker,
  type RerankerInfo,
  type RerankerOptions,
  type ScoreOptions,
} from './types.ts';

export const DEFAULT_MAX_LENGTH = 512;
export const MAX_MAX_LENGTH = 8192;
const MAX_BATCH_SIZE = 4096;
const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'q4'];

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function positiveInteger(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InputError(`${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new InputError(`${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  return value as T;
}

/** Where the wasm binary is fetched from. transformers.js points it at a CDN when it loads; we serve our own. */
function configureWasm(numThreads: number, wasmUrl: string | undefined): void {
  const wasm = ort.env.wasm;
  // Without a wasmPaths, onnxruntime-web finds the .wasm next to its own module, which the bundler emits as an
  // asset of this site (no CDN: offline and static hosting work).
  wasm.wasmPaths = wasmUrl ? { wasm: wasmUrl } : undefined;
  wasm.numThreads = numThreads;
  wasm.proxy = false;
}

interface ResolvedScoreOptions {
  batchSize: number;
  batching: BatchingMode;
  maxBatchTokens: number;
  rawScores: boolean;
  signal?: AbortSignal;
  onBatch?: (record: BatchRecord) => void;
}

function resolveScoreOptions(options: ScoreOptions = {}): ResolvedScoreOptions {
  if (typeof options !== 'object' || options === null) throw new InputError('options must be an object');
  return {
    batchSize: positiveInteger(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize', MAX_BATCH_SIZE),
    batching: oneOf(options.batching ?? 'tokens', 'batching', ['fixed', 'tokens'] as const),
    maxBatchTokens: positiveInteger(options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS, 'maxBatchTokens', 1 << 24),
    rawScores: Boolean(options.rawScores),
    signal: options.signal,
    onBatch: options.onBatch,
  };
}

function checkText(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new InputError(`${what} must be a string, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value;
}

class LocalReranker implements Reranker {
  private session: ModelSession | null;
  private readonly queue: BatchQueue;

  constructor(
    session: ModelSession,
    private readonly encoder: PairEncoder,
    readonly info: RerankerInfo,
    maxWaitMs: number,
  ) {
    this.session = session;
    this.queue = new BatchQueue((rows) => this.live().run(rows, encoder.special.pad), () => session.device, maxWaitMs);
  }

  private live(): ModelSession {
    if (!this.session) throw new DisposedError('this reranker was disposed');
    return this.session;
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankResult[]> {
    this.live();
    checkText(query, 'query');
    if (query.trim() === '') throw new InputError('the query is empty');
    if (!Array.isArray(documents)) throw new InputError('documents must be an array of strings');
    if (documents.length === 0) throw new InputError('there are no documents to rerank');
    documents.forEach((d, i) => checkText(d, `document ${i}`));
    const topK = options.topK === undefined ? documents.length
      : Math.min(positiveInteger(options.topK, 'topK', Number.MAX_SAFE_INTEGER), documents.length);
    const resolved = resolveScoreOptions(options);

    const queryIds = this.encoder.encode(query);
    const encoded = documents.map((d) => this.timed(() => this.encoder.pair(queryIds, d, this.info.maxLength)));
    const scores = await this.run(encoded, resolved);
    const results: RerankResult[] = scores.map((score, index) => ({
      index,
      score,
      truncated: encoded[index].pair.truncated,
      ...(options.returnDocuments ? { document: documents[index] } : {}),
    }));
    results.sort((a, b) => b.score - a.score || a.index - b.index);
    return results.slice(0, topK);
  }

  async score(pairs: readonly (readonly [string, string])[], options: ScoreOptions = {}): Promise<number[]> {
    this.live();
    if (!Array.isArray(pairs)) throw new InputError('pairs must be an array of [query, document]');
    if (pairs.length === 0) throw new InputError('there are no pairs to score');
    pairs.forEach((p, i) => {
      if (!Array.isArray(p) || p.length !== 2) throw new InputError(`pair ${i} must be [query, document]`);
      checkText(p[0], `the query of pair ${i}`);
      checkText(p[1], `the document of pair ${i}`);
    });
    const resolved = resolveScoreOptions(options);
    const queryIds = new Map<string, number[]>();
    const encoded = pairs.map(([q, d]) => this.timed(() => {
      let ids = queryIds.get(q);
      if (!ids) queryIds.set(q, (ids = this.encoder.encode(q)));
      return this.encoder.pair(ids, d, this.info.maxLength);
    }));
    return this.run(encoded, resolved);
  }

  private timed(encode: () => PairIds): { pair: PairIds; ms: number } {
    const start = performance.now();
    const pair = encode();
    return { pair, ms: performance.now() - start };
  }

  /** Queues encoded pairs (possibly sharing batches with concurrent calls) and turns logits into scores. */
  private async run(encoded: { pair: PairIds; ms: number }[], options: ResolvedScoreOptions): Promise<number[]> {
    const session = this.live();
    const logits = await this.queue.submit(
      encoded.map((e) => ({ ids: e.pair.ids, tokenizeMs: e.ms })),
      { mode: options.batching, batchSize: options.batchSize, maxBatchTokens: options.maxBatchTokens },
      { signal: options.signal, onBatch: options.onBatch },
    );
    return Array.from(logits, (logit, i) => {
      if (!Number.isFinite(logit)) {
        throw new RerankerError(`the model returned ${logit} for pair ${i} on ${session.device}/${this.info.dtype}: ` +
          'this backend and dtype compute wrong values here; try wasm or another dtype');
      }
      return options.rawScores ? logit : sigmoid(logit);
    });
  }

  async dispose(): Promise<void> {
    const session = this.session;
    this.session = null;
    await this.queue.close();
    await session?.dispose();
  }
}

/** Files listed in config.json's `transformers.js_config.use_external_data_format` (as onnx-community writes it). */
function externalDataChunks(config: Record<string, unknown>, onnxPath: string): number {
  const setting = (config['transformers.js_config'] as { use_external_data_format?: unknown } | undefined)?.use_external_data_format;
  const file = onnxPath.split('/').pop() ?? onnxPath;
  const value = setting && typeof setting === 'object' ? (setting as Record<string, unknown>)[file] : setting;
  if (value === true) return 1;
  return typeof value === 'number' && value > 0 ? value : 0;
}

async function readExternalData(reader: ModelFileReader, config: Record<string, unknown>, onnxPath: string,
  signal?: AbortSignal): Promise<ExternalDataFile[]> {
  const chunks = externalDataChunks(config, onnxPath);
  const files: ExternalDataFile[] = [];
  for (let i = 0; i < chunks; i++) {
    const path = `${onnxPath}_data${i === 0 ? '' : `_${i}`}`;
    const file = await reader.read(path, signal);
    files.push({ path: path.split('/').pop()!, data: file.bytes });
  }
  return files;
}

/**
 * Loads bge-reranker-v2-m3 (or a copy with the same layout) and returns a ready reranker.
 *
 * @example
 * const reranker = await createReranker({ device: 'auto', dtype: 'auto' });
 * reranker.info // → { backend: 'webgpu', dtype: 'fp16', fallbacks: [], loadMs: 5210, ... }
 * await reranker.rerank('what is a panda?', ['The giant panda is a bear.', 'Paris is in France.'], { topK: 1 })
 * // → [{ index: 0, score: 0.93, truncated: false }]
 */
export async function createReranker(options: RerankerOptions = {}): Promise<Reranker> {
  const started = performance.now();
  const device = oneOf(options.device ?? 'auto', 'device', ['auto', 'webgpu', 'wasm'] as const);
  const dtypeRequest = oneOf(options.dtype ?? 'auto', 'dtype', ['auto', ...DTYPES] as const);
  const requestedMaxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (typeof requestedMaxLength !== 'number' || !Number.isInteger(requestedMaxLength) ||
    requestedMaxLength < MIN_MAX_LENGTH || requestedMaxLength > MAX_MAX_LENGTH) {
    throw new InputError(`maxLength must be an integer from ${MIN_MAX_LENGTH} to ${MAX_MAX_LENGTH}, got ${String(requestedMaxLength)}`);
  }
  const numThreads = options.numThreads === undefined ? defaultThreadCount() : positiveInteger(options.numThreads, 'numThreads', 256);
  const maxWaitMs = options.maxWaitMs ?? 0;
  if (typeof maxWaitMs !== 'number' || !(maxWaitMs >= 0 && maxWaitMs <= 10_000)) {
    throw new InputError(`maxWaitMs must be a number from 0 to 10000, got ${String(maxWaitMs)}`);
  }
  const signal = options.signal;
  const progress = new ProgressTracker(options.progress);
  const source = options.model ?? DEFAULT_MODEL_ID;
  const reader = createFileReader(source, progress, options.cache ?? true);

  const [configFile, tokenizerFile, tokenizerConfigFile] = await Promise.all(
    ['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((p) => reader.read(p, signal)));
  const modelConfig = parseJsonFile(configFile);
  const maxPositions = modelConfig.max_position_embeddings;
  if (typeof maxPositions === 'number' && requestedMaxLength > maxPositions - 2) {
    throw new InputError(`maxLength ${requestedMaxLength} exceeds what this model supports (${maxPositions - 2} tokens)`);
  }
  const encoder = PairEncoder.fromFiles({
    tokenizerJson: parseJsonFile(tokenizerFile),
    tokenizerConfig: parseJsonFile(tokenizerConfigFile),
    modelConfig,
  });

  throwIfAborted(signal, 'model loading');
  const probe: WebGpuProbe = device === 'wasm' ? { adapter: null } : await probeWebGpu();
  const choice = chooseDevices(device, probe);
  const fallbacks: Fallback[] = [...choice.fallbacks];
  const notes = [...choice.notes];
  configureWasm(numThreads, options.wasmUrl);
  if (numThreads > 1 && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    notes.push(`numThreads ${numThreads} needs a cross-origin isolated page; onnxruntime will use 1 thread`);
  }

  const presence = await Promise.all(DTYPES.map((d) => reader.has(ONNX_FILE_BY_DTYPE[d], signal)));
  const available = DTYPES.filter((_, i) => presence[i]);
  const files = [configFile, tokenizerFile, tokenizerConfigFile];
  const modelBytes = new Map<Dtype, { bytes: Uint8Array; external: ExternalDataFile[] }>();

  let lastError: unknown;
  for (const candidate of choice.devices) {
    const picked = chooseDtype(dtypeRequest, candidate, probe.adapter, available);
    const path = ONNX_FILE_BY_DTYPE[picked.dtype];
    if (!modelBytes.has(picked.dtype)) {
      const file = await reader.read(path, signal); // a missing file throws a ModelLoadError that names it
      files.push(file);
      modelBytes.set(picked.dtype, { bytes: file.bytes, external: await readExternalData(reader, modelConfig, path, signal) });
    }
    const { bytes, external } = modelBytes.get(picked.dtype)!;
    throwIfAborted(signal, 'model loading');
    let session: ModelSession | undefined;
    try {
      session = await ModelSession.create(bytes, candidate, external);
      // Warm-up with the tokenizer's largest id: compiles the kernels, and fails here (not mid-rerank) when the
      // tokenizer's vocabulary does not fit the model's embedding table.
      await session.run([[encoder.special.bos, encoder.maxTokenId, encoder.special.eos]], encoder.special.pad);
    } catch (error) {
      await session?.dispose().catch(() => {});
      if (error instanceof ModelLoadError) throw error;
      if (session && /indices|out of (data )?bounds|gather/i.test(String((error as Error).message))) {
        throw new ModelLoadError(`the tokenizer's token ${encoder.maxTokenId} is outside the model's vocabulary: ` +
          'the tokenizer and the model belong to different models', { cause: error });
      }
      lastError = error;
      const next = choice.devices[choice.devices.indexOf(candidate) + 1];
      if (!next) break;
      fallbacks.push({ from: candidate, to: next, reason: `creating the ${candidate} session failed: ${(error as Error).message}` });
      continue;
    }
    fallbacks.push(...picked.fallbacks);
    notes.push(...picked.notes);
    const info: RerankerInfo = {
      backend: candidate,
      dtype: picked.dtype,
      adapter: probe.adapter,
      files: files.map((f) => ({ path: f.path, bytes: f.bytes.byteLength, fromCache: f.fromCache })),
      loadMs: performance.now() - started,
      maxLength: requestedMaxLength,
      numThreads: ort.env.wasm.numThreads ?? numThreads,
      fallbacks,
      notes,
      generated: Boolean(modelConfig.generated_by),
      modelId: typeof source === 'string' ? source : 'url' in source ? source.url : 'local files',
    };
    options.progress?.({ status: 'ready', info });
    return new LocalReranker(session, encoder, info, maxWaitMs);
  }
  throw lastError instanceof Error ? lastError : new RerankerError(`no backend could run the model: ${String(lastError)}`);
}

export type { Device };
