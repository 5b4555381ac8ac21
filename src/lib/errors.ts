/**
 * Named errors: each keeps its `name` across the worker boundary, so callers can branch on it
 * (`err.name === 'InputError'`) wherever the reranker runs.
 */
export class RerankerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller's input is unusable: empty query, no documents, a non-string, an option out of range. */
export class InputError extends RerankerError {}

/** A model file is missing, corrupt, or does not fit the others (tokenizer vs. model vocabulary). */
export class ModelLoadError extends RerankerError {}

/** The requested backend or dtype cannot run here (no WebGPU adapter, no shader-f16, ...). */
export class BackendUnavailableError extends RerankerError {}

/** The device ran out of memory (GPU buffer or wasm heap) for a batch. */
export class OutOfMemoryError extends RerankerError {}

/** The GPU device was lost mid-run. */
export class DeviceLostError extends RerankerError {}

/** The operation was cancelled through its AbortSignal. */
export class AbortError extends RerankerError {}

/** The reranker was used after dispose(). */
export class DisposedError extends RerankerError {}

export const ERROR_CLASSES = {
  RerankerError,
  InputError,
  ModelLoadError,
  BackendUnavailableError,
  OutOfMemoryError,
  DeviceLostError,
  AbortError,
  DisposedError,
} as const;

export type RerankerErrorName = keyof typeof ERROR_CLASSES;

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortError(`${what} was aborted`, { cause: signal.reason });
}
