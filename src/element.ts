/**
 * The standalone web component: `import 'bge-reranker-web/element'` registers `<bge-reranker>`.
 *
 * @example
 * <bge-reranker model="models/bge-reranker-v2-m3/" query="capital of France" timing></bge-reranker>
 * <script type="module">
 *   import 'bge-reranker-web/element';
 *   const el = document.querySelector('bge-reranker');
 *   el.documents = ['Berlin is in Germany.', 'Paris is the capital of France.'];
 *   await el.rerank(); // → [{ index: 1, score: 0.98, truncated: false }, { index: 0, score: 0.01, truncated: false }]
 * </script>
 */
import { BgeRerankerElement as Implementation } from './ui/element/bge-reranker-element.ts';
import { modelSourceFromAttribute, type RankedDetail } from './ui/element/bge-reranker-api.ts';
import type { DeviceRequest, DtypeRequest, RerankResult, RerankerInfo } from './lib/types.ts';

/**
 * What `<bge-reranker>` offers, as plain DOM types: the package's declarations need no Lit. Attributes: `model`,
 * `remote-host`, `dtype`, `device`, `max-length`, `batch-size`, `top-k`, `long-documents`, `query`, `timing`.
 *
 * Events: `bge-reranker-progress` (a LoadProgress), `bge-reranker-ready` (the RerankerInfo), `bge-reranker-ranked`
 * (a RankedDetail), `bge-reranker-error` (`{ error }`).
 */
export interface BgeRerankerElement extends HTMLElement {
  /** Hub id (`onnx-community/bge-reranker-v2-m3-ONNX`) or the URL of a model folder, relative to the page. */
  model: string;
  /** A hub mirror for hub ids (`{remoteHost}{id}/resolve/main/…`, attribute `remote-host`); unset: huggingface.co. */
  remoteHost: string | undefined;
  dtype: DtypeRequest;
  device: DeviceRequest;
  maxLength: number;
  batchSize: number;
  topK: number | undefined;
  /** `chunk`: long documents are scored by their best window (each result's `window`); default `truncate`. */
  longDocuments: 'truncate' | 'chunk';
  query: string;
  documents: readonly string[];
  /** Show the per-batch timing table and chart under the ranking. */
  timing: boolean;
  /** Loads the model (once per model setting) in the worker; resolves with what loaded. */
  load(): Promise<{ readonly info: RerankerInfo }>;
  /** Ranks `documents` against `query` (or the properties), shows and returns the results. */
  rerank(query?: string, documents?: readonly string[]): Promise<RerankResult[]>;
}

export const BgeRerankerElement: { new (): BgeRerankerElement; prototype: BgeRerankerElement } = Implementation;
export { modelSourceFromAttribute, type RankedDetail };

declare global {
  interface HTMLElementTagNameMap {
    'bge-reranker': BgeRerankerElement;
  }
}
