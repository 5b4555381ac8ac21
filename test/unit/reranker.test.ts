/** The reranker core in Node (onnxruntime-web's wasm backend) against the Float64 reference. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReranker, paddingShare, planBatches, type BatchRecord, type Reranker } from '../../src/lib/index.ts';
import { buildPairIds } from '../../src/lib/text/pairs.ts';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';
import { ReferenceXlmr } from '../../tools/reference/xlmr.ts';
import { DEMO_MODEL_DIR, demoFiles, loadTokenizer, maxAbsDiff } from '../helpers/models.ts';
import type { PreTrainedTokenizer } from '@huggingface/transformers';

const QUERY = 'how does a cross-encoder rerank documents for retrieval?';

/** 40 documents of mixed lengths (3 to ~300 tokens), with duplicates, Chinese and English. */
function mixedDocuments(): string[] {
  const docs: string[] = [];
  const words = 'retrieval ranking query document model score batch token padding encoder attention layer'.split(' ');
  for (let i = 0; i < 32; i++) {
    const length = 1 + ((i * 37) % 23) * ((i % 5) + 1) * 2;
    docs.push(Array.from({ length }, (_, k) => words[(i + k * 7) % words.length]).join(' '));
  }
  docs.push(...SEED_PAIRS.slice(0, 4).map(([, d]) => d));
  docs.push(docs[3], docs[3], 'the', '');
  return docs;
}

let reranker: Reranker;
let tokenizer: PreTrainedTokenizer;
let reference: ReferenceXlmr;
const documents = mixedDocuments();

beforeAll(async () => {
  reranker = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32' });
  tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
  reference = ReferenceXlmr.fromDir(DEMO_MODEL_DIR);
});

afterAll(async () => {
  await reranker?.dispose();
});

/** Reference logits for pairs built independently of the core (transformers.js ids + buildPairIds). */
function referenceLogits(query: string, docs: readonly string[], maxLength = 512): number[] {
  const q = tokenizer.encode(query, { add_special_tokens: false });
  const rows = docs.map((d) => buildPairIds(q, tokenizer.encode(d, { add_special_tokens: false }), maxLength).ids);
  return reference.logits(rows, rows.map((r) => r.map(() => 1)));
}

function byIndex(results: { index: number; score: number }[]): number[] {
  const out: number[] = [];
  for (const r of results) out[r.index] = r.score;
  return out;
}

describe('scores', () => {
  it('equal the reference within 1e-4 and each other across batch sizes and batching modes within 1e-5', async () => {
    const expected = referenceLogits(QUERY, documents);
    const runs: Record<string, number[]> = {};
    for (const batchSize of [1, 2, 7, 16, 64]) {
      runs[`fixed ${batchSize}`] = byIndex(await reranker.rerank(QUERY, documents, { batchSize, batching: 'fixed', rawScores: true }));
    }
    runs.tokens = byIndex(await reranker.rerank(QUERY, documents, { batching: 'tokens', maxBatchTokens: 1024, rawScores: true }));
    let worstBatch = 0;
    for (const [name, logits] of Object.entries(runs)) {
      expect(maxAbsDiff(logits, expected), name).toBeLessThan(1e-4);
      worstBatch = Math.max(worstBatch, maxAbsDiff(logits, runs['fixed 1']));
    }
    console.log(`core vs reference ${maxAbsDiff(runs['fixed 1'], expected).toExponential(2)}; ` +
      `across batch sizes and modes ${worstBatch.toExponential(2)}`);
    expect(worstBatch).toBeLessThan(1e-5);
  });

  it('are the same when a wasm batch runs as several tensors of similar lengths', async () => {
    const expected = referenceLogits(QUERY, documents);
    const oneBatch = { batchSize: 64, batching: 'tokens' as const, maxBatchTokens: 1 << 20, rawScores: true };
    const wholeRecords: BatchRecord[] = [];
    const whole = byIndex(await reranker.rerank(QUERY, documents, { ...oneBatch, lengthGroups: false, onBatch: (r) => wholeRecords.push(r) }));
    expect(wholeRecords.map((r) => r.tensors.length)).toEqual([1]);
    const records: BatchRecord[] = [];
    const split = byIndex(await reranker.rerank(QUERY, documents, { ...oneBatch, onBatch: (r) => records.push(r) }));
    const tensors = records[0].tensors;
    console.log(`one batch of ${documents.length} mixed pairs ran as ${tensors.length} tensors ` +
      `(${records[0].paddedTokens} cells instead of ${wholeRecords[0].paddedTokens}); max |Δ| vs whole ${maxAbsDiff(split, whole).toExponential(2)}`);
    expect(records).toHaveLength(1);
    expect(tensors.length).toBeGreaterThan(1);
    expect(tensors.reduce((n, t) => n + t.pairs, 0)).toBe(records[0].pairs);
    expect(records[0].paddedTokens).toBeLessThan(wholeRecords[0].paddedTokens);
    expect(maxAbsDiff(split, whole)).toBeLessThan(1e-5);
    expect(maxAbsDiff(split, expected)).toBeLessThan(1e-4);

    // 'fixed' batching runs exactly the batch asked for: one tensor (what the batch-size sweep measures).
    const fixedRecords: BatchRecord[] = [];
    await reranker.rerank(QUERY, documents, { ...oneBatch, batching: 'fixed', onBatch: (r) => fixedRecords.push(r) });
    expect(fixedRecords.map((r) => r.tensors.length)).toEqual([1]);
  });

  it('are the same, bit for bit, for the same call whatever ran before', async () => {
    const options = { rawScores: true };
    const first = await reranker.rerank(QUERY, documents, options);
    await reranker.rerank(QUERY, documents.slice(0, 7), { batchSize: 3, batching: 'fixed' }); // other shapes in between
    await reranker.score([[QUERY, documents[5]]]);
    expect(await reranker.rerank(QUERY, documents, options)).toEqual(first);
  });

  it('are sigmoid(logit) by default, sorted highest first', async () => {
    const raw = byIndex(await reranker.rerank(QUERY, documents, { rawScores: true }));
    const results = await reranker.rerank(QUERY, documents);
    for (const r of results) expect(r.score).toBeCloseTo(1 / (1 + Math.exp(-raw[r.index])), 12);
    for (let i = 1; i < results.length; i++) expect(results[i - 1].score).toBeGreaterThanOrEqual(results[i].score);
  });

  it('score() returns input order and shares nothing between different queries', async () => {
    const pairs = SEED_PAIRS.map(([q, d]) => [q, d] as const);
    const scores = await reranker.score(pairs, { rawScores: true, batchSize: 3, batching: 'fixed' });
    const expected = SEED_PAIRS.map(([q, d]) => referenceLogits(q, [d])[0]);
    expect(maxAbsDiff(scores, expected)).toBeLessThan(1e-4);
  });
});

