/**
 * The one message protocol between the UI thread and the reranker worker. Every request carries an id; progress and
 * batch records are their own message kinds; errors cross as { name, message, stack } and are re-thrown on the other
 * side as the same named class. Large arrays move as transferables.
 */
import type { BatchRecord, LoadProgress, RerankerInfo, RerankerOptions, RerankOptions, ScoreOptions } from '../lib/types.ts';
import type { MemoryUsage } from '../lib/memory.ts';

/** Options that can be cloned: callbacks and signals stay on the caller's side and are bridged by messages. */
export type LoadOptions = Omit<RerankerOptions, 'progress' | 'signal'>;
export type WireScoreOptions = Omit<ScoreOptions, 'signal' | 'onBatch'> & { reportBatches: boolean };
export type WireRerankOptions = Omit<RerankOptions, 'signal' | 'onBatch' | 'returnDocuments'> & { reportBatches: boolean };

export type Request =
  | { type: 'load'; id: number; options: LoadOptions }
  | { type: 'rerank'; id: number; query: string; documents: readonly string[]; options: WireRerankOptions }
  | { type: 'score'; id: number; pairs: readonly (readonly [string, string])[]; options: WireScoreOptions }
  | { type: 'memory'; id: number }
  | { type: 'dispose'; id: number }
  /** Cancels the request `target`; answered by that request's own error. */
  | { type: 'abort'; id: number; target: number };

/** A request before the client numbers it (distributes over the union). */
export type RequestBody = Exclude<Request, { type: 'abort' }> extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** Rerank results as columns: small to clone, and documents never travel back (the caller has them). */
export interface RerankColumns {
  indices: Int32Array;
  scores: Float64Array;
  truncated: Uint8Array;
  /** With `longDocuments: 'chunk'`: each result's scored window as start, end pairs (`RerankResult.window`); else null. */
  windows: Int32Array | null;
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type Response =
  | { type: 'progress'; id: number; event: LoadProgress }
  | { type: 'batch'; id: number; record: BatchRecord }
  /** The loaded reranker's info changed (e.g. wasm after a lost GPU device); `id` is the load request's. */
  | { type: 'info'; id: number; info: RerankerInfo }
  | { type: 'loaded'; id: number; info: RerankerInfo }
  | { type: 'reranked'; id: number; columns: RerankColumns }
  | { type: 'scored'; id: number; scores: Float64Array }
  | { type: 'memory'; id: number; usage: MemoryUsage }
  | { type: 'disposed'; id: number }
  | { type: 'error'; id: number; error: SerializedError };

/** The reply that completes each request: the client waits for exactly this type (or an error). */
export interface ReplyTypes {
  load: 'loaded';
  rerank: 'reranked';
  score: 'scored';
  memory: 'memory';
  dispose: 'disposed';
}

export type ReplyTo<R extends RequestBody['type']> = Extract<Response, { type: ReplyTypes[R] }>;

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
