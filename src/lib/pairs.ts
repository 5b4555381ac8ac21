/**
 * Builds cross-encoder inputs the way the reference implementation (FlagEmbedding's FlagReranker) does:
 * `<s> query </s></s> document </s>`, the query cut to at most ¾ of maxLength, only the document truncated to fit,
 * and the final `</s>` always present. (transformers.js' own pair truncation cuts the joined pair and drops the
 * final `</s>`, which changes scores.)
 */
export interface SpecialTokenIds {
  bos: number;
  eos: number;
  pad: number;
}

/** XLM-R's ids, shared by bge-reranker-v2-m3 and the generated models. */
export const XLMR_SPECIAL_TOKENS: SpecialTokenIds = { bos: 0, pad: 1, eos: 2 };

/** Special tokens in a pair: `<s>`, `</s></s>` between the texts, and the final `</s>`. */
export const PAIR_SPECIAL_TOKEN_COUNT = 4;

/** The smallest maxLength at which a ¾ query still leaves room for the special tokens. */
export const MIN_MAX_LENGTH = 16;
/** bge-reranker-v2-m3's usual max_length, and the most this project allows (the model has 8194 positions). */
export const DEFAULT_MAX_LENGTH = 512;
export const MAX_MAX_LENGTH = 8192;

export interface PairIds {
  ids: number[];
  /** The document (or the query, past its ¾ cap) lost tokens. */
  truncated: boolean;
}

export function maxQueryTokens(maxLength: number): number {
  return Math.floor((maxLength * 3) / 4);
}

/**
 * Tokens a document may have beside a query of `queryTokens` tokens (cut to ¾ of maxLength).
 *
 * @example
 * documentRoom(7, 512)  // → 501
 */
export function documentRoom(queryTokens: number, maxLength: number): number {
  return maxLength - Math.min(queryTokens, maxQueryTokens(maxLength)) - PAIR_SPECIAL_TOKEN_COUNT;
}

/**
 * @example
 * buildPairIds([10, 11], [20, 21, 22], 16, XLMR_SPECIAL_TOKENS)
 * // → { ids: [0, 10, 11, 2, 2, 20, 21, 22, 2], truncated: false }
 */
export function buildPairIds(queryIds: readonly number[], documentIds: readonly number[], maxLength: number,
  special: SpecialTokenIds = XLMR_SPECIAL_TOKENS): PairIds {
  const query = queryIds.slice(0, maxQueryTokens(maxLength));
  const document = documentIds.slice(0, Math.max(0, documentRoom(query.length, maxLength)));
  return {
    ids: [special.bos, ...query, special.eos, special.eos, ...document, special.eos],
    truncated: query.length < queryIds.length || document.length < documentIds.length,
  };
}
