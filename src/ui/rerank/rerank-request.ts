/** What the input panel hands to the rerank and sweep panels. DOM-free. */
import type { BatchingMode } from '../../lib/types.ts';
import type { InputFormat } from './parse-input.ts';

export interface RerankRequest {
  query: string;
  documents: readonly string[];
  format: InputFormat;
  batchSize: number;
  batching: BatchingMode;
  maxBatchTokens: number;
  /** The sample the text came from, while unedited. */
  sample: string | null;
  /** Documents the sample marks as relevant (shown beside the ranking), while unedited. */
  relevant: readonly number[];
}

/**
 * The sweep's pairs: the query against the documents, cycled to `count` pairs, so a batch of 64 can be timed even
 * from the seed's 10 documents.
 *
 * @example
 * sweepPairs({ query: 'q', documents: ['a', 'b'] }, 3) // → [['q', 'a'], ['q', 'b'], ['q', 'a']]
 */
export function sweepPairs(request: Pick<RerankRequest, 'query' | 'documents'>, count: number): [string, string][] {
  if (request.documents.length === 0) return [];
  return Array.from({ length: count }, (_, i) => [request.query, request.documents[i % request.documents.length]]);
}
