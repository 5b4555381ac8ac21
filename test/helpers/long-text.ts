/**
 * Texts and tokenizers for the long-document tests: the demo model's tokenizer files, seeded prose and hostile texts,
 * and the core's PairEncoder beside transformers.js on the whole text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseModelConfig } from '../../src/lib/files/model-config.ts';
import { PairEncoder } from '../../src/lib/text/tokenize.ts';
import { CORPUS } from '../../scripts/model/corpus.ts';
import { DEMO_MODEL_DIR, loadTokenizer } from './models.ts';

export const QUERY = 'how does a cross-encoder rerank documents for retrieval?';
/** The most a document may have beside QUERY under the default limit of 5M characters a call. */
export const MAX_CHARS = 5_000_000 - QUERY.length;

const json = (file: string) => JSON.parse(fs.readFileSync(path.join(DEMO_MODEL_DIR, file), 'utf8')) as Record<string, unknown>;
export const tokenizerJson = json('tokenizer.json');
export const tokenizerConfig = json('tokenizer_config.json');
export const modelConfig = parseModelConfig(json('config.json'));

/** A deterministic pseudo-random source (the same texts on every run). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/** Sentences of the generator's corpus (English, Chinese, other languages), with paragraph breaks. */
export function prose(length: number, seed = 1): string {
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

export function hostile(tokens: number, seed: number): string {
  const next = random(seed);
  return Array.from({ length: tokens }, () => HOSTILE[Math.floor(next() * HOSTILE.length)]).join('');
}

/** The core's encoder, and `whole`: transformers.js on the whole text, the reference where it does not overflow. */
export async function loadEncoders(): Promise<{ encoder: PairEncoder; whole: (text: string) => number[] }> {
  const library = await loadTokenizer(DEMO_MODEL_DIR);
  return {
    encoder: PairEncoder.fromFiles({ tokenizerJson, tokenizerConfig, modelConfig }),
    whole: (text) => library.encode(text, { add_special_tokens: false }),
  };
}
