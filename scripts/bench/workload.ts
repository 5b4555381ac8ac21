/**
 * The benchmark's inputs, fixed by a seed: a RAG workload (one query, N documents whose pair lengths spread
 * log-uniformly over 16–512 tokens, in a shuffled "retriever" order) and the seed table's equal-length pairs.
 * Documents are cut from the generator's multilingual corpus to an exact token count with the model's own tokenizer,
 * so the same seed gives the same pairs, and the same token counts, on every run.
 */
import { CORPUS } from '../model/corpus.ts';
import { Rng } from '../model/rng.ts';
import { specialTokenCount } from '../../src/lib/text/pairs.ts';
import type { PairEncoder } from '../../src/lib/text/tokenize.ts';

export const RAG_QUERY = 'How does a cross-encoder rerank the documents that a vector index retrieved, and why batch them?';

export interface Workload {
  query: string;
  documents: string[];
  /** Pair length (query + document + 4 special tokens) of each document, as the reranker will see it. */
  pairTokens: number[];
}

/** A document of exactly `tokens` tokens (or as close as character cuts allow), from shuffled corpus sentences. */
function documentOf(encoder: PairEncoder, rng: Rng, tokens: number): string {
  let text = '';
  while (encoder.encode(text).length < tokens) {
    const sentence = CORPUS[Math.floor(rng.nextFloat() * CORPUS.length)];
    text = text ? `${text} ${sentence}` : sentence;
  }
  // Longest prefix with at most `tokens` tokens (binary search on characters; token count grows with the prefix).
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (encoder.encode(text.slice(0, mid)).length <= tokens) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo).trim();
}

/**
 * @example
 * ragWorkload(encoder, 50, 7).pairTokens.length // → 50, each from 16 to 512
 */
export function ragWorkload(encoder: PairEncoder, documents: number, seed: number, minTokens = 16, maxTokens = 512): Workload {
  const rng = new Rng(seed);
  const queryTokens = encoder.encode(RAG_QUERY).length;
  const specials = specialTokenCount(encoder.template);
  const docs: string[] = [];
  const pairTokens: number[] = [];
  for (let i = 0; i < documents; i++) {
    // Log-uniform: many short chunks and a long tail, as a retriever's top-k over mixed sources looks.
    const target = Math.round(Math.exp(Math.log(minTokens) + rng.nextFloat() * (Math.log(maxTokens) - Math.log(minTokens))));
    const docTokens = Math.max(1, target - queryTokens - specials);
    const doc = documentOf(encoder, rng, docTokens);
    docs.push(doc);
    pairTokens.push(Math.min(maxTokens, queryTokens + encoder.encode(doc).length + specials));
  }
  return { query: RAG_QUERY, documents: docs, pairTokens };
}

/** `count` pairs of exactly (or nearly) `tokens` tokens each: the seed table's batch-size sweep input. */
export function equalLengthPairs(encoder: PairEncoder, count: number, tokens: number, seed: number): [string, string][] {
  const rng = new Rng(seed ^ 0x5eed);
  const queryTokens = encoder.encode(RAG_QUERY).length;
  const specials = specialTokenCount(encoder.template);
  return Array.from({ length: count }, (): [string, string] =>
    [RAG_QUERY, documentOf(encoder, rng, tokens - queryTokens - specials)]);
}
