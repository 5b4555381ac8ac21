/**
 * A deterministic XLM-R style SentencePiece-Unigram tokenizer, learned from the shipped {@link CORPUS}.
 *
 * The real bge-reranker-v2-m3 tokenizer (250,002 pieces) cannot be downloaded here, so generated models carry a small
 * tokenizer with the same layout, special tokens and ids: `<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3, learned pieces,
 * then `<mask>` last. Its files load in transformers.js and in Hugging Face's Rust `tokenizers`, and both give the same
 * ids (checked by `scripts/crosscheck/tokenizer_ids.py`). Four choices make that true:
 * - The normalizer is a `Sequence` of `Replace` and `NFKC`, not `Precompiled`: transformers.js ignores a precompiled
 *   charsmap, and an empty one crashes the Rust tokenizer.
 * - `▁` only ever starts a piece: Rust's Metaspace splits the text before every `▁`, transformers.js' does not, and
 *   with `▁` only in first position no piece can straddle a split, so both see the same segmentations.
 * - Special tokens are `normalized: true` (the real files say `false`): NFKC turns `＜pad＞` into `<pad>`, which
 *   transformers.js then takes for the special token when it is a whole section while Rust hands it to the Unigram
 *   model, and the two score a `<unk>` piece differently (0 in Rust, below everything in transformers.js). Matching
 *   special tokens in the normalized text, in both, removes both differences.
 * - Every piece score is distinct (a tiny per-piece jitter), so no Viterbi path ties and tie-breaking cannot differ.
 */
import { CORPUS } from './corpus.ts';
import { CONTROL_PATTERN, METASPACE, SPACE_PATTERN, SPACE_RUN_PATTERN } from './normalize.ts';
import { DEFAULT_LEARNED_PIECES, learnPieces } from './unigram-learn.ts';

export { METASPACE, metaspaceWords, normalizeText } from './normalize.ts';

export interface TokenizerFiles {
  /** Contents of `tokenizer.json`. */
  tokenizer: Record<string, unknown>;
  /** Contents of `tokenizer_config.json`. */
  tokenizerConfig: Record<string, unknown>;
  /** Contents of `special_tokens_map.json`. */
  specialTokensMap: Record<string, unknown>;
  /** Number of pieces, including the special tokens and `<mask>`. */
  vocabSize: number;
  /** tokenizer.json's text, where `JSON.stringify(tokenizer)` would not give it (WordPiece: the vocabulary in id order). */
  text?: string;
}

export interface BuildTokenizerOptions {
  /** Pad the vocabulary with never-matching filler pieces up to exactly this size (`<mask>` stays last). */
  vocabSize?: number;
  /** `model_max_length` in `tokenizer_config.json`. */
  modelMaxLength: number;
}


const BOS = '<s>';
const PAD = '<pad>';
const EOS = '</s>';
const UNK = '<unk>';
const MASK = '<mask>';
/** Special pieces at the head of the vocabulary, in id order. `<mask>` goes at the end. */
const HEAD_SPECIALS = [BOS, PAD, EOS, UNK] as const;
const UNK_ID = 3;


/** Filler pieces: two Private Use Area characters, which NFKC leaves alone and real text does not contain. */
const FILLER_BASE = 0xe000;
const FILLER_RADIX = 0x1900; // U+E000..U+F8FF
const FILLER_SCORE = -1000;


/** The `i`-th filler piece: two Private Use Area characters, unique for i < 6400². */
function fillerPiece(i: number): string {
  return String.fromCharCode(FILLER_BASE + Math.floor(i / FILLER_RADIX), FILLER_BASE + (i % FILLER_RADIX));
}

function addedToken(id: number, content: string): Record<string, unknown> {
  return {
    id,
    content,
    single_word: false,
    lstrip: content === MASK, // as in XLM-R: `<mask>` swallows the space before it
    rstrip: false,
    normalized: true,
    special: true,
  };
}

function specialToken(content: string): Record<string, unknown> {
  return { content, lstrip: content === MASK, normalized: true, rstrip: false, single_word: false };
}

