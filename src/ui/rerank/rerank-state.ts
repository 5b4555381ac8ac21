/**
 * What the results panel may do and what its results still mean, as pure functions (tested in Node): why Rerank
 * cannot run on this input (said in the user's terms, before a run, including the library's limits), and whether
 * results on screen were made from another model or input than the one now loaded and typed.
 */
import { MAX_BATCH_SIZE } from '../../lib/runtime/reranker.ts';
import { DEFAULT_LIMITS, type Limits } from '../../lib/validate.ts';
import type { RerankRequest } from './rerank-request.ts';

/** Largest token budget per batch the core accepts (`maxBatchTokens`). */
const MAX_BATCH_TOKENS = 1 << 24;

const count = (n: number): string => n.toLocaleString('en-US');

/** Characters one rerank reads: the query and every document (what the core's character limit counts). */
export function inputCharacters(request: Pick<RerankRequest, 'query' | 'documents'>): number {
  return request.documents.reduce((n, d) => n + d.length, request.query.length);
}

/**
 * Why this input cannot be reranked, or null when it can. `limits` are the loaded reranker's caps per call (the
 * library's defaults unless the app set others).
 *
 * @example
 * rerankInputProblem({ ...request, query: '' })                           // → 'Type a query: each document is scored against it.'
 * rerankInputProblem({ ...request, documents: Array(1001).fill('x') })
 * // → '1,001 documents: one rerank takes at most 1,000. Remove 1, or rerank them in parts.'
 */
export function rerankInputProblem(request: RerankRequest | null, limits: Limits = DEFAULT_LIMITS): string | null {
  if (!request || request.query.trim() === '') return 'Type a query: each document is scored against it.';
  const documents = request.documents.length;
  if (documents === 0) return 'Add at least one document (one per line).';
  if (documents > limits.maxDocuments) {
    return `${count(documents)} documents: one rerank takes at most ${count(limits.maxDocuments)}. ` +
      `Remove ${count(documents - limits.maxDocuments)}, or rerank them in parts.`;
  }
  const characters = inputCharacters(request);
  if (characters > limits.maxTotalCharacters) {
    return `${count(characters)} characters: one rerank reads at most ${count(limits.maxTotalCharacters)} (query and ` +
      'documents together). Shorten the documents, or rerank them in parts.';
  }
  if (!Number.isInteger(request.batchSize) || request.batchSize < 1 || request.batchSize > MAX_BATCH_SIZE) {
    return `Batch size: a whole number from 1 to ${count(MAX_BATCH_SIZE)}.`;
  }
  if (request.batching === 'tokens' && (!Number.isInteger(request.maxBatchTokens) || request.maxBatchTokens < 1 ||
    request.maxBatchTokens > MAX_BATCH_TOKENS)) {
    return `Max batch tokens: a whole number from 1 to ${count(MAX_BATCH_TOKENS)}.`;
  }
  return null;
}

/** The limits as one hint line, shown before anyone hits them. */
export function describeLimits(limits: Limits = DEFAULT_LIMITS): string {
  return `Up to ${count(limits.maxDocuments)} documents and ${count(limits.maxTotalCharacters)} characters per rerank.`;
}

/** The model and input a run used, or those on screen now. */
export interface RunInputs<Model> {
  reranker: Model | null;
  request: Pick<RerankRequest, 'query' | 'documents'> | null;
}

const sameTexts = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * Why results made with `ran` no longer answer what is on screen (`now`), or null while they still do. Only what
 * changes the ranking counts: the model, the query, the documents (not the batch settings, which change the timing).
 *
 * @example
 * staleReason({ reranker: a, request: { query: 'q', documents: ['x'] } }, { reranker: b, request: { query: 'q', documents: ['x'] } })
 * // → 'another model is loaded'
 * staleReason({ reranker: a, request: { query: 'q', documents: ['x'] } }, { reranker: a, request: { query: 'q?', documents: ['y'] } })
 * // → 'the query and the documents changed'
 */
export function staleReason<Model>(ran: RunInputs<Model>, now: RunInputs<Model>): string | null {
  if (ran.reranker !== now.reranker) return now.reranker ? 'another model is loaded' : 'the model is no longer loaded';
  const changed = [
    ran.request?.query !== now.request?.query ? 'the query' : null,
    !sameTexts(ran.request?.documents ?? [], now.request?.documents ?? []) ? 'the documents' : null,
  ].filter((what) => what !== null);
  return changed.length ? `${changed.join(' and ')} changed` : null;
}
