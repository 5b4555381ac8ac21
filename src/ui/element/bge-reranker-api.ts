/** The parts of `<bge-reranker>`'s API that need no Lit, so the package's declarations stay free of it. */
import type { BatchRecord, ModelSource, RerankResult } from '../../lib/types.ts';
import { isHubId } from '../../lib/files/model-source.ts';

/**
 * A hub id (the core's `isHubId`: `owner/name`) goes to the hub; anything else is a URL, resolved against the page
 * (the worker has another base).
 *
 * @example
 * modelSourceFromAttribute('models/tiny', 'https://example.org/demo/') // → { url: 'https://example.org/demo/models/tiny' }
 * modelSourceFromAttribute('onnx-community/bge-reranker-v2-m3-ONNX', 'https://example.org/') // → 'onnx-community/bge-reranker-v2-m3-ONNX'
 */
export function modelSourceFromAttribute(model: string, baseURI: string): ModelSource {
  return isHubId(model) ? model : { url: new URL(model, baseURI).href };
}

/** `detail` of the `bge-reranker-ranked` event. */
export interface RankedDetail {
  query: string;
  results: RerankResult[];
  batches: BatchRecord[];
  wallMs: number;
}