/**
 * Builds the three tokenizer files of an XLM-R style model, deterministically (byte-identical JSON on every run).
 *
 * @example
 * const files = buildTokenizer({ modelMaxLength: 512 });
 * files.vocabSize; // 2005: 4 specials, 2000 learned pieces, `<mask>`
 * buildTokenizer({ vocabSize: 250002, modelMaxLength: 8192 }).vocabSize; // 250002, `<mask>` = 250001
 */
export function buildTokenizer(opts: BuildTokenizerOptions): TokenizerFiles {
  const learned = learnPieces(CORPUS, DEFAULT_LEARNED_PIECES);
  const minimumSize = HEAD_SPECIALS.length + learned.length + 1;
  const vocabSize = opts.vocabSize ?? minimumSize;
  if (!Number.isInteger(vocabSize) || vocabSize < minimumSize) {
    throw new RangeError(`vocabSize ${vocabSize} is smaller than the learned vocabulary (${minimumSize} pieces)`);
  }
  const fillers = vocabSize - minimumSize;
  if (fillers > FILLER_RADIX * FILLER_RADIX) throw new RangeError(`vocabSize ${vocabSize} is too large`);

  const vocab: Array<[string, number]> = [
    ...HEAD_SPECIALS.map((piece) => [piece, 0] as [string, number]),
    ...learned,
    ...Array.from({ length: fillers }, (_, i) => [fillerPiece(i), FILLER_SCORE] as [string, number]),
    [MASK, 0],
  ];
  const maskId = vocab.length - 1;
  const specialIds: ReadonlyArray<readonly [string, number]> = [
    ...HEAD_SPECIALS.map((piece, id) => [piece, id] as const),
    [MASK, maskId],
  ];

  const metaspace = { type: 'Metaspace', replacement: METASPACE, prepend_scheme: 'always', split: true };
  const templatePiece = (kind: 'SpecialToken' | 'Sequence', id: string) => ({ [kind]: { id, type_id: 0 } });
  const tokenizer: Record<string, unknown> = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialIds.map(([content, id]) => addedToken(id, content)),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Replace', pattern: { Regex: CONTROL_PATTERN }, content: '' },
        { type: 'Replace', pattern: { Regex: SPACE_PATTERN }, content: ' ' },
        { type: 'NFKC' },
        { type: 'Replace', pattern: { Regex: SPACE_RUN_PATTERN }, content: ' ' },
      ],
    },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [templatePiece('SpecialToken', BOS), templatePiece('Sequence', 'A'), templatePiece('SpecialToken', EOS)],
      pair: [
        templatePiece('SpecialToken', BOS),
        templatePiece('Sequence', 'A'),
        templatePiece('SpecialToken', EOS),
        templatePiece('SpecialToken', EOS),
        templatePiece('Sequence', 'B'),
        templatePiece('SpecialToken', EOS),
      ],
      special_tokens: {
        [BOS]: { id: BOS, ids: [0], tokens: [BOS] },
        [EOS]: { id: EOS, ids: [2], tokens: [EOS] },
      },
    },
    decoder: metaspace,
    model: { type: 'Unigram', unk_id: UNK_ID, vocab, byte_fallback: false },
  };

  const tokenizerConfig: Record<string, unknown> = {
    added_tokens_decoder: Object.fromEntries(
      specialIds.map(([content, id]) => [String(id), { ...specialToken(content), special: true }]),
    ),
    bos_token: BOS,
    clean_up_tokenization_spaces: true,
    cls_token: BOS,
    eos_token: EOS,
    mask_token: MASK,
    model_max_length: opts.modelMaxLength,
    pad_token: PAD,
    sep_token: EOS,
    sp_model_kwargs: {},
    tokenizer_class: 'XLMRobertaTokenizer',
    unk_token: UNK,
  };

  const specialTokensMap: Record<string, unknown> = {
    bos_token: specialToken(BOS),
    cls_token: specialToken(BOS),
    eos_token: specialToken(EOS),
    mask_token: specialToken(MASK),
    pad_token: specialToken(PAD),
    sep_token: specialToken(EOS),
    unk_token: specialToken(UNK),
  };

  return { tokenizer, tokenizerConfig, specialTokensMap, vocabSize: vocab.length };
}
