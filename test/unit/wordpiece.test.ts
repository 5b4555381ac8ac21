/**
 * The generated BERT WordPiece tokenizer (scripts/model/wordpiece.ts): bert-base-uncased's tokenizer.json layout and
 * special ids, a vocabulary that covers every character of the corpus, and its files loaded the way the app loads a
 * model: from a folder, by transformers.js' AutoTokenizer. Agreement with Hugging Face's Rust tokenizers is checked
 * offline (npm run crosscheck).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from '../../scripts/model/corpus.ts';
import { bertNormalize, bertPreTokenize, BERT_SPECIAL_IDS, buildWordPieceTokenizer } from '../../scripts/model/wordpiece.ts';
import { learnWordPieces } from '../../scripts/model/wordpiece-learn.ts';
import type { TokenizerFiles } from '../../scripts/model/tokenizer.ts';

const MINILM_VOCAB = 30522;
const UNK = 100;

const root = mkdtempSync(path.join(tmpdir(), 'wordpiece-test-'));
const savedEnv = { allowRemoteModels: env.allowRemoteModels, localModelPath: env.localModelPath };
let learned: TokenizerFiles;
let padded: TokenizerFiles;
let tokenizer: PreTrainedTokenizer;
let paddedTokenizer: PreTrainedTokenizer;

const vocabOf = (files: TokenizerFiles) => (files.tokenizer.model as { vocab: Record<string, number> }).vocab;
const bare = (text: string, tok = tokenizer) => tok.encode(text, { add_special_tokens: false });

/** Writes the files under a name never used before in this process: a failed load of a name is remembered. */
async function load(files: TokenizerFiles, label: string): Promise<PreTrainedTokenizer> {
  const name = `${label}-${process.pid}-${Date.now().toString(36)}`;
  const dir = path.join(root, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'tokenizer.json'), files.text!);
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(files.tokenizerConfig));
  writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify(files.specialTokensMap));
  return AutoTokenizer.from_pretrained(name);
}

beforeAll(async () => {
  env.allowRemoteModels = false;
  env.localModelPath = root;
  learned = buildWordPieceTokenizer({ modelMaxLength: 512 });
  padded = buildWordPieceTokenizer({ vocabSize: MINILM_VOCAB, modelMaxLength: 512 });
  tokenizer = await load(learned, 'learned');
  paddedTokenizer = await load(padded, 'padded');
});

afterAll(() => {
  env.allowRemoteModels = savedEnv.allowRemoteModels;
  env.localModelPath = savedEnv.localModelPath;
  rmSync(root, { recursive: true, force: true });
});

describe('WordPiece tokenizer files', () => {
  it('have bert-base-uncased\'s normalizer, pre-tokenizer, model, template and decoder', () => {
    const t = learned.tokenizer;
    expect(t.normalizer).toEqual({ type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true });
    expect(t.pre_tokenizer).toEqual({ type: 'BertPreTokenizer' });
    expect(t.decoder).toEqual({ type: 'WordPiece', prefix: '##', cleanup: true });
    const { vocab, ...model } = t.model as Record<string, unknown>;
    expect(model).toEqual({ type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100 });
    expect(Object.keys(vocab as object)).toHaveLength(learned.vocabSize);
    const seq = (id: string, type_id: number) => ({ Sequence: { id, type_id } });
    const special = (id: string, type_id: number) => ({ SpecialToken: { id, type_id } });
    expect(t.post_processor).toEqual({
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), seq('A', 0), special('[SEP]', 0)],
      pair: [special('[CLS]', 0), seq('A', 0), special('[SEP]', 0), seq('B', 1), special('[SEP]', 1)],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [101], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [102], tokens: ['[SEP]'] } },
    });
    expect((t.added_tokens as { id: number; content: string; normalized: boolean }[]).map((a) => [a.id, a.content, a.normalized]))
      .toEqual([[0, '[PAD]', false], [100, '[UNK]', false], [101, '[CLS]', false], [102, '[SEP]', false], [103, '[MASK]', false]]);
    expect(learned.tokenizerConfig).toMatchObject({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512,
      cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]' });
  });

  it('write tokenizer.json as that object, with the vocabulary in id order (digit keys included)', () => {
    expect(JSON.parse(learned.text!)).toEqual(learned.tokenizer);
    const vocabText = learned.text!.slice(learned.text!.indexOf('"vocab": {'));
    const ids = [...vocabText.matchAll(/^ {6}".*": (\d+),?$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: learned.vocabSize }, (_, i) => i));
    expect(buildWordPieceTokenizer({ modelMaxLength: 512 }).text).toBe(learned.text);
  });

  it('put [PAD] 0, [unused0…98] 1…99, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103, then every corpus character twice', () => {
    const vocab = vocabOf(learned);
    expect(BERT_SPECIAL_IDS).toEqual({ '[PAD]': 0, '[UNK]': 100, '[CLS]': 101, '[SEP]': 102, '[MASK]': 103 });
    for (const [piece, id] of Object.entries(BERT_SPECIAL_IDS)) expect(vocab[piece]).toBe(id);
    for (let i = 0; i < 99; i++) expect(vocab[`[unused${i}]`]).toBe(i + 1);
    const characters = new Set(CORPUS.flatMap((text) => bertPreTokenize(bertNormalize(text)).flatMap((w) => Array.from(w))));
    for (const ch of characters) {
      expect(vocab[ch], ch).toBeGreaterThan(103);
      expect(vocab[`##${ch}`], ch).toBeGreaterThan(103);
    }
    expect(learned.vocabSize).toBeGreaterThanOrEqual(1500);
    expect(learned.vocabSize).toBeLessThanOrEqual(3000);
    expect(() => buildWordPieceTokenizer({ vocabSize: learned.vocabSize - 1, modelMaxLength: 512 })).toThrow(RangeError);
  });

  it('reach 30522 (minilm) with [unused99] onwards after the learned pieces, which keep their ids', () => {
    const small = Object.entries(vocabOf(learned));
    const big = vocabOf(padded);
    expect(padded.vocabSize).toBe(MINILM_VOCAB);
    for (const [piece, id] of small) expect(big[piece]).toBe(id);
    expect(big['[unused99]']).toBe(learned.vocabSize);
    expect(big[`[unused${99 + MINILM_VOCAB - learned.vocabSize - 1}]`]).toBe(MINILM_VOCAB - 1);
  });
});

