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

export interface TokenizerFiles {
  /** Contents of `tokenizer.json`. */
  tokenizer: Record<string, unknown>;
  /** Contents of `tokenizer_config.json`. */
  tokenizerConfig: Record<string, unknown>;
  /** Contents of `special_tokens_map.json`. */
  specialTokensMap: Record<string, unknown>;
  /** Number of pieces, including the special tokens and `<mask>`. */
  vocabSize: number;
}

export interface BuildTokenizerOptions {
  /** Pad the vocabulary with never-matching filler pieces up to exactly this size (`<mask>` stays last). */
  vocabSize?: number;
  /** `model_max_length` in `tokenizer_config.json`. */
  modelMaxLength: number;
}

/** SentencePiece's word-boundary marker, U+2581. */
export const METASPACE = '\u2581';

const BOS = '<s>';
const PAD = '<pad>';
const EOS = '</s>';
const UNK = '<unk>';
const MASK = '<mask>';
/** Special pieces at the head of the vocabulary, in id order. `<mask>` goes at the end. */
const HEAD_SPECIALS = [BOS, PAD, EOS, UNK] as const;
const UNK_ID = 3;

/** Learned pieces (single characters included) when no size is asked for; the corpus may yield fewer. */
const DEFAULT_LEARNED_PIECES = 2000;
/** Longest multi-character piece, counted in code points (a leading `▁` included). */
const MAX_PIECE_CHARS = 12;
/**
 * Longest Han/kana piece (without `▁`). Real XLM-R's CJK pieces are mostly words of 1 to 3 characters; without a cap,
 * a phrase that happens to occur twice in this tiny corpus would become one piece.
 */
const MAX_HAN_PIECE_CHARS = 4;
/** A substring must occur at least this often in the corpus to become a candidate piece. */
const MIN_CANDIDATE_COUNT = 2;
/** Hard-EM rounds: segment the corpus with the current scores, re-estimate the scores from piece usage. */
const EM_ROUNDS = 4;
/**
 * Share of a piece's raw corpus count added to its Viterbi usage: unused candidates keep a finite log-probability
 * that still ranks them by frequency, so they serve as subword fallbacks for text outside the corpus.
 */
const PRIOR_WEIGHT = 0.05;
/** Upper bound of the per-piece jitter that keeps all scores, and so all Viterbi paths, distinct. */
const SCORE_JITTER = 1e-6;

/** Filler pieces: two Private Use Area characters, which NFKC leaves alone and real text does not contain. */
const FILLER_BASE = 0xe000;
const FILLER_RADIX = 0x1900; // U+E000..U+F8FF
const FILLER_SCORE = -1000;

type Range = readonly [from: number, to: number];

/** C0/C1 control characters other than the whitespace ones (tab, LF, VT, FF, CR, NEL), removed like SentencePiece. */
const CONTROL_RANGES: readonly Range[] = [
  [0x00, 0x08],
  [0x0e, 0x1f],
  [0x7f, 0x84],
  [0x86, 0x9f],
];

/**
 * Characters mapped to a plain space before NFKC, following SentencePiece's `nmt_nfkc` rule: ASCII and Unicode
 * whitespace, zero-width characters, BOM, and `▁` itself (so user text can never fake a word boundary).
 */
const SPACE_RANGES: readonly Range[] = [
  [0x09, 0x0d],
  [0x85, 0x85],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200f],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x2581, 0x2581],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

