/**
 * A deterministic BERT WordPiece tokenizer, learned from the shipped {@link CORPUS}, in the exact Hugging Face
 * `tokenizers` format of bert-base-uncased and cross-encoder/ms-marco-MiniLM-L-6-v2: BertNormalizer (lowercase,
 * accents stripped), BertPreTokenizer, WordPiece (`##` continuations, `[UNK]`), the `[CLS] A [SEP] B [SEP]` template
 * with token types 0 then 1, and bert-base-uncased's special ids: `[PAD]`=0, `[unused0]`…`[unused98]`=1…99,
 * `[UNK]`=100, `[CLS]`=101, `[SEP]`=102, `[MASK]`=103. Learned pieces follow; a fixed vocabulary size is reached with
 * more `[unusedN]` pieces at the end, which no text can produce (BertPreTokenizer splits `[` off every word).
 */
import { CORPUS } from './corpus.ts';
import type { BuildTokenizerOptions, TokenizerFiles } from './tokenizer.ts';
import { CONTINUATION, DEFAULT_WORDPIECES, learnWordPieces } from './wordpiece-learn.ts';

export { bertNormalize, bertPreTokenize } from './wordpiece-learn.ts';

const PAD = '[PAD]';
const UNK = '[UNK]';
const CLS = '[CLS]';
const SEP = '[SEP]';
const MASK = '[MASK]';
export const BERT_SPECIAL_IDS = { [PAD]: 0, [UNK]: 100, [CLS]: 101, [SEP]: 102, [MASK]: 103 } as const;
/** `[PAD]`, 99 unused pieces, then the four other specials: ids 0 … 103, as bert-base-uncased has them. */
const HEAD: readonly string[] = [PAD, ...Array.from({ length: 99 }, (_, i) => `[unused${i}]`), UNK, CLS, SEP, MASK];

const addedToken = (content: string) => ({
  id: BERT_SPECIAL_IDS[content as keyof typeof BERT_SPECIAL_IDS], content, single_word: false, lstrip: false,
  rstrip: false, normalized: false, special: true,
});
const specialToken = (content: string) => ({ content, lstrip: false, normalized: false, rstrip: false, single_word: false });

/** Stands for the vocabulary in the JSON text until it is written out in id order (see {@link wordPieceJson}). */
const VOCAB_PLACEHOLDER = '\u0000vocab\u0000';

/**
 * Builds the three tokenizer files of a BERT model, deterministically (byte-identical JSON on every run).
 *
 * @example
 * const files = buildWordPieceTokenizer({ modelMaxLength: 512 });
 * files.vocabSize;                                                          // 2104: 104 specials, 2000 learned
 * buildWordPieceTokenizer({ vocabSize: 30522, modelMaxLength: 512 }).vocabSize; // 30522, `[unused99]` … after them
 */
export function buildWordPieceTokenizer(opts: BuildTokenizerOptions): TokenizerFiles {
  const learned = learnWordPieces(CORPUS, DEFAULT_WORDPIECES);
  const minimumSize = HEAD.length + learned.length;
  const vocabSize = opts.vocabSize ?? minimumSize;
  if (!Number.isInteger(vocabSize) || vocabSize < minimumSize) {
    throw new RangeError(`vocabSize ${vocabSize} is smaller than the learned vocabulary (${minimumSize} pieces)`);
  }
  const fillers = Array.from({ length: vocabSize - minimumSize }, (_, i) => `[unused${99 + i}]`);
  const vocab = [...HEAD, ...learned, ...fillers];

  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: string, typeId: number) => ({ Sequence: { id, type_id: typeId } });
  const tokenizer: Record<string, unknown> = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [PAD, UNK, CLS, SEP, MASK].map(addedToken),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(CLS, 0), sequence('A', 0), special(SEP, 0)],
      pair: [special(CLS, 0), sequence('A', 0), special(SEP, 0), sequence('B', 1), special(SEP, 1)],
      special_tokens: {
        [CLS]: { id: CLS, ids: [BERT_SPECIAL_IDS[CLS]], tokens: [CLS] },
        [SEP]: { id: SEP, ids: [BERT_SPECIAL_IDS[SEP]], tokens: [SEP] },
      },
    },
    decoder: { type: 'WordPiece', prefix: CONTINUATION, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: UNK,
      continuing_subword_prefix: CONTINUATION,
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((piece, id) => [piece, id])),
    },
  };

  const tokenizerConfig: Record<string, unknown> = {
    added_tokens_decoder: Object.fromEntries(
      [PAD, UNK, CLS, SEP, MASK].map((t) => [String(BERT_SPECIAL_IDS[t as keyof typeof BERT_SPECIAL_IDS]),
        { ...specialToken(t), special: true }]),
    ),
    clean_up_tokenization_spaces: true,
    cls_token: CLS,
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: MASK,
    model_max_length: opts.modelMaxLength,
    never_split: null,
    pad_token: PAD,
    sep_token: SEP,
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: UNK,
  };

  const specialTokensMap: Record<string, unknown> = {
    cls_token: specialToken(CLS),
    mask_token: specialToken(MASK),
    pad_token: specialToken(PAD),
    sep_token: specialToken(SEP),
    unk_token: specialToken(UNK),
  };

  return { tokenizer, tokenizerConfig, specialTokensMap, vocabSize: vocab.length, text: wordPieceJson(tokenizer, vocab) };
}

/**
 * tokenizer.json's text with the vocabulary in id order, as Rust `tokenizers` writes it: a JavaScript object would
 * put digit keys (`"0"`, `"10"`) first, so the vocabulary is written by hand into the pretty-printed rest.
 */
function wordPieceJson(tokenizer: Record<string, unknown>, vocab: readonly string[]): string {
  const model = tokenizer.model as Record<string, unknown>;
  const text = JSON.stringify({ ...tokenizer, model: { ...model, vocab: VOCAB_PLACEHOLDER } }, null, 2);
  const entries = vocab.map((piece, id) => `      ${JSON.stringify(piece)}: ${id}`).join(',\n');
  return `${text.replace(JSON.stringify(VOCAB_PLACEHOLDER), () => `{\n${entries}\n    }`)}\n`;
}
