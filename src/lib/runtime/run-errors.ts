/**
 * The one place that reads onnxruntime, wasm and WebGPU error messages: a table of patterns, first match wins, and a
 * function that turns a raw error into the library's named error. Nothing else in the library matches error text.
 */
import { DeviceLostError, ModelLoadError, OutOfMemoryError, RerankerError } from '../errors.ts';
import type { Device } from '../types.ts';

/**
 * - `unreadable-model`: the ONNX file could not be parsed (truncated, corrupt, not ONNX).
 * - `index-out-of-range`: a Gather got an index past its table (onnxruntime's CPU/wasm kernel; WebGPU's clamps
 *   silently). On a word-embedding table, a token id past the model's vocabulary.
 * - `device-lost`: the GPU device is gone.
 * - `out-of-memory`: an allocation failed, or the wasm heap could not grow (a trap out of bounds of wasm memory).
 */
export type ErrorKind = 'unreadable-model' | 'index-out-of-range' | 'device-lost' | 'out-of-memory' | 'unknown';

/** `create`: building a session from the file; `run`: a session.run. */
export type ErrorPhase = 'create' | 'run';

interface ErrorPattern {
  readonly kind: Exclude<ErrorKind, 'unknown'>;
  /** Matched against `${error.name}: ${error.message}`. */
  readonly pattern: RegExp;
  /** Only in this phase (absent: both). */
  readonly phase?: ErrorPhase;
  /** Where the message comes from. */
  readonly source: string;
}

/**
 * First match wins, so the precise patterns come first. Gather's "indices element out of data bounds" and the wasm
 * trap "memory access out of bounds" both say "out of bounds": neither pattern matches the other's message.
 */
export const ERROR_PATTERNS: readonly ErrorPattern[] = Object.freeze([
  {
    kind: 'unreadable-model', phase: 'create', pattern: /protobuf|parse|invalid model|load model|model_path|ModelProto|failed to load/i,
    source: 'onnxruntime InferenceSession.create on a file that is not a valid model',
  },
  {
    kind: 'index-out-of-range', pattern: /indices element out of data bounds, idx=-?\d+ must be within the inclusive range/,
    source: "onnxruntime's Gather kernel (core/providers/cpu/tensor/gather.cc)",
  },
  {
    kind: 'device-lost', pattern: /device (was |is )?lost|devicelost|gpu device.*(destroyed|lost)/i,
    source: "WebGPU's GPUDevice.lost and Dawn's errors after it",
  },
  {
    kind: 'out-of-memory', pattern: /memory access out of bounds/i,
    source: 'a wasm trap (V8 RuntimeError): onnxruntime touched memory past the heap it could not grow',
  },
  {
    kind: 'out-of-memory', pattern: /^RangeError: (?!Maximum call stack)/,
    source: 'V8: an ArrayBuffer or WebAssembly.Memory that could not be allocated (not a stack overflow)',
  },
  {
    kind: 'out-of-memory', pattern: /out of memory|\boom\b|failed to allocate|bad_alloc|allocation failed|maximum buffer size|exceeds the max/i,
    source: "onnxruntime's allocators (bad_alloc, BFCArena), emscripten's Aborted(OOM), Dawn's buffer size limits, " +
      'WebGPU device error(2): Out of memory',
  },
]);

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * What kind of failure an error is, from its name and message.
 *
 * @example
 * errorKind(new Error('... Status Message: indices element out of data bounds, idx=4999 must be within the inclusive range [-2005,2004]'), 'run')
 * // → 'index-out-of-range'
 * errorKind(Object.assign(new Error('memory access out of bounds'), { name: 'RuntimeError' }), 'run') // → 'out-of-memory'
 */
export function errorKind(error: unknown, phase: ErrorPhase): ErrorKind {
  const text = describe(error);
  const match = ERROR_PATTERNS.find((p) => (p.phase === undefined || p.phase === phase) && p.pattern.test(text));
  return match?.kind ?? 'unknown';
}

/**
 * The library's named error for a raw one: OutOfMemoryError (callers split the batch), DeviceLostError (callers
 * recreate the session), ModelLoadError for an unreadable file, else RerankerError. Named errors pass through.
 */
export function namedError(error: unknown, device: Device, phase: ErrorPhase): Error {
  if (error instanceof RerankerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  switch (errorKind(error, phase)) {
    case 'unreadable-model':
      return new ModelLoadError(`the ONNX file could not be loaded (corrupt or truncated?): ${message}`, { cause: error });
    case 'out-of-memory':
      return new OutOfMemoryError(`${device} ran out of memory: ${message}`, { cause: error });
    case 'device-lost':
      return new DeviceLostError(`the GPU device was lost: ${message}`, { cause: error });
    default:
      return new RerankerError(`${phase === 'create' ? 'onnxruntime' : 'inference'} failed on ${device}: ${message}`,
        { cause: error });
  }
}

/**
 * The index and table size of a Gather that got an index past its table, from the error or any of its causes; null
 * for any other error.
 *
 * @example
 * gatherOutOfRange(new Error('indices element out of data bounds, idx=4999 must be within the inclusive range [-2005,2004]'))
 * // → { index: 4999, size: 2005 }
 */
export function gatherOutOfRange(error: unknown): { index: number; size: number } | null {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const found = /indices element out of data bounds, idx=(-?\d+) must be within the inclusive range \[-?\d+,\s*(-?\d+)\]/
      .exec(describe(e));
    if (found) return { index: Number(found[1]), size: Number(found[2]) + 1 };
    if (!(e instanceof Error)) break;
  }
  return null;
}
