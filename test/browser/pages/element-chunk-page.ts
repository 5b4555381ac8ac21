/**
 * `<bge-reranker long-documents="chunk">` on the demo model: the element ranks in its worker, the core in this page;
 * both rankings come back as plain data, with the window text each result names.
 *
 * @example
 * await page.evaluate(() => window.chunkThroughElement())
 * // → { element: [{ index: 2, score: 0.51, truncated: false, window: { start: 1190, end: 2304 } }, ...], core: [...], ... }
 */
import '../../../src/element.ts';
import type { BgeRerankerElement } from '../../../src/element.ts';
import { createReranker } from '../../../src/lib/index.ts';
import type { RerankResult } from '../../../src/lib/types.ts';

/** In Vite's dev server, files in public/ are served at the root. */
const DEMO = '/models/tiny-random-bge-reranker/';
const QUERY = 'capital of France';

const sentence = (i: number) => `Sentence ${i} talks about ${i % 7 === 3 ? 'the capital of France, Paris' : 'something else entirely'}.`;
const LONG = Array.from({ length: 120 }, (_, i) => sentence(i)).join(' ');
export const DOCUMENTS = ['Berlin is in Germany.', LONG, `${LONG} ${LONG}`];

export interface ChunkReport {
  documents: string[];
  /** `el.rerank()` with long-documents="chunk". */
  element: RerankResult[];
  /** The same call on the core in this page. */
  core: RerankResult[];
  /** The results of the `bge-reranker-ranked` event of the chunked call. */
  event: RerankResult[] | null;
  /** `el.rerank()` after long-documents went back to truncate. */
  truncated: RerankResult[];
}

async function chunkThroughElement(): Promise<ChunkReport> {
  const el = document.createElement('bge-reranker') as BgeRerankerElement;
  el.setAttribute('model', DEMO);
  el.setAttribute('device', 'wasm');
  el.setAttribute('dtype', 'fp32');
  el.setAttribute('long-documents', 'chunk');
  document.body.append(el);
  const events: RerankResult[][] = [];
  el.addEventListener('bge-reranker-ranked', (e) => events.push((e as CustomEvent<{ results: RerankResult[] }>).detail.results));
  try {
    const element = await el.rerank(QUERY, DOCUMENTS);
    const event = events[0] ?? null;
    const core = await createReranker({ model: { url: new URL(DEMO, location.href).href }, device: 'wasm', dtype: 'fp32', cache: false });
    let inPage: RerankResult[];
    try {
      inPage = await core.rerank(QUERY, DOCUMENTS, { longDocuments: 'chunk' });
    } finally {
      await core.dispose();
    }
    el.longDocuments = 'truncate';
    const truncated = await el.rerank(QUERY, DOCUMENTS);
    return { documents: DOCUMENTS, element, core: inPage, event, truncated };
  } finally {
    el.remove();
  }
}

declare global {
  interface Window {
    chunkThroughElement: typeof chunkThroughElement;
    elementChunkReady: boolean;
  }
}

window.chunkThroughElement = chunkThroughElement;
window.elementChunkReady = true;
