/** The sample inputs the input panel offers. DOM-free. */
import { SEED_PAIRS } from '../samples/seed-pairs.ts';
import { RAG_50 } from '../samples/rag-50.ts';

export interface Sample {
  id: string;
  label: string;
  /** Says exactly what was picked, shown under the picker. */
  description: string;
  query: string;
  documents: readonly string[];
  relevant: readonly number[];
}

const seedQueries = [...new Set(SEED_PAIRS.map(([q]) => q))];
const seedDocuments = SEED_PAIRS.map(([, d]) => d);

/** The seed's 10 pairs hold 5 queries × 2 documents; as a rerank input, one query against all 10 documents. */
const seedSamples: Sample[] = seedQueries.map((query, q) => {
  const own = SEED_PAIRS.flatMap(([pq], i) => (pq === query ? [i] : []));
  return {
    id: `seed-${q + 1}`,
    label: `Seed article, query ${q + 1} of ${seedQueries.length}: ${query}`,
    description: `The seed article's 10 pairs (5 queries × 2 documents), as one query against all 10 documents: query ${q + 1} of ` +
      `${seedQueries.length}. The article pairs it with documents ${own.join(' and ')} ` +
      (q === 0 ? '(both give a founding year, so both are relevant)' : '(the first relevant, the second off-topic)') +
      '; the other 8 documents answer other questions.',
    query,
    documents: seedDocuments,
    // The first query's two documents both answer it (Tencent 1998, Alibaba 1999); the others have one on-topic document.
    relevant: q === 0 ? own : own.slice(0, 1),
  };
});

const ragSample: Sample = {
  id: 'rag-50',
  label: 'RAG case: 1 query, 50 retrieved documents',
  description: 'The seed\'s knowledge-base case: 50 retrieved documents about tea in six languages, of mixed lengths ' +
    `(one is longer than 512 tokens), reranked to find the ${RAG_50.relevant.length} that answer the question ` +
    `(documents ${RAG_50.relevant.join(', ')}).`,
  query: RAG_50.query,
  documents: RAG_50.documents,
  relevant: RAG_50.relevant,
};

export const SAMPLES: readonly Sample[] = [...seedSamples, ragSample];
export const DEFAULT_SAMPLE_ID = 'seed-1';
