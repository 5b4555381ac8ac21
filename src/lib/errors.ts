/**
 * Named errors: each keeps its `name` across the worker boundary, so callers can branch on it
 * (`err.name === 'InputError'`) wherever the reranker runs.
 */
export class RerankerError extends Error {
  // Names are literals, not `new.target.name`: minified bundles rename classes, and the name is what crosses the
  // worker boundary and what callers compare.
  override name = 'RerankerError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The caller's input is unusable: empty query, no documents, a non-string, an option out of range. */
export class InputError extends RerankerError {
  override name = 'InputError';
}

/** A model file is missing, corrupt, or does not fit the others (tokenizer vs. model vocabulary). */
export class ModelLoadError extends RerankerError {
  override name = 'ModelLoadError';
  /** The path of the file that does not exist at the source, when that is the failure (a 404, a file not picked). */
  readonly missingFile?: string;

  constructor(message: string, options?: { cause?: unknown; missingFile?: string }) {
    super(message, options);
    if (options?.missingFile) this.missingFile = options.missingFile;
  }
}

/**
 * A downloaded file is not the file the server described: its size differs from `Content-Length` / `X-Linked-Size`,
 * or its SHA-256 from the hub's (`X-Linked-Etag` / `ETag`). Nothing of it stays cached.
 */
export class IntegrityError extends ModelLoadError {
  override name = 'IntegrityError';
}

/** The browser's storage quota cannot hold a download: raised before any byte of it is fetched. */
export class StorageQuotaError extends RerankerError {
  override name = 'StorageQuotaError';
}

/** The device ran out of memory (GPU buffer or wasm heap) for a batch. */
export class OutOfMemoryError extends RerankerError {
  override name = 'OutOfMemoryError';
}

/** The GPU device was lost mid-run. */
export class DeviceLostError extends RerankerError {
  override name = 'DeviceLostError';
}

/** The operation was cancelled through its AbortSignal. */
export class AbortError extends RerankerError {
  override name = 'AbortError';
}

/** The reranker was used after dispose(). */
export class DisposedError extends RerankerError {
  override name = 'DisposedError';
}

export const ERROR_CLASSES = {
  RerankerError,
  InputError,
  ModelLoadError,
  IntegrityError,
  StorageQuotaError,
  OutOfMemoryError,
  DeviceLostError,
  AbortError,
  DisposedError,
} as const;

export type RerankerErrorName = keyof typeof ERROR_CLASSES;

/** Internal (not exported by the entries): throws AbortError when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortError(`${what} was aborted`, { cause: signal.reason });
}
