/** One onnxruntime-web inference session: padded int64 feeds in, one relevance logit per row out. */
import { ort } from './ort.ts';
import { modelFeeds, type TokenRow } from '../batching/padding.ts';
import { DeviceLostError, ModelLoadError, OutOfMemoryError } from '../errors.ts';
import { namedError } from './run-errors.ts';
import { splitInlineWeights } from './inline-weights.ts';
import { EMBEDDING_PIECE_BYTES, readTablesInPieces, type PiecedModel } from './embedding-pieces.ts';
import { floatTensorToNumbers } from './float16.ts';
import { isOnDemand } from '../files/on-demand-bytes.ts';
import type { ModelConfig } from '../files/model-config.ts';
import type { Device, WeightsPath } from '../types.ts';

export interface ExternalDataFile {
  path: string;
  data: Uint8Array;
}

/**
 * Per-session hooks, given when the reranker is created (`createReranker`'s internal second argument): tests inject
 * out-of-memory and device loss with `beforeRun` instead of hoping for them. Throwing from it looks exactly like
 * onnxruntime failing that run (the error is named the same way, by run-errors.ts).
 */
export interface SessionHooks {
  /** Called before every session.run with the run's number (per session, the warm-up is 0) and shape. */
  beforeRun?: (run: { device: Device; runIndex: number; rows: number; sequenceLength: number }) => void;
}

/**
 * Logits a cross-encoder gives per pair: one (a relevance logit, as bge-reranker and MiniLM cross-encoders have) or two
 * (not relevant, relevant: a two-label classification export).
 */
export type LabelCount = 1 | 2;

/**
 * The label count of a session's `logits` output: its last dimension where the graph fixes it, else config.json's,
 * else one. A model with any other count is a classifier, not a reranker.
 */
function labelCount(graphLabels: number | undefined, configLabels: number | undefined): LabelCount {
  if (graphLabels !== undefined && configLabels !== undefined && graphLabels !== configLabels) {
    throw new ModelLoadError(`the ONNX model gives ${graphLabels} logits per pair but config.json declares ` +
      `${configLabels} labels: they belong to different models`);
  }
  const labels = graphLabels ?? configLabels ?? 1;
  if (labels !== 1 && labels !== 2) {
    throw new ModelLoadError(`the model has ${labels} labels: a reranker has one (a relevance logit) or two ` +
      '(not relevant, relevant)');
  }
  return labels;
}

export interface SessionOptions {
  externalData?: ExternalDataFile[];
  hooks?: SessionHooks;
  /** config.json, for its declared label count. */
  config?: ModelConfig;
  /** The largest embedding-table range read at once (embedding-pieces.ts); tests lower it for the tiny model. */
  embeddingPieceBytes?: number;
}

/** How long a failed WebGPU run waits for the device's `lost` promise before calling the failure something else. */
const LOST_WAIT_MS = 1000;

