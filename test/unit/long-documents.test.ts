/**
 * Documents up to the documented limit of 5,000,000 characters a call. transformers.js alone cannot tokenize a text of
 * more than ~120k tokens (its Unigram model appends ids with `push(...ids)` and overflows the stack), so the core
 * tokenizes in pieces cut where the ids cannot change, and only as far as truncation needs: these tests check that the
 * ids equal the whole text's wherever the library can still tokenize it, and that 5M characters go through in both
 * `longDocuments` modes, with one document and with many.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReranker, type Reranker } from '../../src/lib/index.ts';
import { planWindows, type TextWindow } from '../../src/lib/chunking.ts';
import { exactCutSpaces } from '../../src/lib/exact-cuts.ts';
import { PairEncoder } from '../../src/lib/tokenize.ts';
import { CORPUS } from '../../scripts/model/corpus.ts';
import { DEMO_MODEL_DIR, demoFiles, loadTokenizer } from '../helpers/models.ts';

const QUERY = 'how does a cross-encoder rerank documents for retrieval?';
/** The most a document may have beside QUERY under the default limit of 5M characters a call. */
const MAX_CHARS = 5_000_000 - QUERY.length;

const json = (file: string) => JSON.parse(fs.readFileSync(path.join(DEMO_MODEL_DIR, file), 'utf8')) as Record<string, unknown>;
const tokenizerJson = json('tokenizer.json');
const tokenizerConfig = json('tokenizer_config.json');
const modelConfig = json('config.json');

/** A deterministic pseudo-random source (the same texts on every run). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/** Sentences of the generator's corpus (English, Chinese, other languages), with paragraph breaks. */
function prose(length: number, seed = 1): string {
  const next = random(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < length) {
    const sentence = CORPUS[Math.floor(next() * CORPUS.length)];
    const gap = next() < 0.1 ? '\n\n' : ' ';
    parts.push(sentence, gap);
    n += sentence.length + gap.length;
  }
  return parts.join('').slice(0, length);
}

/** Text built to break cuts: odd whitespace, control and zero-width characters, NFKC expansions, `▁`, added tokens. */
const HOSTILE = ['a', 'the', 'panda', 'retrieval', ' ', ' ', '  ', '\n', '\n\n', '\t', '\r', '\r\n', '\v', '\f', '.', ',',
  '。', '中文', '😀', 'é', 'e\u0301', '\u0301', '\u00a0', '\u3000', '\u0007', '\u200b', '¨', '▁', '<mask>', '<s>', '</s>',
  ' <mask> ', '＜pad＞', 'Ｈ', 'ﷺ', 'ﬁ', '\ufffd', '～', '\u2028', '\ufeff', '\u0085', '1998'];

function hostile(tokens: number, seed: number): string {
  const next = random(seed);
  return Array.from({ length: tokens }, () => HOSTILE[Math.floor(next() * HOSTILE.length)]).join('');
}

let encoder: PairEncoder;
let library: PreTrainedTokenizer;
/** transformers.js on the whole text: the reference, where it does not overflow. */
const whole = (text: string) => library.encode(text, { add_special_tokens: false });

beforeAll(async () => {
  encoder = PairEncoder.fromFiles({ tokenizerJson, tokenizerConfig, modelConfig });
  library = await loadTokenizer(DEMO_MODEL_DIR);
});

describe('the cause', () => {
  it('transformers.js overflows the stack on a text of ~130k tokens; the encoder does not', () => {
    const text = 'a'.repeat(130_000); // about a token a character
    expect(() => whole(text)).toThrow(RangeError);
    expect(encoder.encode(text).length).toBeGreaterThan(120_000);
  });
});

