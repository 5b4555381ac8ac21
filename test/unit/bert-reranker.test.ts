/**
 * A BERT cross-encoder (the committed tiny BERT demo model: WordPiece, `[CLS] A [SEP] B [SEP]`, token_type_ids)
 * through the same createReranker as XLM-R, checked against transformers.js' own pair encoding and a bare session.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReranker, ModelLoadError, type Reranker } from '../../src/lib/index.ts';
import { floatTensorToNumbers } from '../../src/lib/runtime/float16.ts';
import { makeModel } from '../../scripts/model/write-model.ts';
import { encoderFromFolder, readModelJson } from '../../scripts/bench/model-folder.ts';
import { loadTokenizer, maxAbsDiff } from '../helpers/models.ts';
import { BERT_DOCUMENTS, BERT_QUERY, DEMO_BERT_DIR, folderFiles, FP32_FILES } from '../helpers/bert.ts';
import type { PreTrainedTokenizer } from '@huggingface/transformers';

const BERT_DIR = DEMO_BERT_DIR;
const QUERY = BERT_QUERY;
const DOCUMENTS = BERT_DOCUMENTS;
const filesOf = (dir: string, replace: Record<string, string> = {}) => folderFiles(dir, FP32_FILES, replace);

/** transformers.js' own encoding of a pair (its template, its token types), as onnxruntime tensors. */
function theirPair(tokenizer: PreTrainedTokenizer, query: string, doc: string): Record<'input_ids' | 'attention_mask' | 'token_type_ids', ort.Tensor> {
  const enc = tokenizer(query, { text_pair: doc, return_token_type_ids: true }) as unknown as
    Record<string, { data: BigInt64Array; dims: number[] }>;
  const tensor = (name: string) => new ort.Tensor('int64', enc[name].data, enc[name].dims);
  return { input_ids: tensor('input_ids'), attention_mask: tensor('attention_mask'), token_type_ids: tensor('token_type_ids') };
}

/** Raw logits of a bare session fed transformers.js' own pair encoding (its template, its token types). */
async function bareLogits(dir: string, tokenizer: PreTrainedTokenizer, query: string, docs: readonly string[]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(fs.readFileSync(path.join(dir, 'onnx/model.onnx')), { executionProviders: ['wasm'] });
  try {
    const out: number[][] = [];
    for (const doc of docs) {
      const logits = (await session.run(theirPair(tokenizer, query, doc))).logits;
      out.push(floatTensorToNumbers(logits.type, logits.data));
    }
    return out;
  } finally {
    await session.release();
  }
}


let reranker: Reranker;
let tokenizer: PreTrainedTokenizer;

beforeAll(async () => {
  reranker = await createReranker({ model: { files: filesOf(BERT_DIR) }, device: 'wasm', dtype: 'fp32' });
  tokenizer = await loadTokenizer(BERT_DIR);
});

afterAll(async () => {
  await reranker?.dispose();
});

