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
 * Per-session hooks, given when the reranker is created (`createReranker`'s internal second argument): tests inject
 * out-of-memory and device loss with `beforeRun` instead of hoping for them. Throwing from it looks exactly like
 * onnxruntime failing that run (the error is classified the same way).
 */
export interface SessionHooks {
  /** Called before every session.run with the run's number (per session, the warm-up is 0) and shape. */
  beforeRun?: (run: { device: Device; runIndex: number; rows: number; sequenceLength: number }) => void;
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
  ) {}

  static async create(model: Uint8Array, device: Device, externalData: ExternalDataFile[] = [],
    hooks: SessionHooks = {}): Promise<ModelSession> {
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
    const created = new ModelSession(session, device, hooks);
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
   * (batching.ts). Calls are serialised: one session never runs two batches at once.
   */
  run(rows: readonly (readonly number[])[], padId: number): Promise<number[]> {
    const result = this.queue.then(() => this.runNow(rows, padId));
    this.queue = result.catch(() => {});
    return result;
  }

  private async runNow(rows: readonly (readonly number[])[], padId: number): Promise<number[]> {
    if (this.lost) throw new DeviceLostError(`the GPU device was lost: ${this.lost}`);
    const { ids, mask, width } = padRows(rows, padId);
    try {
      this.hooks.beforeRun?.({ device: this.device, runIndex: this.runs++, rows: rows.length, sequenceLength: width });
    } catch (error) {
      throw classifyRunError(error, this.device);
    }
    const feeds = {
      input_ids: new ort.Tensor('int64', ids, [rows.length, width]),
      attention_mask: new ort.Tensor('int64', mask, [rows.length, width]),
    };
    let output: ort.InferenceSession.OnnxValueMapType;
    try {
      output = await this.session.run(feeds);
    } catch (error) {
      const classified = classifyRunError(error, this.device);
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
