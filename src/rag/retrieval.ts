/**
 * The RAG example's first stage: BM25 over the knowledge base with MiniSearch, then the reranker on the top N. DOM-free,
 * so the wiring is tested in Node with the demo model.
 */
import MiniSearch from 'minisearch';
import type { RerankResult, Reranker, BatchRecord } from '../lib/types.ts';
import type { Passage } from '../samples/knowledge-base.ts';

/** Han, kana and hangul runs have no spaces: index them as overlapping character bigrams (and single characters). */
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

/**
 * Words for Latin, Cyrillic, ... text; character unigrams and bigrams for CJK.
 *
 * @example
 * tokenizeForSearch('Green tea 绿茶温度') // → ['green', 'tea', '绿', '茶', '温', '度', '绿茶', '茶温', '温度']
 */
export function tokenizeForSearch(text: string): string[] {
  const lower = text.toLowerCase();
  const tokens = lower.replace(CJK_RUN, ' ').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  for (const [run] of lower.matchAll(CJK_RUN)) {
    const chars = [...run];
    tokens.push(...chars);
    for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i] + chars[i + 1]);
  }
  return tokens;
}

export interface RetrievedPassage {
  passage: Passage;
  /** 0-based rank in the BM25 results. */
  bm25Rank: number;
  bm25Score: number;
}

export class PassageIndex {
  private readonly search: MiniSearch<Passage>;
  private readonly byId: Map<number, Passage>;

  constructor(passages: readonly Passage[]) {
    this.byId = new Map(passages.map((p) => [p.id, p]));
    this.search = new MiniSearch<Passage>({ fields: ['text'], idField: 'id', tokenize: tokenizeForSearch });
    this.search.addAll([...passages]);
  }

  /** The best `limit` passages by BM25 (MiniSearch's BM25+), with any query term matching. */
  retrieve(query: string, limit: number): RetrievedPassage[] {
    return this.search
      .search(query, { combineWith: 'OR' })
      .slice(0, limit)
      .map((hit, bm25Rank) => ({ passage: this.byId.get(hit.id as number)!, bm25Rank, bm25Score: hit.score }));
  }
}

export interface RagAnswer {
  retrieved: RetrievedPassage[];
  /** The top `topK` after reranking, best first, each with its BM25 rank. */
  top: (RetrievedPassage & { score: number; truncated: boolean })[];
  retrieveMs: number;
  rerankMs: number;
  batches: BatchRecord[];
}

export interface RagOptions {
  /** Candidates from the first stage (the seed's case: 50). */
  candidates?: number;
  /** Passages kept after reranking (the seed's case: 5). */
  topK?: number;
  batchSize?: number;
  signal?: AbortSignal;
  onBatch?: (record: BatchRecord) => void;
}

/**
 * Retrieve, then rerank: the seed's knowledge-base case (top 50 by BM25 → top 5 by the cross-encoder).
 *
 * @example
 * await retrieveAndRerank(index, reranker, 'green tea temperature')
 * // → { retrieved: [50 passages], top: [{ passage, bm25Rank: 7, score: 0.93, ... }, ...5], retrieveMs: 1.2, rerankMs: 680, batches: [...] }
 */
export async function retrieveAndRerank(index: PassageIndex, reranker: Reranker, query: string, options: RagOptions = {}): Promise<RagAnswer> {
  const { candidates = 50, topK = 5, batchSize, signal, onBatch } = options;
  const t0 = performance.now();
  const retrieved = index.retrieve(query, candidates);
  const retrieveMs = performance.now() - t0;
  const batches: BatchRecord[] = [];
  if (retrieved.length === 0) return { retrieved, top: [], retrieveMs, rerankMs: 0, batches };
  const t1 = performance.now();
  const ranked: RerankResult[] = await reranker.rerank(query, retrieved.map((r) => r.passage.text), {
    topK,
    batchSize,
    signal,
    onBatch: (record) => {
      batches.push(record);
      onBatch?.(record);
    },
  });
  const rerankMs = performance.now() - t1;
  return {
    retrieved,
    top: ranked.map((r) => ({ ...retrieved[r.index], score: r.score, truncated: r.truncated })),
    retrieveMs,
    rerankMs,
    batches,
  };
}