describe('a BERT cross-encoder', () => {
  it("builds the pairs transformers.js' template builds: [CLS] A [SEP] B [SEP], token types 0 then 1", () => {
    const encoder = encoderFromFolder(BERT_DIR);
    for (const doc of DOCUMENTS) {
      const ours = encoder.pairFromIds(encoder.encode(QUERY), encoder.encode(doc), 512);
      const theirs = theirPair(tokenizer, QUERY, doc);
      expect(ours.ids).toEqual(Array.from(theirs.input_ids.data as BigInt64Array, Number));
      expect(ours.typeIds).toEqual(Array.from(theirs.token_type_ids.data as BigInt64Array, Number));
      expect(ours.ids[0]).toBe(101);
      expect(ours.ids.at(-1)).toBe(102);
    }
  });

  it('scores as a bare session on transformers.js inputs does, within 1e-5, in any batching', async () => {
    const expected = (await bareLogits(BERT_DIR, tokenizer, QUERY, DOCUMENTS)).map((l) => l[0]);
    for (const batchSize of [1, 2, 16]) {
      const results = await reranker.rerank(QUERY, DOCUMENTS, { batchSize, rawScores: true });
      const got: number[] = [];
      for (const r of results) got[r.index] = r.score;
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
    }
  });

  it('feeds the token types: the same ids with every type 0 give other logits', async () => {
    const session = await ort.InferenceSession.create(fs.readFileSync(path.join(BERT_DIR, 'onnx/model.onnx')), { executionProviders: ['wasm'] });
    try {
      const enc = theirPair(tokenizer, QUERY, DOCUMENTS[0]);
      const zeros = new ort.Tensor('int64', new BigInt64Array(enc.input_ids.data.length), enc.input_ids.dims);
      const run = async (types: ort.Tensor) => (await session.run({ ...enc, token_type_ids: types })).logits.data[0] as number;
      const [score] = await reranker.score([[QUERY, DOCUMENTS[0]]], { rawScores: true });
      expect(Math.abs(score - (await run(enc.token_type_ids)))).toBeLessThan(1e-5);
      expect(Math.abs(score - (await run(zeros)))).toBeGreaterThan(1e-3);
    } finally {
      await session.release();
    }
  });

  it('truncates a 1M-character document to maxLength with the closing [SEP], its ids those of the whole text', async () => {
    const sentence = 'Giant pandas eat bamboo, sleep, and climb trees in the mountains of Sichuan.\n';
    const long = sentence.repeat(Math.ceil(1_000_000 / sentence.length));
    const started = performance.now();
    const [result] = await reranker.rerank(QUERY, [long], { rawScores: true });
    expect(performance.now() - started).toBeLessThan(60_000); // a guard against tokenizing the whole text, not a benchmark
    expect(result.truncated).toBe(true);
    // transformers.js on a prefix that holds more tokens than the pair has room for: the same pair.
    const prefix = long.slice(0, 4000);
    const q = tokenizer.encode(QUERY, { add_special_tokens: false });
    const d = tokenizer.encode(prefix, { add_special_tokens: false });
    expect(d.length).toBeGreaterThan(512);
    const encoder = encoderFromFolder(BERT_DIR);
    const ours = encoder.pairFromIds(encoder.encodeQuery(QUERY, 512), encoder.encodeDocument(long, q, 512), 512);
    expect(ours.ids).toEqual([101, ...q, 102, ...d.slice(0, 512 - q.length - 3), 102]);
    const [prefixScore] = await reranker.score([[QUERY, prefix]], { rawScores: true });
    expect(Math.abs(result.score - prefixScore)).toBeLessThan(1e-6);
  });

  it("spaces CJK ideographs past U+FFFF as Rust's BertNormalizer does (transformers.js leaves them joined)", () => {
    const encoder = encoderFromFolder(BERT_DIR);
    for (const [text, spaced] of [['Ωμέγα𠀀', 'Ωμέγα 𠀀 '], ['panda𪜀bamboo 中文𫝀', 'panda 𪜀 bamboo 中文 𫝀 '], ['𠀀', ' 𠀀 ']]) {
      expect(encoder.encode(text)).toEqual(tokenizer.encode(spaced, { add_special_tokens: false }));
    }
    expect(encoder.encode('Ωμέγα𠀀')).toHaveLength(2); // two words, as Rust splits it: [UNK] [UNK] on this vocabulary
  });

  it('cuts long texts only where the ids do not change: pieces add up to the whole text', () => {
    const encoder = encoderFromFolder(BERT_DIR);
    const words = ['panda', 'Bamboo,', 'CHINA', 'über', 'naïve', '中文字', 'e.g.', '[SEP]', '(x)', 'don\'t', '🐼', 'a'];
    const spaces = [' ', '  ', '\n', '\t', ' \r\n '];
    let seed = 11;
    const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const text = Array.from({ length: 3000 }, () => words[Math.floor(random() * words.length)] +
      spaces[Math.floor(random() * spaces.length)]).join('');
    expect(text.length).toBeGreaterThan(4096); // past one piece (2048 characters)
    expect(encoder.encode(text)).toEqual(tokenizer.encode(text, { add_special_tokens: false }));
    expect(encoder.encode(text, 700)).toEqual(tokenizer.encode(text, { add_special_tokens: false }).slice(0, 700));
  });
});

describe('what the model allows', () => {
  it('reports the architecture and one label; the default maxLength is 512, all of BERT\'s 512 positions', () => {
    expect(reranker.info.architecture).toBe('BertForSequenceClassification');
    expect(reranker.info.labels).toBe(1);
    expect(reranker.info.maxLength).toBe(512);
  });

  it('a model with fewer positions gets them as its default maxLength; asking for more is an InputError', async () => {
    const config = readModelJson(BERT_DIR, 'config.json');
    const files = () => filesOf(BERT_DIR, { 'config.json': JSON.stringify({ ...config, max_position_embeddings: 128 }) });
    const short = await createReranker({ model: { files: files() }, device: 'wasm', dtype: 'fp32' });
    try {
      expect(short.info.maxLength).toBe(128);
      const [result] = await short.rerank(QUERY, ['panda '.repeat(400)]);
      expect(result.truncated).toBe(true);
    } finally {
      await short.dispose();
    }
    await expect(createReranker({ model: { files: files() }, device: 'wasm', dtype: 'fp32', maxLength: 512 }))
      .rejects.toThrow(/maxLength 512 exceeds what this model supports \(128 tokens\)/);
  });
});

describe('labels', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bert-labels-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a two-label export scores the relevant class: sigmoid(l1 − l0), the softmax of label 1', async () => {
    const dir = path.join(tmp, 'two');
    makeModel({ preset: 'tiny', arch: 'bert', labels: 2, dtypes: ['fp32'], seed: 7, out: dir, safetensors: false });
    const two = await createReranker({ model: { files: filesOf(dir) }, device: 'wasm', dtype: 'fp32' });
    try {
      const logits = await bareLogits(dir, await loadTokenizer(dir), QUERY, DOCUMENTS);
      const scores = await two.score(DOCUMENTS.map((d) => [QUERY, d]));
      const softmax = logits.map(([l0, l1]) => Math.exp(l1) / (Math.exp(l0) + Math.exp(l1)));
      expect(maxAbsDiff(scores, softmax)).toBeLessThan(1e-6);
      expect(two.info.labels).toBe(2);
    } finally {
      await two.dispose();
    }
  });

  it('a config.json whose labels disagree with the graph is a ModelLoadError that says so', async () => {
    const config = readModelJson(BERT_DIR, 'config.json');
    config.id2label = { 0: 'a', 1: 'b', 2: 'c' };
    const load = createReranker({ model: { files: filesOf(BERT_DIR, { 'config.json': JSON.stringify(config) }) }, device: 'wasm', dtype: 'fp32' });
    await expect(load).rejects.toThrow(ModelLoadError);
    await expect(load).rejects.toThrow(/gives 1 logits per pair but config.json declares 3 labels/);
  });
});