export class ModelSession {
  private queue: Promise<unknown> = Promise.resolve();
  private runs = 0;
  private lost: string | null = null;
  /** Settles when onnxruntime's GPUDevice is lost (never, while it lives); webgpu sessions only. */
  private deviceLost: Promise<void> | null = null;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly device: Device,
    private readonly hooks: SessionHooks,
    /** Two: the relevance logit is relevant − not relevant, whose sigmoid is the softmax's relevant probability. */
    readonly labels: LabelCount,
    /** How the weights reached onnxruntime (RerankerInfo.runtime.weights). */
    readonly weights: WeightsPath,
    /** The embedding tables read in ranges (RerankerInfo.runtime.tablesInPieces). */
    readonly tablesInPieces: PiecedModel['tables'],
  ) {}

  static async create(model: Uint8Array, device: Device,
    { externalData = [], hooks = {}, config, embeddingPieceBytes = EMBEDDING_PIECE_BYTES }: SessionOptions = {}): Promise<ModelSession> {
    // An inline file's weights go in as external data pointing into the file itself: held once, not three times.
    const split = splitInlineWeights(model);
    const external = split ? [...externalData, split.weights] : externalData;
    // A file read on demand is empty to onnxruntime's own copy: one it parses whole is read whole.
    const graph = split?.graph ?? (isOnDemand(model) ? model.slice() : model);
    // Embedding tables in external data are read a range at a time, not in one read of the whole table.
    const pieced = external.length > 0 ? readTablesInPieces(graph, embeddingPieceBytes) : null;
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [device],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      ...(external.length > 0 ? { externalData: external } : {}),
    };
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(pieced?.graph ?? graph, options);
    } catch (error) {
      throw namedError(error, device, 'create');
    } finally {
      for (const file of external) if (isOnDemand(file.data)) file.data.release(); // the last weight read
    }
    for (const name of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(name)) {
        await session.release();
        throw new ModelLoadError(`the ONNX model has no "${name}" input (inputs: ${session.inputNames.join(', ')}): not a cross-encoder export`);
      }
    }
    if (!session.outputNames.includes('logits')) {
      await session.release();
      throw new ModelLoadError(`the ONNX model has no "logits" output (outputs: ${session.outputNames.join(', ')})`);
    }
    let labels: LabelCount;
    try {
      const output = session.outputMetadata.find((m) => m.name === 'logits');
      const last = output?.isTensor ? output.shape.at(-1) : undefined;
      labels = labelCount(typeof last === 'number' ? last : undefined, config?.labels);
    } catch (error) {
      await session.release();
      throw error;
    }
    const weights: WeightsPath = external.some((file) => isOnDemand(file.data)) ? 'read-on-demand'
      : split ? 'file-as-external-data' : externalData.length > 0 ? 'external-data' : 'inline';
    const created = new ModelSession(session, device, hooks, labels, weights, pieced?.tables ?? []);
    if (device === 'webgpu') created.watchDevice();
    return created;
  }

  /** Marks the session lost when onnxruntime's GPUDevice is lost, so the next run fails fast with DeviceLostError. */
  private watchDevice(): void {
    const pending = (ort.env.webgpu as { device?: unknown }).device;
    this.deviceLost = Promise.resolve(pending).then(async (device) => {
      const info = await (device as { lost?: Promise<{ message?: string; reason?: string }> } | undefined)?.lost;
      if (info) this.lost = info.message || info.reason || 'unknown reason';
    }).catch(() => {});
  }

  /**
   * Runs rows right-padded with `padId` to the longest row, as one tensor: exactly the tensor the planner chose
   * (batching.ts). Resolves to one relevance logit per row. Calls are serialised: one session never runs two batches
   * at once.
   */
  run(rows: readonly TokenRow[], padId: number): Promise<number[]> {
    const result = this.queue.then(() => this.runNow(rows, padId));
    this.queue = result.catch(() => {});
    return result;
  }

  private async runNow(rows: readonly TokenRow[], padId: number): Promise<number[]> {
    if (this.lost) throw new DeviceLostError(`the GPU device was lost: ${this.lost}`);
    const feeds = modelFeeds(rows, padId, this.session.inputNames, (data, dims) => new ort.Tensor('int64', data, dims));
    try {
      const sequenceLength = feeds.input_ids.dims[1];
      this.hooks.beforeRun?.({ device: this.device, runIndex: this.runs++, rows: rows.length, sequenceLength });
    } catch (error) {
      throw namedError(error, this.device, 'run');
    }
    let output: ort.InferenceSession.OnnxValueMapType;
    try {
      output = await this.session.run(feeds);
    } catch (error) {
      const classified = namedError(error, this.device, 'run');
      // A destroyed or lost device fails the run with whatever the failing call says ("Failed to download data from
      // buffer", ...); its `lost` promise, which settles around the same time, is what tells device loss apart. An
      // out-of-memory error needs no wait: its halves fail fast as DeviceLostError if the device is gone.
      if (this.deviceLost && !this.lost && !(classified instanceof OutOfMemoryError)) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([this.deviceLost, new Promise((resolve) => (timer = setTimeout(resolve, LOST_WAIT_MS)))]);
        clearTimeout(timer);
      }
      if (this.lost) throw new DeviceLostError(`the GPU device was lost: ${this.lost}`, { cause: error });
      throw classified;
    }
    const logits = output.logits;
    try {
      const data = logits.location === 'cpu' ? logits.data : await logits.getData();
      const values = floatTensorToNumbers(logits.type, data);
      if (values.length !== rows.length * this.labels) {
        throw new ModelLoadError(`the model returned ${values.length} logits for ${rows.length} rows: expected ` +
          `${this.labels} per row`);
      }
      return this.labels === 1 ? values : rows.map((_, r) => values[2 * r + 1] - values[2 * r]);
    } finally {
      logits.dispose();
    }
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.session.release();
  }

  /** Releases without waiting for runs in flight (they fail): for a session whose device is gone. */
  async abandon(): Promise<void> {
    await this.session.release().catch(() => {});
  }
}
