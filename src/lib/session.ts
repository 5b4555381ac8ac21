/** One onnxruntime-web inference session: padded int64 feeds in, one logit per row out. */
import { ort } from './ort.ts';
import { padRows } from './padding.ts';
import { DeviceLostError, ModelLoadError, OutOfMemoryError, RerankerError } from './errors.ts';
import { floatTensorToNumbers } from './float16.ts';
import type { Device } from './types.ts';

export interface ExternalDataFile {
  path: string;
  data: Uint8Array;
}

const OOM = /out of memory|\boom\b|failed to allocate|bad_alloc|allocation failed|memory access out of bounds|maximum buffer size|exceeds the max/i;
const DEVICE_LOST = /device (was |is )?lost|devicelost|gpu device.*(destroyed|lost)/i;

/** Turns an onnxruntime error into a named one, so callers can split a batch on OOM or recreate on device loss. */
export function classifyRunError(error: unknown, device: Device): Error {
  if (error instanceof RerankerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError || OOM.test(message)) {
    return new OutOfMemoryError(`${device} ran out of memory: ${message}`, { cause: error });
  }
  if (DEVICE_LOST.test(message)) return new DeviceLostError(`the GPU device was lost: ${message}`, { cause: error });
  return new RerankerError(`inference failed on ${device}: ${message}`, { cause: error });
}

/**
 * Test hook: called before every session.run with the run's number (per session) and shape; throwing from it looks
 * exactly like onnxruntime failing that run (the error is classified the same way). Tests inject out-of-memory and
 * device loss here instead of hoping for them.
 */
export const faultInjection: {
  beforeRun?: (run: { device: Device; runIndex: number; rows: number; sequenceLength: number }) => void;
} = {};

/**
 * What the sessions actually ran, summed over all of them: tensor cells (rows × width, padding included) and real
 * tokens. Batch records count a batch's cells as the queue planned it; on wasm a batch may run as several tensors
 * (see `planLengthGroups`), so this is where the executed padding is read (the benchmark does).
 */
export const executedCells = { runs: 0, cells: 0, tokens: 0 };

/** Switches for the benchmark's before/after rows; the defaults are what the measurements favour. */
export const sessionTuning = {
  /** Run a padded wasm batch as tensors of similar lengths when the cost model says that is cheaper. */
  wasmLengthGroups: true,
};

/**
 * A linear cost model of one session's runs, `ms ≈ overheadMs + msPerCell × cells`, fitted by least squares over its
 * recent runs. It decides whether a padded wasm batch is cheaper as one tensor or as several of similar lengths: on a
 * CPU every padded cell costs as much as a real one, but each extra run pays the fixed overhead.
 */
export class RunCostModel {
  private samples: [number, number][] = [];
  private seen = 0;

  constructor(private readonly window = 32, private readonly skipFirst = 2) {}

  add(cells: number, ms: number): void {
    if (this.seen++ < this.skipFirst) return; // the first runs of a session compile kernels and grow the heap
    this.samples.push([cells, ms]);
    if (this.samples.length > this.window) this.samples.shift();
  }

  /** `{ overheadMs, msPerCell }`, or null until runs of at least two clearly different sizes were seen. */
  fit(): { overheadMs: number; msPerCell: number } | null {
    const n = this.samples.length;
    if (n < 3) return null;
    const meanX = this.samples.reduce((a, [x]) => a + x, 0) / n;
    const meanY = this.samples.reduce((a, [, y]) => a + y, 0) / n;
    let sxx = 0;
    let sxy = 0;
    for (const [x, y] of this.samples) {
      sxx += (x - meanX) ** 2;
      sxy += (x - meanX) * (y - meanY);
    }
    const minX = Math.min(...this.samples.map(([x]) => x));
    const maxX = Math.max(...this.samples.map(([x]) => x));
    if (sxx === 0 || maxX < 2 * minX) return null;
    const msPerCell = sxy / sxx;
    if (!(msPerCell > 0)) return null;
    return { overheadMs: Math.max(0, meanY - msPerCell * meanX), msPerCell };
  }
}

/** Least predicted saving (share of the batch's time) for which a wasm batch is split by length. */
export const MIN_SPLIT_SAVING = 0.1;

/**
 * The cheapest way to run rows of these lengths under `cost`: rows sorted longest first and cut into consecutive
 * groups, each one tensor padded to its own longest row (dynamic programming over the cut points, O(n²)). Returns one
 * group holding every row, in input order, unless splitting is predicted to save at least `MIN_SPLIT_SAVING` of the
 * time (so batches of nearly equal rows, the batch-size sweep's, run as asked), or when there is no cost model yet.
 *
 * @example
 * planLengthGroups([500, 20, 480, 30], { overheadMs: 20, msPerCell: 0.5 }) // → [[0, 2], [3, 1]]
 * planLengthGroups([500, 20, 480, 30], null)                            // → [[0, 1, 2, 3]]
 */