describe('exact cuts', () => {
  it('the XLM-R layout (demo and bge-reranker-v2-m3) may be cut before a space, tab, newline or return', () => {
    expect(encoder.cutSpaces).toBe(' \t\n\r');
    expect(encoder.isCut('One two', 3)).toBe(true);
    expect(encoder.isCut('One two', 4)).toBe(false);
    expect(encoder.isCut('One  two', 4)).toBe(false); // after a space, not a visible character
    expect(encoder.isCut('<s>＜pad＞ two', 8)).toBe(false); // '＜pad＞' alone would become the special token
  });

  it('ids of the two sides of every cut of hostile texts add up to the ids of the whole text', () => {
    let cuts = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const text = hostile(10 + (seed % 50), seed);
      const expected = whole(text);
      for (let i = 1; i < text.length; i++) {
        if (!encoder.isCut(text, i)) continue;
        cuts++;
        expect([...whole(text.slice(0, i)), ...whole(text.slice(i))], `${JSON.stringify(text)} cut at ${i}`).toEqual(expected);
      }
    }
    expect(cuts).toBeGreaterThan(500);
  });

  it("cuts are exact too with bge-reranker-v2-m3's layout (Precompiled, added tokens matched unnormalized) and NFKC alone", () => {
    const unnormalized = (tokenizerJson.added_tokens as Record<string, unknown>[]).map((t) => ({ ...t, normalized: false }));
    const layouts = {
      precompiled: { normalizer: { type: 'Precompiled', precompiled_charsmap: '' }, added_tokens: unnormalized },
      nfkc: { normalizer: { type: 'NFKC' } },
    };
    for (const [name, change] of Object.entries(layouts)) {
      const variant = PairEncoder.fromFiles({ tokenizerJson: { ...tokenizerJson, ...change }, tokenizerConfig, modelConfig });
      expect(variant.cutSpaces, name).toBe(name === 'nfkc' ? ' ' : ' \t\n\r');
      let cuts = 0;
      for (let seed = 1000; seed < 1150; seed++) {
        const text = hostile(10 + (seed % 50), seed); // short: encode() is one library call on the whole text
        const expected = variant.encode(text);
        for (let i = 1; i < text.length; i++) {
          if (!variant.isCut(text, i)) continue;
          cuts++;
          expect([...variant.encode(text.slice(0, i)), ...variant.encode(text.slice(i))], `${name}: ${JSON.stringify(text)} at ${i}`)
            .toEqual(expected);
        }
      }
      expect(cuts, name).toBeGreaterThan(100);
    }
  });

  it('tokenizers where a cut could change the ids get no cuts', () => {
    const model = tokenizerJson.model as Record<string, unknown>;
    const vocab = model.vocab as [string, number][];
    const pre = tokenizerJson.pre_tokenizer as Record<string, unknown>;
    const variants: Record<string, Record<string, unknown>> = {
      'a BPE model': { model: { ...model, type: 'BPE' } },
      'a piece with ▁ inside': { model: { ...model, vocab: [...vocab, ['a▁b', -20]] } },
      'no ▁ piece': { model: { ...model, vocab: vocab.filter(([piece]) => piece !== '▁') } },
      "Metaspace prepend_scheme 'first'": { pre_tokenizer: { ...pre, prepend_scheme: 'first' } },
      'a Strip normalizer': { normalizer: { type: 'Strip', strip_left: true, strip_right: true } },
      'a Replace of visible text': { normalizer: { type: 'Replace', pattern: { String: '``' }, content: '"' } },
      'a Replace that deletes spaces': { normalizer: { type: 'Replace', pattern: { Regex: '\\s' }, content: '' } },
      'an added token with a space': { added_tokens: [{ id: 5, content: 'a b', special: false }] },
    };
    for (const [what, change] of Object.entries(variants)) {
      expect(exactCutSpaces({ ...tokenizerJson, ...change }, tokenizerConfig), what).toBe('');
    }
    expect(exactCutSpaces(tokenizerJson, { ...tokenizerConfig, remove_space: true })).toBe('');
    // NFKC alone keeps tabs and newlines as they are (Metaspace only sees spaces): only spaces are cuts.
    expect(exactCutSpaces({ ...tokenizerJson, normalizer: { type: 'NFKC' } }, tokenizerConfig)).toBe(' ');
    expect(exactCutSpaces({ ...tokenizerJson, normalizer: { type: 'Precompiled', precompiled_charsmap: '' } }, tokenizerConfig))
      .toBe(' \t\n\r');
  });
});

