/**
 * The cross-check's inputs: the seed article's ten Chinese pairs, then generated (query, document) pairs of mixed
 * lengths and languages drawn from the tokenizer's corpus. Deterministic: the same seed gives the same pairs on every
 * machine. Pairs come in groups that share a query, so rank agreement can be measured per query.
 *
 * @example
 * const pairs = crosscheckPairs({ count: 200, seed: 7 });
 * pairs.length;   // → 210 (10 seed pairs + 200 generated)
 * pairs[10];      // → { query: '…', document: '…', group: 5, source: 'generated' }
 */
import { CORPUS } from '../model/corpus.ts';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';

export interface CrosscheckPair {
  query: string;
  document: string;
  /** Pairs with the same group share their query. */
  group: number;
  source: 'seed' | 'generated';
}

/** Documents per generated query. */
export const DOCUMENTS_PER_QUERY = 10;

/** A small LCG (as in tokenizer-ids.ts): independent of any other module's random state. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/** A query: a fragment (a few words or characters), one corpus entry, or several (past ¾ of maxLength at 512). */
function makeQuery(next: () => number): string {
  const pick = () => CORPUS[Math.floor(next() * CORPUS.length)]!;
  const kind = next();
  if (kind < 0.45) {
    const text = pick();
    const words = text.split(' ');
    // Space-separated scripts: the first few words; Chinese and Japanese: the first few characters.
    if (words.length > 3) return words.slice(0, 2 + Math.floor(next() * 8)).join(' ');
    return text.slice(0, 4 + Math.floor(next() * 16));
  }
  if (kind < 0.9) return pick();
  return Array.from({ length: 6 + Math.floor(next() * 10) }, pick).join(' ');
}

/** A document: 1–4 corpus entries usually, sometimes 8–20 (truncated at 512 tokens), sometimes a few characters. */
function makeDocument(next: () => number): string {
  const pick = () => CORPUS[Math.floor(next() * CORPUS.length)]!;
  const kind = next();
  if (kind < 0.1) return pick().slice(0, 1 + Math.floor(next() * 12));
  const entries = kind < 0.8 ? 1 + Math.floor(next() * 4) : 8 + Math.floor(next() * 13);
  return Array.from({ length: entries }, pick).join(next() < 0.5 ? ' ' : '\n');
}

export function crosscheckPairs({ count, seed, withSeedPairs = true }: { count: number; seed: number; withSeedPairs?: boolean }): CrosscheckPair[] {
  const pairs: CrosscheckPair[] = [];
  if (withSeedPairs) {
    const groups = new Map<string, number>();
    for (const [query, document] of SEED_PAIRS) {
      if (!groups.has(query)) groups.set(query, groups.size);
      pairs.push({ query, document, group: groups.get(query)!, source: 'seed' });
    }
  }
  const next = lcg(seed);
  let group = pairs.reduce((max, p) => Math.max(max, p.group + 1), 0);
  for (let made = 0; made < count; group++) {
    const query = makeQuery(next);
    for (let d = 0; d < DOCUMENTS_PER_QUERY && made < count; d++, made++) {
      pairs.push({ query, document: makeDocument(next), group, source: 'generated' });
    }
  }
  return pairs;
}
