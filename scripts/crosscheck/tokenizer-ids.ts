/**
 * Writes the generated tokenizers (XLM-R's Unigram and BERT's WordPiece, each at its learned size and padded to the
 * real model's: 250,002 / 30,522) into OUT_DIR, encodes a fixed set of texts with transformers.js and with the core's
 * PairEncoder, and writes OUT_DIR/cases.json. Driver for scripts/crosscheck/tokenizer_ids.py, which encodes the same
 * texts with Hugging Face's Rust `tokenizers` and compares; not part of npm test.
 *
 * Case kinds: `js` (transformers.js' `encode`, special tokens added; pairs through its own pair template), `pair` (the
 * core: PairEncoder.pairFromIds on each text's ids, nothing cut, with token types), `long` (the core's PairEncoder.encode
 * on texts of 5k–40k characters, which it tokenizes in pieces cut where the ids cannot change).
 *
 * @example
 * // npx tsx scripts/crosscheck/tokenizer-ids.ts /tmp/tokcheck
 * // writes /tmp/tokcheck/{xlmr,xlmr-padded,bert,bert-padded}/tokenizer.json ... and /tmp/tokcheck/cases.json:
 * // {"variants":[{"name":"xlmr","vocabSize":2205,"cases":[{"kind":"js","text":"…","pair":null,"ids":[0,…,2]}, …]}, …]}
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { CORPUS } from '../model/corpus.ts';
import { buildTokenizer, type TokenizerFiles } from '../model/tokenizer.ts';
import { buildWordPieceTokenizer } from '../model/wordpiece.ts';
import { parseModelConfig } from '../../src/lib/files/model-config.ts';
import { PairEncoder } from '../../src/lib/text/tokenize.ts';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: tsx scripts/crosscheck/tokenizer-ids.ts OUT_DIR');
  process.exit(2);
}

/** Pieces of awkward text: every whitespace and normalization edge the two implementations could disagree on. */
const FRAGMENTS: readonly string[] = [
  'the', 'reranker', 'Reranking', 'model', 'unbelievably', 'xylophone', 'documents', '阿里巴巴', '腾讯', '成立',
  '梯度消失', '龘', 'ReLU', 'Python', 'DataFrame', '123', '2024', '3.14', '$12.50', '99%', ' ', '  ', '   ', '\t',
  '\n', '\r\n', '\v', '\f', '\u3000', '\u00a0', '\u2009', '\u0085', '，', '。', '？', '！', '（', '）', '：', '；',
  '「', '」', '、', 'Ｈｅｌｌｏ', '１２３', 'ｶﾀｶﾅ', '😀', '😀😀', '👍🏽', '👨\u200d👩\u200d👧', '🇨🇳', 'e\u0301', 'ﬁ', '①', '㈱', '½', 'x²',
  '\u0001', '\u007f', '\u009f', '\u200b', '\ufeff', '\ufffd', '▁', '▁▁', '<mask>', '<s>', '</s>', '<pad>', '<unk>',
  '＜unk＞', '＜s＞', '＜/s＞', '<', '>', '\ue000', '\ue000\ue001', 'Straße', 'Ωμέγα', 'naïve', 'über', 'Привет', 'こんにちは',
  'ｺﾝﾆﾁﾊ', '한국어', 'ʻokina', 'العربية', 'हिन्दी', '\u{20000}', '\u{1F600}\u{FE0F}', '...', '—', '–', '"quoted"', "it's",
];

const HANDWRITTEN: readonly string[] = [
  '', ' ', '   ', '\t\n', 'a', 'a ', ' a', '  a  b  ', 'a<mask>b', 'a <mask> b', ' <mask>', '<mask> ', '<s></s>',
  '\u3000阿里巴巴\u3000', '阿里巴巴和腾讯哪家公司成立更早？', 'Ｐｙｔｈｏｎ中列表推导式的语法是什么？', '▁hello', 'hello▁world',
  '1998年11月', '1,000,000 and 2,000,000', 'The end.', '😀', '😀 😀', '😀😀😀x', '\ue000\ue000\ue000\ue000',
  '＜unk＞', 'a＜unk＞b', '<＜unk＞>', '＜pad＞', '＜mask＞', 'x＜/s＞y',
];

/** A small LCG: the generated strings must be the same on every run, and independent of any other module. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function generatedStrings(count: number, seed: number): string[] {
  const next = lcg(seed);
  return Array.from({ length: count }, () => {
    const parts = 1 + Math.floor(next() * 9);
    let text = '';
    for (let i = 0; i < parts; i++) {
      text += FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]!;
      if (next() < 0.4) text += ' ';
    }
    return text;
  });
}

interface Case {
  kind: 'js' | 'pair' | 'long';
  text: string;
  pair: string | null;
  ids: number[];
  /** `pair` cases: the token types (all 0 where the template gives none). */
  types?: number[];
  /** Texts with a CJK ideograph outside the BMP: the ids (and types) with spaces put around those (see below). */
  isolated?: { ids: number[]; types?: number[] };
}

/**
 * CJK ideographs outside the BMP (Extensions B–E, the compatibility supplement): the ranges BertNormalizer's
 * `handle_chinese_chars` puts spaces around, in Rust `tokenizers` and in transformers.js' own table. transformers.js
 * 4.3.1 tests them one UTF-16 unit at a time (`text[i].charCodeAt(0)`), so it never matches them and leaves such a
 * character joined to its neighbours ('𠀀Ωμέγα': Rust `[UNK] [UNK]`, transformers.js `[UNK]`). Encoding the text with
 * those spaces already in place shows whether that is the whole difference (tokenizer_ids.py reports it as known).
 */