export function planLengthGroups(lengths: readonly number[], cost: { overheadMs: number; msPerCell: number } | null): number[][] {
  const all = lengths.map((_, i) => i);
  if (!cost || lengths.length < 2) return [all];
  const order = [...all].sort((a, b) => lengths[b] - lengths[a] || a - b);
  const n = order.length;
  // best[j]: cheapest cost of running order[0..j); cut[j]: where its last group starts.
  const best = new Float64Array(n + 1).fill(Infinity);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    for (let i = 0; i < j; i++) {
      const ms = best[i] + cost.overheadMs + cost.msPerCell * (j - i) * lengths[order[i]];
      if (ms < best[j]) {
        best[j] = ms;
        cut[j] = i;
      }
    }
  }
  const whole = cost.overheadMs + cost.msPerCell * n * lengths[order[0]];
  if (cut[n] === 0 || best[n] > (1 - MIN_SPLIT_SAVING) * whole) return [all];
  const groups: number[][] = [];
  for (let j = n; j > 0; j = cut[j]) groups.unshift(order.slice(cut[j], j));
  return groups;
}

export class ModelSession {
  private queue: Promise<unknown> = Promise.resolve();
  private runs = 0;
  private lost: string | null = null;
  private readonly cost = new RunCostModel();

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly device: Device,
  ) {}

  static async create(model: Uint8Array, device: Device, externalData: ExternalDataFile[] = []): Promise<ModelSession> {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [device],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      ...(externalData.length > 0 ? { externalData } : {}),
    };
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model, options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/protobuf|parse|invalid model|load model|model_path|ModelProto|failed to load/i.test(message)) {
        throw new ModelLoadError(`the ONNX file could not be loaded (corrupt or truncated?): ${message}`, { cause: error });
      }
      throw classifyRunError(error, device);
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
    const created = new ModelSession(session, device);
    if (device === 'webgpu') created.watchDevice();
    return created;
  }

  /** Marks the session lost when onnxruntime's GPUDevice is lost, so the next run fails fast with DeviceLostError. */
  private watchDevice(): void {
    const pending = (ort.env.webgpu as { device?: unknown }).device;
    void Promise.resolve(pending).then((device) => {
      const lost = (device as { lost?: Promise<{ message?: string; reason?: string }> } | undefined)?.lost;
      void lost?.then((info) => {
        this.lost = info?.message || info?.reason || 'unknown reason';
      });
    }).catch(() => {});
  }

  /**
   * Runs rows right-padded with `padId` to the longest row. Calls are serialised: one session never runs two batches
   * at once. `exact`: run them as one tensor, as asked; otherwise wasm may run them in length groups (below).
   */
  run(rows: readonly (readonly number[])[], padId: number, { exact = false }: { exact?: boolean } = {}): Promise<number[]> {
    const result = this.queue.then(() => this.runNow(rows, padId, exact));
    this.queue = result.catch(() => {});
    return result;
  }

  private async runNow(rows: readonly (readonly number[])[], padId: number, exact: boolean): Promise<number[]> {
    const width = rows.reduce((m, r) => Math.max(m, r.length), 0);
    if (this.lost) throw new DeviceLostError(`the GPU device was lost: ${this.lost}`);
    try {
      faultInjection.beforeRun?.({ device: this.device, runIndex: this.runs++, rows: rows.length, sequenceLength: width });
    } catch (error) {
      throw classifyRunError(error, this.device);
    }
    // On wasm a padded cell costs as much as a real one (measured: scripts/bench, BENCHMARKS.md), so a batch of mixed
    // lengths runs as tensors of similar lengths when the fitted cost model says that is cheaper. A GPU computes the
    // padding in parallel: there the batch runs whole. So does an exact batch ('fixed' batching: the seed's "batch of
    // N", which the batch-size sweep measures).
    const groups = this.device === 'wasm' && !exact && sessionTuning.wasmLengthGroups
      ? planLengthGroups(rows.map((r) => r.length), this.cost.fit())
      : [rows.map((_, i) => i)];
    if (groups.length === 1) return this.runTensor(rows, padId);
    const logits = new Array<number>(rows.length);
    for (const group of groups) {
      const values = await this.runTensor(group.map((i) => rows[i]), padId);
      group.forEach((i, k) => {
        logits[i] = values[k];
      });
    }
    return logits;
  }

  private async runTensor(rows: readonly (readonly number[])[], padId: number): Promise<number[]> {
    const { ids, mask, width } = padRows(rows, padId);
    const feeds = {
      input_ids: new ort.Tensor('int64', ids, [rows.length, width]),
      attention_mask: new ort.Tensor('int64', mask, [rows.length, width]),
    };
    let output: ort.InferenceSession.OnnxValueMapType;
    const started = performance.now();
    try {
      output = await this.session.run(feeds);
    } catch (error) {
      throw classifyRunError(error, this.device);
    }
    this.cost.add(ids.length, performance.now() - started);
    executedCells.runs++;
    executedCells.cells += ids.length;
    executedCells.tokens += rows.reduce((n, r) => n + r.length, 0);
    const logits = output.logits;
    try {
      const data = logits.location === 'cpu' ? logits.data : await logits.getData();
      const values = floatTensorToNumbers(logits.type, data);
      if (values.length !== rows.length) {
        throw new ModelLoadError(`the model returned ${values.length} logits for ${rows.length} rows: expected one label`);
      }
      return values;
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
