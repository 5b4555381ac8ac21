/**
 * Learning the generated BERT tokenizer's WordPiece vocabulary from the shipped corpus, deterministically: the text is
 * normalised and split as bert-base-uncased's tokenizer.json does (BertNormalizer, BertPreTokenizer), then every
 * character becomes a piece (so nothing in the corpus is `[UNK]`), and the remaining budget goes to whole words, word
 * beginnings and `##` continuations, ranked by the characters they save.
 */
import { compareCodePoints } from './unigram-learn.ts';

/** WordPiece's marker for a piece that continues a word. */
export const CONTINUATION = '##';
/** Learned pieces (single characters and their `##` forms included) when no size is asked for. */
export const DEFAULT_WORDPIECES = 2000;
/** Longest multi-character candidate, in code points (without `##`). */
const MAX_PIECE_CHARS = 8;
/** A candidate must occur at least this often in the corpus. */
const MIN_CANDIDATE_COUNT = 2;

/** BERT's `_is_chinese_char`: CJK ideograph blocks, which the normalizer surrounds with spaces (kana and Hangul not). */
const CJK_RANGES: readonly (readonly [number, number])[] = [
  [0x4e00, 0x9fff], [0x3400, 0x4dbf], [0x20000, 0x2a6df], [0x2a700, 0x2b73f], [0x2b740, 0x2b81f], [0x2b820, 0x2ceaf],
  [0xf900, 0xfaff], [0x2f800, 0x2fa1f],
];
const isCjk = (cp: number) => CJK_RANGES.some(([from, to]) => cp >= from && cp <= to);
/** Rust `tokenizers`' is_control: categories Cc, Cf, Cn, Co, except tab, newline and carriage return. */
const CONTROL_RE = /^[\p{Cc}\p{Cf}\p{Cn}\p{Co}]$/u;
const WHITESPACE_RE = /^\s$/u;
/** BertPreTokenizer's punctuation: ASCII punctuation or any Unicode P category; each one is a word of its own. */
const PUNCTUATION_RE = /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]$/u;

/**
 * BertNormalizer with clean_text, handle_chinese_chars and lowercase (strip_accents null, so accents are stripped
 * because lowercase is on), in the order Rust `tokenizers` applies them; lowercasing is per character, as Rust's.
 *
 * @example
 * bertNormalize('Héllo\t世界'); // 'hello  世  界 '
 */
export function bertNormalize(text: string): string {
  let cleaned = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\t' || ch === '\n' || ch === '\r') cleaned += ' ';
    else if (cp === 0 || cp === 0xfffd || CONTROL_RE.test(ch)) continue;
    else if (WHITESPACE_RE.test(ch)) cleaned += ' ';
    else cleaned += isCjk(cp) ? ` ${ch} ` : ch;
  }
  const stripped = cleaned.normalize('NFD').replace(/\p{Mn}/gu, '');
  return Array.from(stripped, (ch) => ch.toLowerCase()).join('');
}

/**
 * BertPreTokenizer: split on whitespace, and every punctuation character on its own.
 *
 * @example
 * bertPreTokenize('hello, world!'); // ['hello', ',', 'world', '!']
 */
export function bertPreTokenize(normalized: string): string[] {
  const words: string[] = [];
  let current = '';
  const flush = () => {
    if (current) words.push(current);
    current = '';
  };
  for (const ch of normalized) {
    if (WHITESPACE_RE.test(ch)) flush();
    else if (PUNCTUATION_RE.test(ch)) {
      flush();
      words.push(ch);
    } else current += ch;
  }
  flush();
  return words;
}

/** Each pre-tokenized word of the corpus and how often it occurs, in code-point order. */
function corpusWords(corpus: readonly string[]): Array<[word: string, count: number]> {
  const counts = new Map<string, number>();
  for (const text of corpus) {
    for (const word of bertPreTokenize(bertNormalize(text))) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => compareCodePoints(a, b));
}

/**
 * The learned pieces in vocabulary order: every character of the corpus, then each with `##`, then whole words, word
 * beginnings (`search` of `searching`) and `##` continuations (`##ing`) by characters saved (count × (length − 1)),
 * ties in code-point order, up to `maxPieces` in all (never fewer than the characters need).
 *
 * @example
 * learnWordPieces(['the cat sat on the mat'], 100);
 * // ['a', 'c', 'e', 'h', 'm', 'n', 'o', 's', 't', '##a', …, '##t', 'the', '##at', '##he', 'th']
 */
export function learnWordPieces(corpus: readonly string[], maxPieces: number): string[] {
  const words = corpusWords(corpus);
  const characters = [...new Set(words.flatMap(([word]) => Array.from(word)))].sort(compareCodePoints);
  const singles = [...characters, ...characters.map((ch) => CONTINUATION + ch)];

  const counts = new Map<string, number>();
  const add = (piece: string, count: number) => counts.set(piece, (counts.get(piece) ?? 0) + count);
  for (const [word, count] of words) {
    const chars = Array.from(word);
    if (chars.length >= 2) add(word, count);
    for (let start = 0; start < chars.length; start++) {
      for (let end = start + 2; end <= Math.min(chars.length, start + MAX_PIECE_CHARS); end++) {
        if (start === 0 && end === chars.length) continue; // the whole word, counted above
        const piece = chars.slice(start, end).join('');
        add(start === 0 ? piece : CONTINUATION + piece, count);
      }
    }
  }
  const saved = (piece: string, count: number) => count * (Array.from(piece.replace(/^##/, '')).length - 1);
  const ranked = [...counts]
    .filter(([, count]) => count >= MIN_CANDIDATE_COUNT)
    .map(([piece, count]) => [piece, saved(piece, count)] as const)
    .sort(([a, x], [b, y]) => y - x || compareCodePoints(a, b))
    .map(([piece]) => piece);
  return [...singles, ...ranked.slice(0, Math.max(0, maxPieces - singles.length))];
}
