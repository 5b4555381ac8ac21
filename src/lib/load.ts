/**
 * Loading: files → tokenizer → backend and dtype choice → session → warm-up → optional fidelity self-check.
 * Also how a session is recreated after the GPU device is lost.
 */
import { ort } from './ort.ts';
import { chooseDevices, chooseDtype, defaultThreadCount, ONNX_FILE_BY_DTYPE, probeWebGpu, type WebGpuProbe } from './backend.ts';
import { InputError, ModelLoadError, RerankerError, throwIfAborted } from './errors.ts';
import { createFileReader, parseJsonFile, ProgressTracker, type FileRead, type ModelFileReader } from './model-files.ts';
import { buildPairIds, DEFAULT_MAX_LENGTH, MAX_MAX_LENGTH, MIN_MAX_LENGTH } from './pairs.ts';
import { LocalReranker, type SessionRecovery } from './reranker.ts';
import { ModelSession, type ExternalDataFile } from './session.ts';
import { PairEncoder } from './tokenize.ts';
import { DEFAULT_MODEL_ID, type Device, type Dtype, type Fallback, type FidelityCheck, type Reranker, type RerankerInfo, type RerankerOptions } from './types.ts';
import { integerInRange, oneOf, positiveInteger, resolveLimits } from './validate.ts';

export { DEFAULT_MAX_LENGTH, MAX_MAX_LENGTH };
const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'q4'];

/** Where the wasm binary is fetched from. transformers.js points it at a CDN when it loads; we serve our own. */
function configureWasm(numThreads: number, wasmUrl: string | undefined): void {
  const wasm = ort.env.wasm;
  // Without wasmPaths, onnxruntime-web finds the .wasm beside its own module, which the bundler emits as an asset of
  // this site (no CDN: offline and static hosting work).
  wasm.wasmPaths = wasmUrl ? { wasm: wasmUrl } : undefined;
  wasm.numThreads = numThreads;
  wasm.proxy = false;
}

/** Files listed in config.json's `transformers.js_config.use_external_data_format` (as onnx-community writes it). */
function externalDataChunks(config: Record<string, unknown>, onnxPath: string): number {
  const setting = (config['transformers.js_config'] as { use_external_data_format?: unknown } | undefined)?.use_external_data_format;
  const file = onnxPath.split('/').pop() ?? onnxPath;
  const value = setting && typeof setting === 'object' ? (setting as Record<string, unknown>)[file] : setting;
  if (value === true) return 1;
  return typeof value === 'number' && value > 0 ? value : 0;
}

interface ModelFiles {
  graph: FileRead;
  external: ExternalDataFile[];
}

async function readModel(reader: ModelFileReader, config: Record<string, unknown>, dtype: Dtype, signal?: AbortSignal): Promise<ModelFiles> {
  const path = ONNX_FILE_BY_DTYPE[dtype];
  const graph = await reader.read(path, signal); // a missing file throws a ModelLoadError that names it
  const external: ExternalDataFile[] = [];
  for (let i = 0; i < externalDataChunks(config, path); i++) {
    const dataPath = `${path}_data${i === 0 ? '' : `_${i}`}`;
    external.push({ path: dataPath.split('/').pop()!, data: (await reader.read(dataPath, signal)).bytes });
  }
  return { graph, external };
}

/** Creates a session and runs the warm-up that also proves the tokenizer fits the model's vocabulary. */
async function startSession(model: ModelFiles, device: Device, encoder: PairEncoder): Promise<ModelSession> {
  const session = await ModelSession.create(model.graph.bytes, device, model.external);
  try {
    await session.run([[encoder.special.bos, encoder.maxTokenId, encoder.special.eos]], encoder.special.pad);
    return session;
  } catch (error) {
    await session.dispose().catch(() => {});
    if (/indices|out of (data )?bounds|gather/i.test(String((error as Error).message))) {
      throw new ModelLoadError(`the tokenizer's token ${encoder.maxTokenId} is outside the model's vocabulary: ` +
        'the tokenizer and the model belong to different models', { cause: error });
    }
    throw error;
  }
}

/** Fixed pairs for the self-check: multilingual, short and long, so a broken kernel cannot hide. */
const SELF_CHECK_PAIRS: [string, string][] = [
  ['阿里巴巴和腾讯哪家公司成立更早?', '阿里巴巴集团于1999年在杭州创立,创始人是马云。'],
  ['深度学习中的梯度消失怎么解决?', '卷积神经网络主要用于图像分类任务。'],
  ['what is a cross-encoder?', 'A cross-encoder reads the query and the document together and outputs one relevance score.'],
  ['what is a cross-encoder?', 'The weather in Paris is mild in spring, and the museums are open late on Fridays.'],
  ['Wie spät ist es?', 'Es ist halb drei.'],
];
const SELF_CHECK_TOLERANCE: Record<Dtype, number> = { fp32: 1e-3, fp16: 0.05, q8: 0.1, q4: 0.15 };