describe('PairEncoder.encode', () => {
  const texts: Record<string, string> = {
    prose: prose(90_000),
    hostile: hostile(20_000, 7),
    'Chinese lines': '腾讯成立于1998年11月，是中国最早的互联网公司之一。\n'.repeat(2_000),
  };

  for (const [name, text] of Object.entries(texts)) {
    it(`equals transformers.js on the whole text, and its first n ids equal the whole text's (${name}, ${text.length} characters)`, () => {
      const expected = whole(text);
      expect(encoder.encode(text)).toEqual(expected);
      for (const n of [0, 1, 2, 17, 509, 4_000, expected.length - 1, expected.length, expected.length + 1]) {
        expect(encoder.encode(text, n), `first ${n}`).toEqual(expected.slice(0, n));
      }
    });
  }

  it("gives a 5M-character text's first ids: those of a prefix cut at an exact cut", () => {
    const text = prose(MAX_CHARS, 2);
    let cut = 30_000;
    while (!encoder.isCut(text, cut)) cut++;
    const expected = whole(text.slice(0, cut));
    expect(expected.length).toBeGreaterThan(8_193);
    for (const n of [1, 509, 8_193]) expect(encoder.encode(text, n)).toEqual(expected.slice(0, n));
  });

  it('tokenizes 200,000 characters without a space (cut every 32k characters, where no exact cut exists)', () => {
    const text = '中文检索重排序模型😀'.repeat(20_000);
    const ids = encoder.encode(text);
    expect(ids.length).toBeGreaterThan(50_000);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id <= encoder.maxTokenId)).toBe(true);
    // The first ids do not depend on where the run was cut.
    expect(encoder.encode(text, 509)).toEqual(whole(text.slice(0, 30_000)).slice(0, 509));
  });
});

/** Windows cover the text in order, fit the room, and hold the ids of their own text. */
function expectWindows(text: string, windows: TextWindow[], room: number, check: (w: TextWindow) => boolean = () => true) {
  expect(windows[0].start).toBe(0);
  expect(windows.at(-1)!.end).toBe(text.length);
  windows.forEach((w, i) => {
    expect(w.ids.length).toBeLessThanOrEqual(room);
    expect(w.end).toBeGreaterThan(w.start);
    if (i > 0) {
      expect(w.start).toBeGreaterThan(windows[i - 1].start); // progress
      expect(w.start).toBeLessThanOrEqual(windows[i - 1].end); // no gap
    }
    expect(/[\uDC00-\uDFFF]/.test(text[w.start] ?? '')).toBe(false);
    if (check(w)) {
      const ids = whole(text.slice(w.start, w.end));
      expect(w.ids, `window ${i}`).toEqual(ids.slice(0, room));
      expect(w.truncated).toBe(ids.length > room);
    }
  });
}

describe('planWindows', () => {
  it('windows of mixed text hold exactly the ids of their text, tokenized once (no window re-tokenized)', () => {
    const text = prose(60_000, 3) + hostile(3_000, 4);
    const room = 60;
    const windows = planWindows(text, encoder, room);
    expect(windows.length).toBeGreaterThan(200);
    expectWindows(text, windows, room);
    // Windows overlap where units are small enough (a sentence of more than ¼ of the room is not repeated).
    const overlapping = windows.filter((w, i) => i > 0 && w.start < windows[i - 1].end).length;
    expect(overlapping / windows.length).toBeGreaterThan(0.2);
  });

  it('windows of text without spaces (CJK, emoji) fit and never split a surrogate pair', () => {
    const text = '腾讯成立于1998年11月是中国最早的互联网公司之一😀'.repeat(400) + ' and some English words at the end.';
    expectWindows(text, planWindows(text, encoder, 30), 30);
  });

  it('a plain encode function still works (every window tokenized as text)', () => {
    const text = prose(5_000, 5);
    expectWindows(text, planWindows(text, whole, 40), 40);
  });

  it('plans 5M characters of prose: windows cover, fit, overlap, and hold the ids of their text', () => {
    const text = prose(MAX_CHARS, 6);
    const room = 490;
    const windows = planWindows(text, encoder, room);
    expect(windows.length).toBeGreaterThan(3_000);
    expect(windows.every((w) => !w.truncated)).toBe(true);
    expectWindows(text, windows, room, (w) => windows.indexOf(w) % 250 === 0); // spot checks against the library
  }, 300_000);
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
