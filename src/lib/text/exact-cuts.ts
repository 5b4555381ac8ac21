/**
 * Where a long text may be cut into pieces that tokenize to exactly the ids of the whole: the rules read from
 * tokenizer.json (a Unigram model with `▁` only first in a piece, Metaspace prepending it, a per-character
 * normalizer, no added token holding whitespace) and the characters a cut may follow. PairEncoder.encode and
 * planWindows (chunking.ts) cut only where these say the ids cannot change.
 */

/** SentencePiece's word-boundary marker. */
const METASPACE = '\u2581';

type Json = Record<string, unknown>;

/** ASCII whitespace a cut may come before, if the normalizer turns it into a space. */
export const CUT_SPACES = [' ', '\t', '\n', '\r'];

function compilePattern(pattern: { String?: string; Regex?: string } | undefined): RegExp | null {
  try {
    if (typeof pattern?.String === 'string') return new RegExp(pattern.String.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
    if (typeof pattern?.Regex === 'string') return new RegExp(pattern.Regex, 'gu');
  } catch {
    // Oniguruma syntax JavaScript cannot read: do not guess.
  }
  return null;
}

/**
 * Whether a `Replace` step only ever matches whitespace and leaves a space, so that it cannot act across a cut or
 * remove the space a cut keeps. Checked on probes: visible characters alone, doubled, and around whitespace.
 */
function replaceKeepsCuts(re: RegExp, content: unknown): boolean {
  const visible = [...Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)), 'é', 'ß', '中', 'あ', '한', '😀', '。', '，'];
  for (const v of visible) {
    if (`${v}${v}`.search(re) !== -1) return false;
    for (const space of [' ', '\t', '\n', '\r', '  ', '\n\n', ' \n ']) {
      for (const m of `${v}${space}x`.matchAll(re)) {
        if (m[0].length === 0) continue;
        if (m.index < v.length || m.index + m[0].length > v.length + space.length || content !== ' ') return false;
      }
    }
  }
  return true;
}

/**
 * Follows {@link CUT_SPACES} through the normalizer's steps (`forms`: what each has become so far). False if a step may
 * change text across a cut.
 */
function followNormalizer(step: Json | null | undefined, forms: Map<string, string>): boolean {
  if (step === null || step === undefined) return true;
  switch (step.type) {
    case 'Sequence':
      return Array.isArray(step.normalizers) && (step.normalizers as Json[]).every((s) => followNormalizer(s, forms));
    case 'Precompiled': // as transformers.js runs it: tab, newline, form feed and return become spaces, then NFKC
      for (const [c, form] of forms) if (/^[\t\n\f\r]$/.test(form)) forms.set(c, ' ');
      return true;
    // Unicode forms and case: whitespace is a starter that composes with nothing and has no case.
    case 'NFC': case 'NFKC': case 'NFD': case 'NFKD': case 'Lowercase':
      return true;
    case 'Replace': {
      const re = compilePattern(step.pattern as { String?: string; Regex?: string } | undefined);
      if (!re || !replaceKeepsCuts(re, step.content)) return false;
      for (const [c, form] of forms) forms.set(c, form.replace(re, String(step.content ?? '')));
      return true;
    }
    default:
      return false; // Strip, Prepend, BertNormalizer, ...: they act on the ends of the text or on more than a character
  }
}

/**
 * The ASCII whitespace before which any text can be cut, after a visible character, with ids(text) = ids(before) +
 * ids(after); '' when there is none. XLM-R's SentencePiece layout (bge-reranker-v2-m3, the generated models) has all
 * four, because:
 * - the normalizer maps characters one by one, or collapses space runs, so each side normalizes on its own, the
 *   visible character stays visible and the whitespace becomes a space;
 * - Metaspace prepends `▁` to a side only if it does not start with one, and the side after a cut does;
 * - no Unigram piece has `▁` past its first character, so every lattice path has a token starting at that `▁`, and
 *   `▁` itself is a piece, so no `<unk>` starts there to fuse with one before it: the Viterbi choices on each side are
 *   the whole text's (the same candidates in the same order);
 * - no added token holds whitespace, so none straddles a cut.
 * One case is left to {@link PairEncoder.isCut}: a side ending in text that normalizes to an added token.
 */