async function fidelityCheck(session: ModelSession, model: ModelFiles, encoder: PairEncoder, dtype: Dtype,
  maxLength: number): Promise<FidelityCheck> {
  const rows = SELF_CHECK_PAIRS.map(([q, d]) => buildPairIds(encoder.encode(q), encoder.encode(d), maxLength, encoder.special).ids);
  const reference = await ModelSession.create(model.graph.bytes, 'wasm', model.external);
  try {
    // One pair per run on both sides: q8's activation scales depend on the whole batch.
    const ours: number[] = [];
    const theirs: number[] = [];
    for (const row of rows) {
      ours.push(...(await session.run([row], encoder.special.pad)));
      theirs.push(...(await reference.run([row], encoder.special.pad)));
    }
    const maxDiff = ours.reduce((m, x, i) => Math.max(m, Number.isFinite(x) ? Math.abs(x - theirs[i]) : Infinity), 0);
    const tolerance = SELF_CHECK_TOLERANCE[dtype];
    return { pairs: rows.length, maxDiff, tolerance, ok: maxDiff <= tolerance };
  } finally {
    await reference.dispose();
  }
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
  if (typeof options !== 'object' || options === null) throw new InputError('options must be an object');
  const device = oneOf(options.device ?? 'auto', 'device', ['auto', 'webgpu', 'wasm'] as const);
  const dtypeRequest = oneOf(options.dtype ?? 'auto', 'dtype', ['auto', ...DTYPES] as const);
  const maxLength = integerInRange(options.maxLength ?? DEFAULT_MAX_LENGTH, 'maxLength', MIN_MAX_LENGTH, MAX_MAX_LENGTH);
  const numThreads = options.numThreads === undefined ? defaultThreadCount() : positiveInteger(options.numThreads, 'numThreads', 256);
  const maxWaitMs = options.maxWaitMs ?? 0;
  if (typeof maxWaitMs !== 'number' || !(maxWaitMs >= 0 && maxWaitMs <= 10_000)) {
    throw new InputError(`maxWaitMs must be a number from 0 to 10000, got ${String(maxWaitMs)}`);
  }
  const limits = resolveLimits(options.limits);
  const signal = options.signal;
  const source = options.model ?? DEFAULT_MODEL_ID;
  const reader = createFileReader(source, new ProgressTracker(options.progress), options.cache ?? true);

  const [configFile, tokenizerFile, tokenizerConfigFile] = await Promise.all(
    ['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((p) => reader.read(p, signal)));
  const modelConfig = parseJsonFile(configFile);
  const maxPositions = modelConfig.max_position_embeddings;
  if (typeof maxPositions === 'number' && maxLength > maxPositions - 2) {
    throw new InputError(`maxLength ${maxLength} exceeds what this model supports (${maxPositions - 2} tokens)`);
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
  const files: FileRead[] = [configFile, tokenizerFile, tokenizerConfigFile];
  const models = new Map<Dtype, ModelFiles>();
  const modelFor = async (dtype: Dtype) => {
    let model = models.get(dtype);
    if (!model) {
      model = await readModel(reader, modelConfig, dtype, signal);
      models.set(dtype, model);
      files.push(model.graph);
    }
    return model;
  };

  let lastError: unknown;
  for (const [position, candidate] of choice.devices.entries()) {
    const picked = chooseDtype(dtypeRequest, candidate, probe.adapter, available);
    const model = await modelFor(picked.dtype);
    throwIfAborted(signal, 'model loading');
    let session: ModelSession;
    try {
      session = await startSession(model, candidate, encoder);
    } catch (error) {
      if (error instanceof ModelLoadError) throw error;
      lastError = error;
      const next = choice.devices[position + 1];
      if (!next) break;
      fallbacks.push({ from: candidate, to: next, reason: `creating the ${candidate} session failed: ${(error as Error).message}` });
      continue;
    }
    fallbacks.push(...picked.fallbacks);
    notes.push(...picked.notes);
    let fidelity: FidelityCheck | null = null;
    if (options.selfCheck ?? candidate === 'webgpu') {
      fidelity = await fidelityCheck(session, model, encoder, picked.dtype, maxLength);
      if (!fidelity.ok) {
        notes.push(`self-check: ${candidate}/${picked.dtype} logits differ from wasm by ${fidelity.maxDiff.toPrecision(3)} ` +
          `(tolerance ${fidelity.tolerance}): scores on this backend may be wrong; use device 'wasm' or another dtype`);
      }
    }
    for (const f of files) {
      if (f.cacheError) notes.push(`${f.path} could not be kept in the browser cache (${f.cacheError}): it will download again next time`);
    }
    const info: RerankerInfo = {
      backend: candidate,
      dtype: picked.dtype,
      adapter: probe.adapter,
      files: files.map((f) => ({ path: f.path, bytes: f.bytes.byteLength, fromCache: f.fromCache })),
      loadMs: performance.now() - started,
      maxLength,
      numThreads: ort.env.wasm.numThreads ?? numThreads,
      fallbacks,
      notes,
      fidelity,
      generated: Boolean(modelConfig.generated_by),
      modelId: typeof source === 'string' ? source : 'url' in source ? source.url : 'local files',
    };
    // After a lost device: read the model again (from the browser cache or the picked files; holding the bytes would
    // double the memory of a 570 MB model for a rare event), then a new session on the same device, else on wasm.
    const dtype = picked.dtype;
    const recover: SessionRecovery = async (failed, error) => {
      if (!(error instanceof Error) || error.name !== 'DeviceLostError') return null;
      await failed.abandon();
      const again = await readModel(reader, modelConfig, dtype);
      for (const next of [...new Set<Device>([failed.device, 'wasm'])]) {
        try {
          const replacement = await startSession(again, next, encoder);
          if (next !== failed.device) fallbacks.push({ from: failed.device, to: next, reason: error.message });
          return { session: replacement, action: `recreated the session on ${next}` };
        } catch {
          // try the next device
        }
      }
      return null;
    };
    models.clear(); // the session holds its own copy; don't keep ours alive through the closures above
    options.progress?.({ status: 'ready', info });
    return new LocalReranker(session, encoder, info, limits, maxWaitMs, recover);
  }
  throw lastError instanceof Error ? lastError : new RerankerError(`no backend could run the model: ${String(lastError)}`);
}
