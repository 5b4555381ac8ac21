/**
 * The generated XLM-R style tokenizer (scripts/model/tokenizer.ts), loaded the way the app loads a model: from files,
 * by transformers.js' AutoTokenizer. Agreement with Hugging Face's Rust tokenizer is checked offline by
 * scripts/crosscheck/tokenizer_ids.py.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from '../../scripts/model/corpus.ts';
import { buildTokenizer, METASPACE, normalizeText, type TokenizerFiles } from '../../scripts/model/tokenizer.ts';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';

const BOS = 0;
const PAD = 1;
const EOS = 2;
const UNK = 3;
const PADDED_SIZE = 8000;

type Vocab = Array<[string, number]>;
const vocabOf = (files: TokenizerFiles): Vocab => (files.tokenizer.model as { vocab: Vocab }).vocab;

const root = mkdtempSync(path.join(tmpdir(), 'tokenizer-test-'));
const savedEnv = { allowRemoteModels: env.allowRemoteModels, localModelPath: env.localModelPath };
let learned: TokenizerFiles;
let padded: TokenizerFiles;
let tokenizer: PreTrainedTokenizer;
let paddedTokenizer: PreTrainedTokenizer;

/** Writes the files under a name never used before in this process: a failed load of a name is remembered. */
async function load(files: TokenizerFiles, label: string): Promise<PreTrainedTokenizer> {
  const name = `${label}-${process.pid}-${Date.now().toString(36)}`;
  const dir = path.join(root, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(files.tokenizer));
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(files.tokenizerConfig));
  writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify(files.specialTokensMap));
  return AutoTokenizer.from_pretrained(name);
}

/** Ids without `<s>`/`</s>`. */
const bare = (text: string, tok = tokenizer) => tok.encode(text, { add_special_tokens: false });

beforeAll(async () => {
  env.allowRemoteModels = false;
  env.localModelPath = root;
  learned = buildTokenizer({ modelMaxLength: 512 });
  padded = buildTokenizer({ vocabSize: PADDED_SIZE, modelMaxLength: 512 });
  tokenizer = await load(learned, 'learned');
  paddedTokenizer = await load(padded, 'padded');
});

afterAll(() => {
  env.allowRemoteModels = savedEnv.allowRemoteModels;
  env.localModelPath = savedEnv.localModelPath;
  rmSync(root, { recursive: true, force: true });
});

describe('generated tokenizer: vocabulary', () => {
  it('has the XLM-R special ids, <mask> last, and a learned size in the intended range', () => {
    const vocab = vocabOf(learned);
    expect(vocab.slice(0, 4).map(([piece]) => piece)).toEqual(['<s>', '<pad>', '</s>', '<unk>']);
    expect(vocab.at(-1)![0]).toBe('<mask>');
    expect(learned.vocabSize).toBe(vocab.length);
    expect(learned.vocabSize).toBeGreaterThanOrEqual(1500);
    expect(learned.vocabSize).toBeLessThanOrEqual(3000);
    expect([tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id])
      .toEqual([BOS, PAD, EOS, UNK]);
    expect(tokenizer.mask_token_id).toBe(learned.vocabSize - 1);
  });

  it('has unique pieces, ▁ only in first position, and distinct negative scores for learned pieces', () => {
    const learnedPieces = vocabOf(learned).slice(4, -1);
    const pieces = learnedPieces.map(([piece]) => piece);
    expect(new Set(pieces).size).toBe(pieces.length);
    expect(pieces.filter((piece) => piece.indexOf(METASPACE, 1) !== -1)).toEqual([]);
    expect(pieces).toContain(METASPACE);
    const scores = learnedPieces.map(([, score]) => score);
    expect(scores.every((score) => score < 0 && Number.isFinite(score))).toBe(true);
    expect(new Set(scores).size).toBe(scores.length);
  });

  it('is byte-identical when built twice, padded or not', () => {
    expect(JSON.stringify(buildTokenizer({ modelMaxLength: 512 }))).toBe(JSON.stringify(learned));
    expect(JSON.stringify(buildTokenizer({ vocabSize: PADDED_SIZE, modelMaxLength: 512 }))).toBe(
      JSON.stringify(padded),
    );
  });

  it('writes model_max_length and a pad token into tokenizer_config.json', () => {
    expect(buildTokenizer({ modelMaxLength: 8192 }).tokenizerConfig.model_max_length).toBe(8192);
    expect(learned.tokenizerConfig.pad_token).toBe('<pad>');
    expect(learned.tokenizerConfig.tokenizer_class).toBe('XLMRobertaTokenizer');
  });
});