export function exactCutSpaces(tokenizerJson: Json, tokenizerConfig: Json): string {
  const model = tokenizerJson.model as { type?: string; vocab?: unknown } | undefined;
  if (model?.type === 'WordPiece') return wordPieceCutSpaces(tokenizerJson);
  if (model?.type !== 'Unigram' || !Array.isArray(model.vocab)) return '';
  let hasMetaspace = false;
  for (const entry of model.vocab as unknown[]) {
    const piece = Array.isArray(entry) ? entry[0] : undefined;
    if (typeof piece !== 'string' || piece.indexOf(METASPACE, 1) !== -1) return '';
    if (piece === METASPACE) hasMetaspace = true;
  }
  const pre = tokenizerJson.pre_tokenizer as Json | null | undefined;
  if (!hasMetaspace || pre?.type !== 'Metaspace' || (pre.replacement ?? METASPACE) !== METASPACE ||
    (pre.str_rep ?? METASPACE) !== METASPACE || (pre.prepend_scheme ?? 'always') !== 'always') return '';
  if (tokenizerConfig.remove_space === true || tokenizerConfig.do_lowercase_and_remove_accent) return '';
  const added = (tokenizerJson.added_tokens as { content?: unknown }[] | undefined) ?? [];
  if (added.some((t) => typeof t.content !== 'string' || /[\s\u2581]/u.test(t.content))) return '';
  const forms = new Map(CUT_SPACES.map((c) => [c, c]));
  if (!followNormalizer(tokenizerJson.normalizer as Json | null | undefined, forms)) return '';
  return forms.get(' ') === ' ' ? CUT_SPACES.filter((c) => forms.get(c) === ' ').join('') : '';
}

/**
 * BERT's layout (WordPiece, BertNormalizer, BertPreTokenizer): every ASCII whitespace is a cut, because the normalizer
 * acts character by character (clean_text, spacing around CJK, NFD accent stripping, lowercasing, whose final-sigma
 * rule stops at whitespace too), the pre-tokenizer drops whitespace and splits there, and WordPiece works per word.
 * Added tokens holding whitespace would straddle a cut: then there is none.
 */
function wordPieceCutSpaces(tokenizerJson: Json): string {
  const normalizer = tokenizerJson.normalizer as Json | null | undefined;
  const pre = tokenizerJson.pre_tokenizer as Json | null | undefined;
  if ((normalizer && normalizer.type !== 'BertNormalizer') || pre?.type !== 'BertPreTokenizer') return '';
  const added = (tokenizerJson.added_tokens as { content?: unknown }[] | undefined) ?? [];
  if (added.some((t) => typeof t.content !== 'string' || /\s/u.test(t.content))) return '';
  return CUT_SPACES.join('');
}

const VISIBLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
/** A character every supported normalizer keeps as visible text, with no space in its compatibility form. */
export function isStableCodePoint(cp: number): boolean {
  if (cp >= 0x21 && cp <= 0x7e) return true;
  const c = String.fromCodePoint(cp);
  const nfkc = c.normalize('NFKC');
  // U+FFFD: transformers.js' Precompiled normalizer turns it into a space; U+2581 is `▁` itself.
  return VISIBLE.test(c) && cp !== 0xfffd && cp !== 0x2581 && nfkc.length > 0 && !/[\s\u2581]/u.test(nfkc);
}

/** What added tokens look like after any supported normalizer, give or take removed characters (see isCut). */
export function looseForm(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, '').normalize('NFKC').toLowerCase();
}

/** Moves an index off the middle of a surrogate pair. */
export function codePointBoundary(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff && index > 0 ? index - 1 : index;
}

