/**
 * The generated tokenizer's normalisation, in the two forms that must agree: the patterns written into
 * tokenizer.json's normalizer (read by transformers.js and Rust `tokenizers`), and the same steps in JavaScript for
 * learning the vocabulary from normalised text.
 */

/** SentencePiece's word-boundary marker, U+2581. */
export const METASPACE = '\u2581';

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

export const CONTROL_PATTERN = characterClass(CONTROL_RANGES);
export const SPACE_PATTERN = characterClass(SPACE_RANGES);
export const SPACE_RUN_PATTERN = ' {2,}';

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
