/**
 * The one message protocol between a reranker client and the worker that runs the core. One table, {@link Calls},
 * declares each request kind with its reply; every message type derives from it. A request carries an id; its reply
 * has the request's type and id; progress, batch records and info changes are events of their own; errors cross as
 * { name, message, stack } and are re-thrown on the other side as the same named class. Large arrays are transferred.
 */
import type { BatchRecord, LoadProgress, RerankerInfo, RerankerOptions, RerankOptions, ScoreOptions } from '../lib/types.ts';
import type { MemoryUsage } from '../lib/runtime/memory.ts';
import type { TokenRow } from '../lib/batching/padding.ts';
import type { ModelConfig } from '../lib/files/model-config.ts';
import type { WasmSettings } from '../lib/runtime/wasm-settings.ts';
import { ERROR_CLASSES } from '../lib/errors.ts';

/** Options that can be cloned: callbacks and signals stay on the caller's side and are bridged by messages. */
export type LoadOptions = Omit<RerankerOptions, 'progress' | 'signal'>;
export type WireScoreOptions = Omit<ScoreOptions, 'signal' | 'onBatch'> & { reportBatches: boolean };
export type WireRerankOptions = Omit<RerankOptions, 'signal' | 'onBatch' | 'returnDocuments'> & { reportBatches: boolean };

/** Rerank results as columns: small to clone, and documents never travel back (the caller has them). */
export interface RerankColumns {
  indices: Int32Array;
  scores: Float64Array;
  truncated: Uint8Array;
  /** With `longDocuments: 'chunk'`: each result's scored window as start, end pairs (`RerankResult.window`); else null. */
  windows: Int32Array | null;
}

/** Each request kind: what the request carries besides `type` and `id`, and what its reply carries. */
export interface Calls {
  load: { request: { options: LoadOptions }; reply: { info: RerankerInfo } };
  rerank: {
    request: { query: string; documents: readonly string[]; options: WireRerankOptions };
    reply: { columns: RerankColumns };
  };
  score: { request: { pairs: readonly (readonly [string, string])[]; options: WireScoreOptions }; reply: { scores: Float64Array } };
  memory: { request: object; reply: { usage: MemoryUsage } };
  /** The self-check's wasm reference, asked of a worker started for it alone (reference-worker.ts). */
  reference: { request: { job: WireReferenceJob; wasm: WasmSettings }; reply: { logits: number[] } };
  dispose: { request: object; reply: object };
}

export type CallType = keyof Calls;

/** A self-check reference job with the model's files as the Blobs they are read from (not their bytes). */
export interface WireReferenceJob {
  graph: Blob;
  external: { path: string; blob: Blob }[];
  config: ModelConfig;
  rows: TokenRow[];
  padId: number;
}

/** The request of one kind (a union of every kind's for the default). */
export type CallRequest<T extends CallType = CallType> = { [K in T]: { type: K; id: number } & Calls[K]['request'] }[T];

/** The reply that completes a request of one kind: the request's type and id. */
export type CallReply<T extends CallType = CallType> = { [K in T]: { type: K; id: number; reply: Calls[K]['reply'] } }[T];

/** Cancels the request `target`; answered by that request's own error. */
export interface AbortRequest {
  type: 'abort';
  id: number;
  target: number;
}

export type Request = CallRequest | AbortRequest;

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

/** What the worker sends while a request runs, keyed by that request's id. */
export type WorkerEvent =
  | { type: 'progress'; id: number; event: LoadProgress }
  | { type: 'batch'; id: number; record: BatchRecord }
  /** The loaded reranker's info changed (e.g. wasm after a lost GPU device); `id` is the load request's. */
  | { type: 'info'; id: number; info: RerankerInfo };

/** Ends a request instead of its reply. */
export interface ErrorResponse {
  type: 'error';
  id: number;
  error: SerializedError;
}

export type Response = CallReply | WorkerEvent | ErrorResponse;

/** The part of Worker / MessagePort / DedicatedWorkerGlobalScope both sides need. */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

/** Re-creates an error from the other side as the same named class on this side. */
export function deserializeError(e: SerializedError): Error {
  const Named = ERROR_CLASSES[e.name as keyof typeof ERROR_CLASSES];
  const error: Error = Named ? new Named(e.message) : Object.assign(new Error(e.message), { name: e.name });
  if (e.stack) error.stack = e.stack;
  return error;
}

/** Whether a response is a request's reply (not an event, not an error). */
export function isReply(response: Response): response is CallReply {
  return 'reply' in response;
}
