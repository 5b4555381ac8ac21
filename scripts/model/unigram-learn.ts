/**
 * Learning the generated tokenizer's Unigram vocabulary from the shipped corpus: candidate substrings, then hard-EM
 * rounds of Viterbi segmentation and re-estimated scores; deterministic (ties broken by code point, a hashed jitter).
 */
import { METASPACE, metaspaceWords, normalizeText } from './normalize.ts';

/** Learned pieces (single characters included) when no size is asked for; the corpus may yield fewer. */
export const DEFAULT_LEARNED_PIECES = 2000;
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
export function compareCodePoints(a: string, b: string): number {
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
export function hashFraction(text: string): number {
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
export function learnPieces(corpus: readonly string[], maxPieces: number): Array<[piece: string, score: number]> {
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
