/**
 * Loading, as named steps: options → config and tokenizer → backend and dtype → session → self-check → info →
 * recovery. `createReranker` reads top to bottom in that order.
 */
import { configureWasm, ort } from './ort.ts';
import { chooseDevices, defaultThreadCount, type BackendChoice, dtypeCandidates, dtypeNotes, probeWebGpu,
  type WebGpuProbe } from './backend.ts';
import { DTYPE_ORDER, UNSUPPORTED_DTYPES } from '../dtypes.ts';
import { InputError, ModelLoadError, RerankerError, throwIfAborted } from '../errors.ts';
import { storageOfLoad } from '../files/storage.ts';
import { createFileReader, parseJsonFile, ProgressTracker, type FileRead, type ModelFileReader } from '../files/model-files.ts';
import { DEFAULT_MAX_LENGTH, MAX_MAX_LENGTH, MIN_MAX_LENGTH } from '../text/pairs.ts';
import { LocalReranker, type SessionRecovery } from './reranker.ts';
import { fidelityCheck, scoreInProcess, scoreReference, type PendingCheck, type ReferenceScorer,
  type SelfCheckOutcome } from './self-check.ts';
import { ModelSession, type SessionHooks } from './session.ts';
import { embeddingStorage, parseModelConfig, type ModelConfig } from '../files/model-config.ts';
import { checkTokenizerFitsGraph } from './onnx-graph.ts';
import { readFirstPresent, readModel, type ModelFiles, type ModelReads } from './model-reads.ts';
import { gatherOutOfRange } from './run-errors.ts';
import { PairEncoder } from '../text/tokenize.ts';
import { DEFAULT_MODEL_ID, type Device, type DeviceRequest, type Dtype, type DtypeRequest, type Fallback,
  type ModelSource, type Reranker, type RerankerInfo, type RerankerOptions } from '../types.ts';
import { integerInRange, oneOf, positiveInteger, resolveLimits, type Limits } from '../validate.ts';

export { DEFAULT_MAX_LENGTH, MAX_MAX_LENGTH };

/** Not part of the public API: what tests and benchmarks give a reranker of their own (fault injection). */
export interface RerankerInternals {
  hooks?: SessionHooks;
  /** Where the self-check's wasm reference runs (default: this thread; the library's worker: a worker of its own). */
  reference?: ReferenceScorer;
  /** The largest embedding-table range onnxruntime reads at once (tests lower it to split the tiny model's table). */
  embeddingPieceBytes?: number;
}

interface Settings {
  device: DeviceRequest;
  dtype: DtypeRequest;
  /** null: the default, {@link DEFAULT_MAX_LENGTH} or the model's limit if lower (decided in step 2). */
  maxLength: number | null;
  numThreads: number;
  maxWaitMs: number;
  limits: Limits;
  source: ModelSource;
  signal?: AbortSignal;
  /** Whether a session on this device is self-checked. */
  selfCheck: (device: Device) => boolean;
}

/** Step 1: every option checked, with its default, before anything is read. */
function resolveSettings(options: RerankerOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new InputError('options must be an object');
  const unsupported = typeof options.dtype === 'string' ? UNSUPPORTED_DTYPES[options.dtype] : undefined;
  if (unsupported) throw new InputError(`dtype ${options.dtype} is not supported: ${unsupported}`);
  const maxWaitMs = options.maxWaitMs ?? 0;
  if (typeof maxWaitMs !== 'number' || !(maxWaitMs >= 0 && maxWaitMs <= 10_000)) {
    throw new InputError(`maxWaitMs must be a number from 0 to 10000, got ${String(maxWaitMs)}`);
  }
  return {
    device: oneOf(options.device ?? 'auto', 'device', ['auto', 'webgpu', 'wasm'] as const),
    dtype: oneOf(options.dtype ?? 'auto', 'dtype', ['auto', ...DTYPE_ORDER] as const),
    maxLength: options.maxLength === undefined ? null
      : integerInRange(options.maxLength, 'maxLength', MIN_MAX_LENGTH, MAX_MAX_LENGTH),
    numThreads: options.numThreads === undefined ? defaultThreadCount() : positiveInteger(options.numThreads, 'numThreads', 256),
    maxWaitMs,
    limits: resolveLimits(options.limits),
    source: options.model ?? DEFAULT_MODEL_ID,
    signal: options.signal,
    selfCheck: (device) => options.selfCheck ?? device === 'webgpu',
  };
}

interface Tokenized {
  modelConfig: ModelConfig;
  /** Tokens per pair: the option, or the default within the model's positions. */
  maxLength: number;
  encoder: PairEncoder;
  files: FileRead[];
}