const ASTRAL_CJK = /[\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{2F800}-\u{2FA1F}]/gu;
const isolateAstralCjk = (text: string) => text.replace(ASTRAL_CJK, ' $& ');
const hasAstralCjk = (...texts: (string | null)[]) => texts.some((t) => t !== null && isolateAstralCjk(t) !== t);

/** Long texts: mixed fragments, corpus lines, a 150-character word (WordPiece's limit is 100), CJK without spaces. */
function longTexts(): string[] {
  const next = lcg(3);
  const mixed = (chars: number, join: () => string) => {
    let text = '';
    for (const piece of generatedStrings(100_000, 4)) {
      if (text.length >= chars) break;
      text += piece + join();
    }
    return text;
  };
  return [
    mixed(5_000, () => ' '),
    mixed(12_000, () => (next() < 0.3 ? '\n' : next() < 0.5 ? '  ' : ' ')),
    Array.from({ length: 60 }, (_, i) => CORPUS[(i * 7) % CORPUS.length]).join(' '),
    `${mixed(3_000, () => ' ')} ${'x'.repeat(150)} ${mixed(3_000, () => ' ')}`,
    SEED_PAIRS.map(([q, d]) => q + d).join('').repeat(20),
    mixed(40_000, () => ' '),
  ];
}

function cases(encode: (text: string, pair: string | null) => number[], encoder: PairEncoder): Case[] {
  const singles = [...CORPUS, ...SEED_PAIRS.flat(), ...HANDWRITTEN, ...generatedStrings(60, 1)];
  const generated = generatedStrings(40, 2);
  const pairs: Array<[string, string]> = [
    ...SEED_PAIRS.map(([q, d]) => [q, d] as [string, string]),
    ...Array.from({ length: 20 }, (_, i) => [generated[2 * i]!, generated[2 * i + 1]!] as [string, string]),
    ['', ''],
    ['气候变化的主要原因有哪些?', ''],
    ['', '每天坚持跟读BBC新闻有助于提升发音和语感。'],
    ['<mask>', ' x'],
    ['[MASK]', ' x'],
  ];
  const corePair = (text: string, pair: string) => {
    const built = encoder.pairFromIds(encoder.encode(text), encoder.encode(pair), Number.MAX_SAFE_INTEGER);
    return { ids: built.ids, types: built.typeIds ?? built.ids.map(() => 0) };
  };
  const withIsolated = (c: Case, encodeCase: (text: string, pair: string | null) => Case['isolated']): Case =>
    (hasAstralCjk(c.text, c.pair)
      ? { ...c, isolated: encodeCase(isolateAstralCjk(c.text), c.pair === null ? null : isolateAstralCjk(c.pair)) }
      : c);
  const js = (text: string, pair: string | null) => ({ ids: encode(text, pair) });
  return [
    ...singles.map((text) => withIsolated({ kind: 'js', text, pair: null, ...js(text, null) }, js)),
    ...pairs.map(([text, pair]) => withIsolated({ kind: 'js', text, pair, ...js(text, pair) }, js)),
    ...[...pairs, ...Array.from({ length: 40 }, (_, i) => [singles[i]!, singles[singles.length - 1 - i]!] as [string, string])]
      .map(([text, pair]) => withIsolated({ kind: 'pair', text, pair, ...corePair(text, pair) }, (t, p) => corePair(t, p!))),
    ...longTexts().map((text) => withIsolated({ kind: 'long', text, pair: null, ids: encoder.encode(text) },
      (t) => ({ ids: encoder.encode(t) }))),
  ];
}

env.allowRemoteModels = false;
env.localModelPath = path.resolve(outDir);

const BUILDS: [string, () => TokenizerFiles][] = [
  ['xlmr', () => buildTokenizer({ modelMaxLength: 512 })],
  ['xlmr-padded', () => buildTokenizer({ vocabSize: 250002, modelMaxLength: 512 })],
  ['bert', () => buildWordPieceTokenizer({ modelMaxLength: 512 })],
  ['bert-padded', () => buildWordPieceTokenizer({ vocabSize: 30522, modelMaxLength: 512 })],
];
const variants = [];
for (const [name, build] of BUILDS) {
  const files = build();
  const dir = path.join(outDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'tokenizer.json'), files.text ?? JSON.stringify(files.tokenizer));
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(files.tokenizerConfig));
  writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify(files.specialTokensMap));
  const tokenizer = await AutoTokenizer.from_pretrained(name);
  const encode = (text: string, pair: string | null) =>
    tokenizer.encode(text, pair === null ? {} : { text_pair: pair }).map(Number);
  const encoder = PairEncoder.fromFiles({ tokenizerJson: JSON.parse(files.text ?? JSON.stringify(files.tokenizer)),
    tokenizerConfig: files.tokenizerConfig, modelConfig: parseModelConfig({}) });
  variants.push({ name, vocabSize: files.vocabSize, cases: cases(encode, encoder) });
}
writeFileSync(path.join(outDir, 'cases.json'), JSON.stringify({ variants }));
console.log(`wrote ${variants.map((v) => `${v.name}: ${v.cases.length} cases`).join(', ')} to ${outDir}`);