/** A character class written with `\uHHHH` escapes, which Oniguruma (Rust) and JavaScript (`u` flag) both read. */
function characterClass(ranges: readonly Range[]): string {
  const hex = (cp: number) => `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `[${ranges.map(([from, to]) => (from === to ? hex(from) : `${hex(from)}-${hex(to)}`)).join('')}]`;
}

const CONTROL_PATTERN = characterClass(CONTROL_RANGES);
const SPACE_PATTERN = characterClass(SPACE_RANGES);
const SPACE_RUN_PATTERN = ' {2,}';

const CONTROL_RE = new RegExp(CONTROL_PATTERN, 'gu');
const SPACE_RE = new RegExp(SPACE_PATTERN, 'gu');
const SPACE_RUN_RE = new RegExp(SPACE_RUN_PATTERN, 'gu');

/**
 * The tokenizer's normalizer, in JavaScript: what `tokenizer.json`'s `normalizer` does to a text.
 *
 * @example
 * normalizeText('Ｈｉ,\t世界？\u0007'); // 'Hi, 世界?'
 */
export function normalizeText(text: string): string {
  return text.replace(CONTROL_RE, '').replace(SPACE_RE, ' ').normalize('NFKC').replace(SPACE_RUN_RE, ' ');
}

/**
 * Metaspace pre-tokenization of normalized text: spaces become `▁`, a `▁` is prepended, and the text is split before
 * every `▁`, so each word starts with `▁` and contains no other.
 *
 * @example
 * metaspaceWords('Hi, 世界?'); // ['▁Hi,', '▁世界?']
 */
export function metaspaceWords(normalized: string): string[] {
  if (normalized.length === 0) return [];
  const replaced = normalized.replaceAll(' ', METASPACE);
  const text = replaced.startsWith(METASPACE) ? replaced : METASPACE + replaced;
  return text.split(/(?=\u2581)/u);
}

/**
 * Coarse script classes, after SentencePiece's `split_by_unicode_script` and `split_by_number`: a multi-character
 * piece never mixes classes (Han with Latin, letters with digits), apart from its leading `▁`.
 */
type CharClass = 'han' | 'latin' | 'cyrillic' | 'greek' | 'hangul' | 'letter' | 'digit' | 'mark' | 'symbol';

function charClass(ch: string): CharClass {
  if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30FC]/u.test(ch)) return 'han';
  if (/\p{Nd}/u.test(ch)) return 'digit';
  if (/\p{M}/u.test(ch)) return 'mark';
  if (/\p{Script=Latin}/u.test(ch)) return 'latin';
  if (/\p{Script=Cyrillic}/u.test(ch)) return 'cyrillic';
  if (/\p{Script=Greek}/u.test(ch)) return 'greek';
  if (/\p{Script=Hangul}/u.test(ch)) return 'hangul';
  if (/\p{L}/u.test(ch)) return 'letter';
  return 'symbol';
}

/** Compares strings by code point, so ordering never depends on UTF-16 surrogate quirks or locale. */
function compareCodePoints(a: string, b: string): number {
  const ac = Array.from(a);
  const bc = Array.from(b);
  const n = Math.min(ac.length, bc.length);
  for (let i = 0; i < n; i++) {
    const d = ac[i]!.codePointAt(0)! - bc[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ac.length - bc.length;
}

/** FNV-1a of the UTF-16 code units, as a fraction in [0, 1): a stable per-piece jitter. */
function hashFraction(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 4294967296;
}

/** Corpus words (Metaspace-split, normalized) with their counts, sorted by code point. */
function corpusWords(corpus: readonly string[]): Array<[word: string, count: number]> {
  const counts = new Map<string, number>();
  for (const line of corpus) {
    for (const word of metaspaceWords(normalizeText(line))) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => compareCodePoints(a[0], b[0]));
}

/** Most likely segmentation of `chars` under `scores` (log-probabilities); characters are always pieces here. */
function segment(chars: readonly string[], scores: ReadonlyMap<string, number>): string[] {
  const n = chars.length;
  const best = new Float64Array(n + 1).fill(-Infinity);
  const from = new Int32Array(n + 1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - MAX_PIECE_CHARS); start < end; start++) {
      if (best[start] === -Infinity) continue;
      const score = scores.get(chars.slice(start, end).join(''));
      if (score === undefined) continue;
      if (best[start]! + score > best[end]!) {
        best[end] = best[start]! + score;
        from[end] = start;
      }
    }
  }
  const pieces: string[] = [];
  for (let end = n; end > 0; end = from[end]!) pieces.push(chars.slice(from[end]!, end).join(''));
  return pieces.reverse();
}

/**
 * Learns `[piece, log-probability]` pairs from the corpus, a small cousin of SentencePiece's trainer: every character
 * plus every single-script substring seen at least twice start as candidates; hard EM (Viterbi-segment the corpus,
 * re-estimate from piece usage) picks which are used; the vocabulary is pruned to `maxPieces` by usage and
 * re-estimated. Output is sorted by score, best first.
 */
function learnPieces(corpus: readonly string[], maxPieces: number): Array<[piece: string, score: number]> {
  const words = corpusWords(corpus).map(([word, count]) => [Array.from(word), count] as const);

  const charCounts = new Map<string, number>();
  const substringCounts = new Map<string, number>();
  for (const [chars, count] of words) {
    for (const ch of chars) charCounts.set(ch, (charCounts.get(ch) ?? 0) + count);
    for (let start = 0; start < chars.length; start++) {
      // Past the leading `▁`, every character must share one class; marks join whatever precedes them.
      let cls: CharClass | undefined;
      for (let end = start + 1; end <= Math.min(chars.length, start + MAX_PIECE_CHARS); end++) {
        const ch = chars[end - 1]!;
        if (!(end - 1 === 0 && ch === METASPACE)) {
          const c = charClass(ch);
          if (cls === undefined) cls = c;
          else if (c !== cls && c !== 'mark') break;
        }
        if (cls === 'han' && end - start - (chars[start] === METASPACE ? 1 : 0) > MAX_HAN_PIECE_CHARS) break;
        if (end - start < 2) continue;
        const piece = chars.slice(start, end).join('');
        substringCounts.set(piece, (substringCounts.get(piece) ?? 0) + count);
      }
    }
  }

  const singles = [...charCounts.keys()].sort(compareCodePoints);
  const prior = new Map<string, number>(singles.map((ch) => [ch, charCounts.get(ch)!]));
  for (const [piece, count] of [...substringCounts].sort((a, b) => compareCodePoints(a[0], b[0]))) {
    if (count >= MIN_CANDIDATE_COUNT) prior.set(piece, count);
  }

  let pieces = [...prior.keys()];
  let usage = new Map<string, number>();
  let scores = new Map<string, number>();
  const estimate = (priorWeight: number) => {
    const mass = (piece: string) => (usage.get(piece) ?? 0) + priorWeight * prior.get(piece)!;
    let total = 0;
    for (const piece of pieces) total += mass(piece);
    scores = new Map(pieces.map((piece) => [piece, Math.log(mass(piece) / total)]));
  };
  const emRounds = () => {
    for (let round = 0; round < EM_ROUNDS; round++) {
      usage = new Map();
      for (const [chars, count] of words) {
        for (const piece of segment(chars, scores)) usage.set(piece, (usage.get(piece) ?? 0) + count);
      }
      estimate(PRIOR_WEIGHT);
    }
  };

  // Start from the raw counts, re-estimate, keep the most used multi-character pieces (then the most frequent
  // unused ones), and re-estimate without the pruned ones. Characters are never pruned.
  estimate(1);
  emRounds();
  const keptMulti = pieces
    .filter((piece) => !charCounts.has(piece))
    .sort(
      (a, b) =>
        (usage.get(b) ?? 0) - (usage.get(a) ?? 0) ||
        prior.get(b)! - prior.get(a)! ||
        Array.from(b).length - Array.from(a).length ||
        compareCodePoints(a, b),
    )
    .slice(0, Math.max(0, maxPieces - singles.length));
  pieces = [...singles, ...keptMulti];
  estimate(PRIOR_WEIGHT);
  emRounds();

  return pieces
    .map((piece) => [piece, scores.get(piece)! - SCORE_JITTER * hashFraction(piece)] as [string, number])
    .sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
}

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