describe('results', () => {
  it('topK keeps the best K, and indices map back to the input even with duplicate documents', async () => {
    const all = await reranker.rerank(QUERY, documents, { returnDocuments: true, batchSize: 5, batching: 'fixed' });
    expect(all.map((r) => r.index).sort((a, b) => a - b)).toEqual(documents.map((_, i) => i));
    for (const r of all) expect(r.document).toBe(documents[r.index]);
    const dupes = all.filter((r) => documents[r.index] === documents[3]);
    expect(dupes.length).toBe(3);
    expect(new Set(dupes.map((r) => r.score)).size).toBe(1);
    // The same batching as `all`, so the scores are bit-identical (other batch shapes differ in the last bits).
    const top = await reranker.rerank(QUERY, documents, { topK: 5, batchSize: 5, batching: 'fixed' });
    expect(top).toEqual(all.slice(0, 5).map(({ document: _, ...rest }) => rest));
    expect(top[0]).not.toHaveProperty('document');
  });

  it('reports one record per batch with tokens, padding and timing', async () => {
    const records: BatchRecord[] = [];
    await reranker.rerank(QUERY, documents, { batchSize: 16, batching: 'fixed', onBatch: (r) => records.push(r) });
    expect(records.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(records.map((r) => r.pairs)).toEqual([16, 16, 8]);
    expect(records.map((r) => r.done)).toEqual([16, 32, 40]);
    for (const r of records) {
      expect(r.total).toBe(40);
      expect(r.ownPairs).toBe(r.pairs);
      expect(r.paddedTokens).toBe(r.pairs * r.sequenceLength);
      expect(r.tokens).toBeLessThanOrEqual(r.paddedTokens);
      expect(r.runMs).toBeGreaterThan(0);
      expect(r.totalMs).toBeGreaterThanOrEqual(r.runMs);
      expect(r.pairsPerSecond).toBeCloseTo((r.pairs * 1000) / r.totalMs, 6);
      expect(r.backend).toBe('wasm');
    }
  });
});

describe('truncation', () => {
  it('cuts only the document, keeps the query to ¾ of maxLength, and always ends with </s>', async () => {
    const short = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32', maxLength: 32 });
    try {
      const longQuery = 'ranking '.repeat(40);
      const longDoc = 'document text '.repeat(40);
      const records: BatchRecord[] = [];
      const [result] = await short.rerank(longQuery, [longDoc], { rawScores: true, onBatch: (r) => records.push(r) });
      expect(result.truncated).toBe(true);
      expect(records[0].sequenceLength).toBe(32);
      // The same ids built independently: query cut to 24 tokens, the document to 32 - 24 - 4 = 4, final </s>.
      const q = tokenizer.encode(longQuery, { add_special_tokens: false });
      const d = tokenizer.encode(longDoc, { add_special_tokens: false });
      const ids = buildPairIds(q, d, 32).ids;
      expect(ids.length).toBe(32);
      expect(ids.slice(0, 1).concat(ids.slice(25, 27), ids.slice(-1))).toEqual([0, 2, 2, 2]);
      expect(ids.slice(1, 25)).toEqual(q.slice(0, 24));
      expect(result.score).toBeCloseTo(reference.logits([ids], [ids.map(() => 1)])[0], 4);

      const [fits] = await short.rerank('short query', ['short doc']);
      expect(fits.truncated).toBe(false);
    } finally {
      await short.dispose();
    }
  });
});

describe('token batching', () => {
  it('wastes less padding than fixed batches in arrival order on mixed lengths', () => {
    const q = tokenizer.encode(QUERY, { add_special_tokens: false });
    const lengths = documents.map((d) => buildPairIds(q, tokenizer.encode(d, { add_special_tokens: false }), 512).ids.length);
    const fixed = paddingShare(planBatches(lengths, { mode: 'fixed', batchSize: 16, maxBatchTokens: 0 }), lengths);
    const tokens = paddingShare(planBatches(lengths, { mode: 'tokens', batchSize: 16, maxBatchTokens: 4096 }, { device: 'webgpu' }), lengths);
    console.log(`padded-token share on the mixed set: fixed 16 ${(fixed * 100).toFixed(1)}%, tokens ${(tokens * 100).toFixed(1)}%`);
    expect(tokens).toBeLessThan(fixed / 2);
  });
});
