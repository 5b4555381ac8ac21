/**
 * Calls of 5,000,000 characters, the documented limit, through a reranker in both `longDocuments` modes, with one
 * document and with many.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReranker, type Reranker } from '../../src/lib/index.ts';
import { planWindows } from '../../src/lib/text/chunking.ts';
import type { PairEncoder } from '../../src/lib/text/tokenize.ts';
import { CORPUS } from '../../scripts/model/corpus.ts';
import { demoFiles } from '../helpers/models.ts';
import { loadEncoders, MAX_CHARS, prose, QUERY, random } from '../helpers/long-text.ts';

let encoder: PairEncoder;
let whole: (text: string) => number[];

beforeAll(async () => {
  ({ encoder, whole } = await loadEncoders());
});

describe('a 5M-character call', () => {
  let reranker: Reranker;
  let short: Reranker;
  beforeAll(async () => {
    reranker = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32' });
    // A short maxLength keeps the many windows of 'chunk' cheap to run.
    short = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32', maxLength: 64 });
  });
  afterAll(async () => {
    await reranker?.dispose();
    await short?.dispose();
  });

  /** The longest prefix of `text` that ends at an exact cut and holds `tokens` ids. */
  function prefixWith(text: string, tokens: number): string {
    let cut = Math.min(text.length - 1, tokens * 8);
    while (!encoder.isCut(text, cut)) cut++;
    expect(whole(text.slice(0, cut)).length).toBeGreaterThan(tokens);
    return text.slice(0, cut);
  }

  it("truncate, one document: scored as its first 512 tokens, in rerank and in score", async () => {
    const document = prose(MAX_CHARS, 7);
    const prefix = prefixWith(document, 512);
    const [result] = await reranker.rerank(QUERY, [document], { rawScores: true });
    const [expected] = await reranker.score([[QUERY, prefix]], { rawScores: true });
    expect(result.truncated).toBe(true);
    expect(result.score).toBeCloseTo(expected, 5);
    const [scored] = await reranker.score([[QUERY, document]], { rawScores: true });
    expect(scored).toBeCloseTo(expected, 5);
  });

  it('a 5M-character query is cut to its first 384 tokens (¾ of 512)', async () => {
    const query = prose(5_000_000 - 5, 10);
    const [result] = await reranker.rerank(query, ['short']);
    const [expected] = await reranker.score([[prefixWith(query, 384), 'short']]);
    expect(result.truncated).toBe(true);
    expect(result.score).toBeCloseTo(expected, 5);
  });

  it('truncate, 200 documents of 25k characters: each scored as its first tokens', async () => {
    const text = prose(MAX_CHARS, 8);
    const size = Math.floor(MAX_CHARS / 200);
    const documents = Array.from({ length: 200 }, (_, i) => text.slice(i * size, (i + 1) * size));
    const results = await short.rerank(QUERY, documents, { rawScores: true });
    const expected = await short.score(documents.map((d) => [QUERY, prefixWith(d, 64)] as const), { rawScores: true });
    expect(results).toHaveLength(200);
    for (const r of results) {
      expect(r.truncated).toBe(true);
      expect(r.score).toBeCloseTo(expected[r.index], 5);
    }
  }, 300_000);

  /** 5M characters with few tokens: paragraphs of prose far apart, so that scoring every window stays cheap. */
  function sparse(length: number, paragraphs: number, seed: number): string {
    const gap = ' '.repeat(Math.floor(length / paragraphs) - 200);
    const next = random(seed);
    const parts: string[] = [];
    for (let i = 0; i < paragraphs; i++) parts.push(CORPUS[Math.floor(next() * CORPUS.length)].slice(0, 190), '\n', gap);
    return parts.join('').padEnd(length, ' ').slice(0, length);
  }

  it('chunk, one document: scored by its best window, which scored alone gives the same score', async () => {
    const document = sparse(MAX_CHARS, 250, 9);
    const [result] = await short.rerank(QUERY, [document], { longDocuments: 'chunk', rawScores: true });
    const room = 64 - encoder.encode(QUERY).length - 4;
    const windows = planWindows(document, encoder, room);
    expect(windows.length).toBeGreaterThan(20);
    // Scored in calls of 100 windows: overlapping windows hold more than the 5M characters a call may have.
    const scores: number[] = [];
    for (let i = 0; i < windows.length; i += 100) {
      const pairs = windows.slice(i, i + 100).map((w) => [QUERY, document.slice(w.start, w.end)] as const);
      scores.push(...await short.score(pairs, { rawScores: true }));
    }
    expect(result.score).toBeCloseTo(Math.max(...scores), 5);
    const [alone] = await short.score([[QUERY, document.slice(result.window!.start, result.window!.end)]], { rawScores: true });
    expect(result.score).toBeCloseTo(alone, 5);
  }, 300_000);

  it('chunk, 50 documents of 100k characters: each scored by a window of its own', async () => {
    const size = Math.floor(MAX_CHARS / 50);
    const documents = Array.from({ length: 50 }, (_, i) => sparse(size, 4, 100 + i));
    const results = await short.rerank(QUERY, documents, { longDocuments: 'chunk', rawScores: true });
    expect(results).toHaveLength(50);
    const windows = results.map((r) => documents[r.index].slice(r.window!.start, r.window!.end));
    const alone = await short.score(windows.map((w) => [QUERY, w] as const), { rawScores: true });
    results.forEach((r, i) => {
      expect(r.window!.end).toBeLessThanOrEqual(size);
      expect(r.score).toBeCloseTo(alone[i], 5);
    });
  }, 300_000);
});
