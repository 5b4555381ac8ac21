/**
 * The RAG example's pipeline wiring (the model's quality is not under test: the demo model has random weights):
 * BM25 retrieval feeds the reranker, the top 5 come from the retrieved candidates, carry the reranker's own scores for
 * those passages, and keep their BM25 ranks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReranker, type Reranker } from '../../src/lib/index.ts';
import { RAG_50 } from '../../src/samples/rag-50.ts';
import { KNOWLEDGE_BASE } from '../../src/samples/knowledge-base.ts';
import { PassageIndex, retrieveAndRerank, tokenizeForSearch } from '../../src/rag/retrieval.ts';
import { demoFiles } from '../helpers/models.ts';

describe('first-stage retrieval', () => {
  const index = new PassageIndex(KNOWLEDGE_BASE);

  it('tokenizes words and CJK characters and bigrams', () => {
    expect(tokenizeForSearch('Green tea 绿茶温度')).toEqual(['green', 'tea', '绿', '茶', '温', '度', '绿茶', '茶温', '温度']);
    expect(tokenizeForSearch('Im Deutschen, bitte!')).toEqual(['im', 'deutschen', 'bitte']);
  });

  it('ranks the passages that share the question\'s words first, and caps the candidates', () => {
    const hits = index.retrieve(RAG_50.query, 50);
    expect(hits).toHaveLength(50);
    expect(hits.map((h) => h.bm25Rank)).toEqual(hits.map((_, i) => i));
    const scores = hits.map((h) => h.bm25Score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // Every candidate shares a term with the question (BM25 cannot see meaning across languages: the tea case's
    // Chinese and Japanese answers share no word with the English question, which is the reranker's job).
    const terms = new Set(tokenizeForSearch(RAG_50.query));
    for (const h of hits) expect(tokenizeForSearch(h.passage.text).some((t) => terms.has(t)), h.passage.text).toBe(true);
    const ids = new Set(hits.map((h) => h.passage.id));
    expect(RAG_50.relevant.filter((i) => ids.has(i)).length).toBeGreaterThan(0);
  });

  it('finds Chinese passages for a Chinese question', () => {
    const hits = index.retrieve('阿里巴巴集团是哪一年成立的?', 5);
    expect(hits[0].passage.text).toMatch(/阿里巴巴/);
  });

  it('returns nothing for a question that shares no word with the corpus', () => {
    expect(index.retrieve('zzqx wvvk', 50)).toEqual([]);
  });
});

describe('retrieve, then rerank (demo model, wasm)', () => {
  let reranker: Reranker;
  const index = new PassageIndex(KNOWLEDGE_BASE);

  beforeAll(async () => {
    reranker = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32' });
  });
  afterAll(() => reranker?.dispose());

  it('reranks the 50 retrieved passages and keeps the best 5 with their BM25 ranks and timings', async () => {
    const answer = await retrieveAndRerank(index, reranker, RAG_50.query, { candidates: 50, topK: 5, batchSize: 16 });
    expect(answer.retrieved).toHaveLength(50);
    expect(answer.top).toHaveLength(5);
    expect(answer.batches.reduce((n, b) => n + b.ownPairs, 0)).toBe(50);
    expect(answer.retrieveMs).toBeGreaterThanOrEqual(0);
    expect(answer.rerankMs).toBeGreaterThan(0);

    // The reranker's own scores over all 50 candidates, computed independently: the top 5 are exactly its best 5.
    const all = await reranker.score(answer.retrieved.map((r) => [RAG_50.query, r.passage.text] as [string, string]));
    const best = all.map((score, i) => ({ score, i })).sort((a, b) => b.score - a.score).slice(0, 5);
    expect(answer.top.map((t) => t.bm25Rank)).toEqual(best.map((b) => b.i));
    answer.top.forEach((t, k) => {
      expect(t.score).toBeCloseTo(best[k].score, 5);
      expect(t.passage).toBe(answer.retrieved[t.bm25Rank].passage);
    });
  });

  it('skips the reranker when retrieval finds nothing', async () => {
    const answer = await retrieveAndRerank(index, reranker, 'zzqx wvvk');
    expect(answer).toMatchObject({ retrieved: [], top: [], batches: [] });
  });
});