describe('generated tokenizer: encoding in transformers.js', () => {
  it('encodes a pair as <s> q </s></s> d </s>', () => {
    const [query, document] = SEED_PAIRS[0]!;
    const ids = tokenizer.encode(query, { text_pair: document });
    const q = bare(query);
    const d = bare(document);
    expect(q.length).toBeGreaterThan(1);
    expect(d.length).toBeGreaterThan(1);
    expect(ids).toEqual([BOS, ...q, EOS, EOS, ...d, EOS]);
    expect([...q, ...d].some((id) => id <= UNK)).toBe(false);
  });

  it('pads a batch of pairs with id 1 and attention mask 0', () => {
    const queries = SEED_PAIRS.map(([query]) => query);
    const documents = SEED_PAIRS.map(([, document]) => document);
    const batch = tokenizer(queries, { text_pair: documents, padding: true });
    const ids = (batch.input_ids.tolist() as Array<Array<bigint | number>>).map((row) => row.map(Number));
    const mask = (batch.attention_mask.tolist() as Array<Array<bigint | number>>).map((row) => row.map(Number));
    const lengths = SEED_PAIRS.map(([q, d]) => tokenizer.encode(q, { text_pair: d }).length);
    expect(new Set(lengths).size).toBeGreaterThan(1); // otherwise nothing would be padded
    for (let row = 0; row < ids.length; row++) {
      expect(ids[row]!.length).toBe(Math.max(...lengths));
      expect(mask[row]!.indexOf(0) === -1 ? mask[row]!.length : mask[row]!.indexOf(0)).toBe(lengths[row]);
      ids[row]!.forEach((id, i) => expect(id === PAD).toBe(mask[row]![i] === 0));
    }
  });

  it('splits Chinese seed sentences into multi-character pieces, fewer pieces than characters', () => {
    const sentences = [...new Set(SEED_PAIRS.flat())].filter((s) => /\p{Script=Han}{4}/u.test(s));
    expect(sentences.length).toBeGreaterThanOrEqual(10);
    let multiCharacterHan = 0;
    for (const sentence of sentences) {
      const pieces = tokenizer.tokenize(sentence);
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.length).toBeLessThan(Array.from(normalizeText(sentence)).length);
      multiCharacterHan += pieces.filter((p) => /\p{Script=Han}{2}/u.test(p)).length;
    }
    expect(multiCharacterHan).toBeGreaterThanOrEqual(sentences.length);
  });

  it('encodes whole frequent English words as one piece and rare ones as several', () => {
    expect(tokenizer.tokenize('the document')).toEqual(['▁the', '▁document']);
    expect(tokenizer.tokenize('xylophone').length).toBeGreaterThan(2);
  });

  it('maps an unseen character to <unk> (3) instead of throwing', () => {
    expect(tokenizer.get_vocab().has('😀')).toBe(false);
    const ids = bare('a 😀 b');
    expect(ids).toContain(UNK);
    expect(ids.filter((id) => id === UNK)).toHaveLength(1);
    expect(bare('😀😀').filter((id) => id === UNK)).toHaveLength(1); // consecutive unknowns fuse, as in Rust
  });

  it('normalizes like the Rust pipeline: NFKC, whitespace, control characters', () => {
    expect(bare('成立更早？')).toEqual(bare('成立更早?'));
    expect(bare('Ｐｙｔｈｏｎ')).toEqual(bare('Python'));
    expect(bare('the\t\tdocument\n')).toEqual(bare('the document '));
    expect(bare('the\u0007 document')).toEqual(bare('the document'));
    expect(bare('the\u3000document')).toEqual(bare('the document'));
  });
});

describe('generated tokenizer: vocabSize padding', () => {
  it('pads to exactly the requested size with <mask> last', () => {
    const vocab = vocabOf(padded);
    expect(padded.vocabSize).toBe(PADDED_SIZE);
    expect(vocab).toHaveLength(PADDED_SIZE);
    expect(vocab.at(-1)![0]).toBe('<mask>');
    expect(paddedTokenizer.mask_token_id).toBe(PADDED_SIZE - 1);
    const addedMask = (padded.tokenizer.added_tokens as Array<{ id: number; content: string }>).at(-1)!;
    expect(addedMask).toMatchObject({ id: PADDED_SIZE - 1, content: '<mask>' });
    expect(Object.keys(padded.tokenizerConfig.added_tokens_decoder as object)).toContain(String(PADDED_SIZE - 1));
    expect(new Set(vocab.map(([piece]) => piece)).size).toBe(PADDED_SIZE);
    expect(vocab.filter(([piece]) => piece.indexOf(METASPACE, 1) !== -1)).toEqual([]);
  });

  it('keeps the learned pieces and ids, so the corpus tokenizes the same', () => {
    expect(vocabOf(padded).slice(0, learned.vocabSize - 1)).toEqual(vocabOf(learned).slice(0, -1));
    for (const line of [...CORPUS, 'a 😀 b', '']) {
      expect(paddedTokenizer.encode(line)).toEqual(tokenizer.encode(line));
    }
  });

  it('refuses a size smaller than the learned vocabulary', () => {
    expect(() => buildTokenizer({ vocabSize: learned.vocabSize - 1, modelMaxLength: 512 })).toThrow(RangeError);
    expect(buildTokenizer({ vocabSize: learned.vocabSize, modelMaxLength: 512 }).vocabSize).toBe(learned.vocabSize);
  });
});