describe('WordPiece tokenizer in transformers.js', () => {
  it('encodes a pair as [CLS] a [SEP] b [SEP] with types 0 then 1, lowercased and without accents', () => {
    const encoded = tokenizer('Café Crème', { text_pair: 'the query', return_tensor: false }) as
      { input_ids: number[]; token_type_ids: number[]; attention_mask: number[] };
    const a = bare('cafe creme');
    const b = bare('the query');
    expect(encoded.input_ids).toEqual([101, ...a, 102, ...b, 102]);
    expect(encoded.token_type_ids).toEqual([0, ...a.map(() => 0), 0, ...b.map(() => 1), 1]);
    expect(tokenizer.decode(encoded.input_ids)).toBe('[CLS] cafe creme [SEP] the query [SEP]');
    expect([tokenizer.pad_token_id, tokenizer.unk_token_id, tokenizer.sep_token_id, tokenizer.mask_token_id])
      .toEqual([0, 100, 102, 103]);
    expect(tokenizer.encode('')).toEqual([101, 102]);
  });

  it('tokenizes every corpus text with no [UNK], into the words bertNormalize and bertPreTokenize give', () => {
    for (const text of CORPUS) {
      const tokens = tokenizer.tokenize(text);
      expect(bare(text), text).not.toContain(UNK);
      const words: string[] = [];
      for (const t of tokens) {
        if (t.startsWith('##')) words[words.length - 1] += t.slice(2);
        else words.push(t);
      }
      expect(words, text).toEqual(bertPreTokenize(bertNormalize(text)));
    }
  });

  it('splits unknown text into pieces, and only unseen characters are [UNK]', () => {
    expect(tokenizer.tokenize('rerankers')).toEqual(['reranker', '##s']);
    expect(bare('launch 🚀 now')).toEqual([...bare('launch'), UNK, ...bare('now')]);
    expect(bare('a'.repeat(101))).toEqual([UNK]); // max_input_chars_per_word
  });

  it('gives the same ids with the vocabulary padded to 30522; padding pieces are never produced', () => {
    for (const text of CORPUS.slice(0, 20)) expect(bare(text, paddedTokenizer)).toEqual(bare(text));
    const unusedIds = bare('[unused99] [unused5]', paddedTokenizer);
    expect(unusedIds.every((id) => id > 103 && id < learned.vocabSize)).toBe(true);
  });
});

describe('bertNormalize, bertPreTokenize and learnWordPieces', () => {
  it('normalise and split as BertNormalizer and BertPreTokenizer', () => {
    expect(bertNormalize('Héllo\tWORLD\u0007')).toBe('hello world');
    expect(bertNormalize('重排序 ok')).toBe(' 重  排  序  ok');
    expect(bertNormalize('ブラウザ')).toBe('フラウサ'); // NFD, then the voicing marks (Mn) go
    expect(bertPreTokenize(' 重  排 hello, world!(x) 3.14 ')).toEqual(['重', '排', 'hello', ',', 'world', '!', '(', 'x', ')', '3', '.', '14']);
  });

  it('learn characters, then whole words and ## continuations by characters saved', () => {
    expect(learnWordPieces(['the cat sat on the mat'], 100)).toEqual([
      'a', 'c', 'e', 'h', 'm', 'n', 'o', 's', 't', '##a', '##c', '##e', '##h', '##m', '##n', '##o', '##s', '##t',
      'the', '##at', '##he', 'th', // saved: the 2 × 2, ##at 3 × 1 (c-at, s-at, m-at), ##he and th 2 × 1
    ]);
    expect(learnWordPieces(['the cat sat on the mat'], 19)).toHaveLength(19);
    expect(learnWordPieces(['the cat'], 2)).toHaveLength(10); // never fewer than the characters need
  });
});