/** Step 2: config.json and the tokenizer, and maxLength checked against the model's positions. */
async function readConfigAndTokenizer(reader: ModelFileReader, settings: Settings): Promise<Tokenized> {
  const files = await Promise.all(
    ['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((p) => reader.read(p, settings.signal)));
  const [configFile, tokenizerFile, tokenizerConfigFile] = files;
  const modelConfig = parseModelConfig(parseJsonFile(configFile));
  const positions = modelConfig.positions;
  if (positions !== undefined && settings.maxLength !== null && settings.maxLength > positions) {
    throw new InputError(`maxLength ${settings.maxLength} exceeds what this model supports (${positions} tokens)`);
  }
  const maxLength = settings.maxLength ?? Math.max(MIN_MAX_LENGTH, Math.min(DEFAULT_MAX_LENGTH, positions ?? Infinity));
  const encoder = PairEncoder.fromFiles({
    tokenizerJson: parseJsonFile(tokenizerFile),
    tokenizerConfig: parseJsonFile(tokenizerConfigFile),
    modelConfig,
  });
  return { modelConfig, encoder, files, maxLength };
}

/**
 * Creates a session and runs a warm-up on the tokenizer's largest id. The tokenizer was checked against config.json
 * (tokenize.ts) and the graph's embedding table (onnx-graph.ts) before; where the graph's table could not be read, a
 * Gather past it fails here on wasm, with onnxruntime's message naming the index and the table's size.
 */
async function startSession(model: ModelFiles, device: Device, encoder: PairEncoder,
  { hooks, embeddingPieceBytes }: RerankerInternals): Promise<ModelSession> {
  const session = await ModelSession.create(model.graph.bytes, device,
    { externalData: model.external, hooks, config: model.config, embeddingPieceBytes });
  try {
    await session.run([encoder.pairFromIds([encoder.maxTokenId], [], MIN_MAX_LENGTH)], encoder.padId);
    return session;
  } catch (error) {
    await session.dispose().catch(() => {});
    const outOfRange = gatherOutOfRange(error);
    if (outOfRange?.index === encoder.maxTokenId) {
      throw new ModelLoadError(`the tokenizer's token ${encoder.maxTokenId} is outside the model's vocabulary ` +
        `(${outOfRange.size} tokens): the tokenizer and the model belong to different models`, { cause: error });
    }
    throw error;
  }
}

interface Started {
  session: ModelSession;
  model: ModelFiles;
  fallbacks: Fallback[];
  notes: string[];
  selfCheck: PendingCheck | null;
}

/**
 * Step 3 and 4: the devices to try in order (webgpu, then wasm), and on each the best dtype the source has; the first
 * session that starts wins. Every preference not honoured leaves a reason.
 */
async function startOnFirstDevice(reader: ModelFileReader, settings: Settings, tokenized: Tokenized,
  probe: WebGpuProbe, choice: BackendChoice, internals: RerankerInternals): Promise<Started> {
  const reference = internals.reference ?? scoreInProcess;
  const fallbacks: Fallback[] = [...choice.fallbacks];
  const notes = [...choice.notes];
  const reads: ModelReads = new Map();
  let lastError: unknown;
  for (const [position, device] of choice.devices.entries()) {
    const candidates = dtypeCandidates(settings.dtype, device, probe.adapter);
    const dtypeFallbacks = [...candidates.fallbacks];
    const model = await readFirstPresent(reader, tokenized.modelConfig, candidates.dtypes, dtypeFallbacks, reads, settings.signal);
    throwIfAborted(settings.signal, 'model loading');
    checkTokenizerFitsGraph(model.graph.bytes, tokenized.encoder.maxTokenId, model.graph.path);
    // The reference first: its memory is given back before the session takes its own (self-check.ts).
    const selfCheck = settings.selfCheck(device) ? await scoreReference(reference,
      { graph: model.graph.bytes, external: model.external, config: model.config }, tokenized.encoder, tokenized.maxLength,
      settings.signal) : null;
    throwIfAborted(settings.signal, 'model loading');
    try {
      const session = await startSession(model, device, tokenized.encoder, internals);
      return { session, model, fallbacks: [...fallbacks, ...dtypeFallbacks], notes: [...notes, ...dtypeNotes(model.dtype, device)],
        selfCheck };
    } catch (error) {
      if (error instanceof ModelLoadError) throw error;
      lastError = error;
      const next = choice.devices[position + 1];
      if (!next) break;
      fallbacks.push({ from: device, to: next, reason: `creating the ${device} session failed: ${(error as Error).message}` });
    }
  }
  throw lastError instanceof Error ? lastError : new RerankerError(`no backend could run the model: ${String(lastError)}`);
}

/** Step 6: what the reranker reports about itself. */
function describeLoad(settings: Settings, tokenized: Tokenized, started: Started, probe: WebGpuProbe,
  selfCheck: SelfCheckOutcome | null, loadMs: number): RerankerInfo {
  const files = [...tokenized.files, started.model.graph];
  const notes = [...started.notes];
  const fidelity = selfCheck && 'check' in selfCheck ? selfCheck.check : null;
  if (selfCheck && 'skipped' in selfCheck) {
    notes.push(`self-check not run: ${selfCheck.skipped}; scores on ${started.session.device} are unchecked`);
  }
  if (settings.numThreads > 1 && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    notes.push(`numThreads ${settings.numThreads} needs a cross-origin isolated page; onnxruntime will use 1 thread`);
  }
  if (fidelity && !fidelity.ok) {
    const what = fidelity.collapsed ? 'gives every pair nearly the same score'
      : `logits differ from wasm by ${fidelity.maxDiff.toPrecision(3)} (tolerance ${fidelity.tolerance})`;
    notes.push(`self-check: ${started.session.device}/${started.model.dtype} ${what}: scores on this backend may be ` +
      "wrong; use device 'wasm' or another dtype");
  }
  for (const f of files) {
    if (f.cacheError) notes.push(`${f.path} could not be kept in the browser cache (${f.cacheError}): it will download again next time`);
  }
  const source = settings.source;
  return {
    backend: started.session.device,
    dtype: started.model.dtype,
    files: files.map((f) => ({ path: f.path, bytes: f.bytes.byteLength, fromCache: f.fromCache,
      ...(f.verified ? { verified: f.verified } : {}), ...(f.resumed ? { resumed: f.resumed } : {}) })),
    loadMs,
    maxLength: tokenized.maxLength,
    fallbacks: started.fallbacks,
    notes,
    generated: tokenized.modelConfig.generated,
    architecture: tokenized.modelConfig.architecture,
    labels: started.session.labels,
    embeddings: embeddingStorage(tokenized.modelConfig, started.model.dtype),
    modelId: typeof source === 'string' ? source : 'url' in source ? source.url : 'local files',
    runtime: { name: 'onnxruntime-web', adapter: probe.adapter, numThreads: ort.env.wasm.numThreads ?? settings.numThreads, fidelity,
      weights: started.session.weights, tablesInPieces: started.session.tablesInPieces },
  };
}

/**
 * Step 7: after a lost device, read the model again (from the browser cache or the picked files; holding the bytes
 * would double the memory of a 570 MB model for a rare event), then a new session on the same device, else on wasm.
 */
function sessionRecovery(reader: ModelFileReader, { modelConfig, encoder }: Tokenized, dtype: Dtype,
  internals: RerankerInternals): SessionRecovery {
  return async (failed, error) => {
    if (!(error instanceof Error) || error.name !== 'DeviceLostError') return null;
    await failed.abandon();
    const again = await readModel(reader, modelConfig, dtype);
    for (const device of new Set<Device>([failed.device, 'wasm'])) {
      try {
        return await startSession(again, device, encoder, internals);
      } catch {
        // try the next device
      }
    }
    return null;
  };
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
export async function createReranker(options: RerankerOptions = {}, internals: RerankerInternals = {}): Promise<Reranker> {
  const started = performance.now();
  const settings = resolveSettings(options);
  const reader = createFileReader(settings.source, new ProgressTracker(options.progress), options.cache ?? true,
    { remoteHost: options.remoteHost, pieceBytes: options.downloadPieceBytes });
  const tokenized = await readConfigAndTokenizer(reader, settings);
  throwIfAborted(settings.signal, 'model loading');

  const probe: WebGpuProbe = settings.device === 'wasm' ? { adapter: null } : await probeWebGpu();
  const choice = chooseDevices(settings.device, probe);
  configureWasm(settings.numThreads, choice.devices.length === 1 && choice.devices[0] === 'wasm', options.wasmUrl, options.wasmCpu);
  const running = await startOnFirstDevice(reader, settings, tokenized, probe, choice, internals);

  const selfCheck = running.selfCheck && await fidelityCheck(running.session, running.selfCheck, running.model.dtype);
  const storage = await storageOfLoad([...tokenized.files, running.model.graph]);
  const info = { ...describeLoad(settings, tokenized, running, probe, selfCheck, performance.now() - started), ...(storage ? { storage } : {}) };
  options.progress?.({ status: 'ready', info });
  return new LocalReranker({
    session: running.session,
    encoder: tokenized.encoder,
    info,
    limits: settings.limits,
    maxWaitMs: settings.maxWaitMs,
    recover: sessionRecovery(reader, tokenized, running.model.dtype, internals),
  });
}
