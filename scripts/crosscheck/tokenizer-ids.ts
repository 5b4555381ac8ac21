/**
 * Writes the generated tokenizer (learned size and padded to 250,002) into OUT_DIR, encodes a fixed set of texts with
 * transformers.js, and writes OUT_DIR/cases.json. Driver for scripts/crosscheck/tokenizer_ids.py, which encodes the
 * same texts with Hugging Face's Rust `tokenizers` and compares; not part of npm test.
 *
 * @example
 * // npx tsx scripts/crosscheck/tokenizer-ids.ts /tmp/tokcheck
 * // writes /tmp/tokcheck/{learned,padded}/tokenizer.json ... and /tmp/tokcheck/cases.json:
 * // {"variants":[{"name":"learned","vocabSize":2205,"cases":[{"text":"…","pair":null,"ids":[0,…,2]}, …]}, …]}
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { CORPUS } from '../model/corpus.ts';
import { buildTokenizer } from '../model/tokenizer.ts';
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
  text: string;
  pair: string | null;
  ids: number[];
}

function cases(encode: (text: string, pair: string | null) => number[]): Case[] {
  const singles = [...CORPUS, ...SEED_PAIRS.flat(), ...HANDWRITTEN, ...generatedStrings(60, 1)];
  const generated = generatedStrings(40, 2);
  const pairs: Array<[string, string]> = [
    ...SEED_PAIRS.map(([q, d]) => [q, d] as [string, string]),
    ...Array.from({ length: 20 }, (_, i) => [generated[2 * i]!, generated[2 * i + 1]!] as [string, string]),
    ['', ''],
    ['气候变化的主要原因有哪些?', ''],
    ['', '每天坚持跟读BBC新闻有助于提升发音和语感。'],
    ['<mask>', ' x'],
  ];
  return [
    ...singles.map((text) => ({ text, pair: null, ids: encode(text, null) })),
    ...pairs.map(([text, pair]) => ({ text, pair, ids: encode(text, pair) })),
  ];
}

env.allowRemoteModels = false;
env.localModelPath = path.resolve(outDir);

const variants = [];
for (const [name, vocabSize] of [['learned', undefined], ['padded', 250002]] as const) {
  const files = buildTokenizer({ vocabSize, modelMaxLength: 512 });
  const dir = path.join(outDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(files.tokenizer));
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(files.tokenizerConfig));
  writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify(files.specialTokensMap));
  const tokenizer = await AutoTokenizer.from_pretrained(name);
  const encode = (text: string, pair: string | null) =>
    tokenizer.encode(text, pair === null ? {} : { text_pair: pair }).map(Number);
  variants.push({ name, vocabSize: files.vocabSize, cases: cases(encode) });
}
writeFileSync(path.join(outDir, 'cases.json'), JSON.stringify({ variants }));
console.log(`wrote ${variants.map((v) => `${v.name}: ${v.cases.length} cases`).join(', ')} to ${outDir}`);
