/**
 * The part of `rerank` and `score` that every {@link Reranker} shares, whatever runs the model: the input checks, the
 * pooling of a long document's windows into its best one, sorting and `topK`, and logits into scores. The in-thread
 * onnxruntime reranker (reranker.ts) is one user; any other implementation uses the same functions, so every
 * implementation checks, pools and ranks alike.
 *
 * A second implementation of `Reranker` (another runtime, a server) is one file that writes only:
 * 1. `info` and `onInfoChange`: a `RerankerInfo`, the general part (model, dtype, labels, maxLength, where it runs in
 *    `backend`, ...) and `runtime: null` (`runtime` holds onnxruntime-web's details for this library's reranker);
 * 2. how it scores texts: (query, document text) pairs → scores in [0, 1], or logits through {@link scoresFromLogits};
 * 3. `rerank`: {@link checkRerankCall}, then its pieces (one per document, or with `longDocuments: 'chunk'` the
 *    windows of a document that does not fit, e.g. from `planWindows` with a tokenizer; an implementation without one
 *    may score whole documents), then {@link rankScores};
 * 4. `score`: {@link checkScoreCall}, then its scores in the pairs' order;
 * 5. `dispose`, and a `DisposedError` for calls after it.
 * test/helpers/keyword-reranker.ts is such a file (word overlap, 70 lines), served by the worker unchanged.
 */
import { InputError, RerankerError } from './errors.ts';
import type { RerankOptions, RerankResult } from './types.ts';
import { checkLimits, checkText, oneOf, positiveInteger, type Limits } from './validate.ts';

/** What a checked `rerank` call asks for beyond its texts. */
export interface RerankPlan {
  /** How many results to return: `topK`, at most the number of documents. */
  topK: number;
  longDocuments: 'truncate' | 'chunk';
  returnDocuments: boolean;
}

/** One scored text of a rerank call: a whole document, or one window of it (`longDocuments: 'chunk'`). */
export interface DocumentPiece {
  /** The document's position in the input. */
  document: number;
  /** The text (or the query beside it) was cut to fit. */
  truncated: boolean;
  /** The window's offsets, `document.slice(start, end)`; absent: the whole document. */
  window?: { start: number; end: number };
}

/**
 * Checks a rerank call's arguments (InputError naming the first wrong one) and the limits, and resolves its options.
 * @example
 * checkRerankCall('capital of France', ['Paris.', 'Berlin.'], { topK: 5 }, DEFAULT_LIMITS)
 * // → { topK: 2, longDocuments: 'truncate', returnDocuments: false }
 */
export function checkRerankCall(query: unknown, documents: unknown, options: RerankOptions, limits: Limits): RerankPlan {
  if (typeof options !== 'object' || options === null) throw new InputError('options must be an object');
  const text = checkText(query, 'query');
  if (text.trim() === '') throw new InputError('the query is empty');
  if (!Array.isArray(documents)) throw new InputError('documents must be an array of strings');
  if (documents.length === 0) throw new InputError('there are no documents to rerank');
  let characters = text.length;
  documents.forEach((d: unknown, i) => {
    characters += checkText(d, `document ${i}`).length;
  });
  checkLimits(documents.length, characters, limits, 'documents');
  return {
    topK: options.topK === undefined ? documents.length
      : Math.min(positiveInteger(options.topK, 'topK', Number.MAX_SAFE_INTEGER), documents.length),
    longDocuments: oneOf(options.longDocuments ?? 'truncate', 'longDocuments', ['truncate', 'chunk'] as const),
    returnDocuments: Boolean(options.returnDocuments),
  };
}

/**
 * Checks a score call's pairs (InputError naming the first wrong one) and the limits.
 * @example
 * checkScoreCall([['capital of France', 'Paris.']], DEFAULT_LIMITS) // → undefined (a bad pair throws)
 */
export function checkScoreCall(pairs: unknown, limits: Limits): void {
  if (!Array.isArray(pairs)) throw new InputError('pairs must be an array of [query, document]');
  if (pairs.length === 0) throw new InputError('there are no pairs to score');
  let characters = 0;
  pairs.forEach((p: unknown, i) => {
    if (!Array.isArray(p) || p.length !== 2) throw new InputError(`pair ${i} must be [query, document]`);
    characters += checkText(p[0], `the query of pair ${i}`).length + checkText(p[1], `the document of pair ${i}`).length;
  });
  checkLimits(pairs.length, characters, limits, 'pairs');
}

/**
 * The best-scoring piece of each document (max pooling over its windows, as Cohere does): `best[document]` is an
 * index into `pieces`. A tie keeps the earlier piece. Every document needs at least one piece.
 * @example
 * poolWindows([{ document: 0, truncated: false }, { document: 0, truncated: false }], [0.2, 0.9], 1) // → [1]
 */
export function poolWindows(pieces: readonly DocumentPiece[], scores: readonly number[], documents: number): number[] {
  if (scores.length !== pieces.length) throw new RerankerError(`${scores.length} scores for ${pieces.length} pieces`);
  const best: number[] = new Array<number>(documents).fill(-1);
  pieces.forEach((piece, k) => {
    const current = best[piece.document];
    if (current === -1 || scores[k] > scores[current]) best[piece.document] = k;
  });
  const missing = best.indexOf(-1);
  if (missing !== -1) throw new RerankerError(`document ${missing} has no scored piece`);
  return best;
}

/**
 * The results of a rerank call: each document scored by its best piece, sorted by score (ties by input position), the
 * first `plan.topK`. `pieces` defaults to one untruncated piece per document, in order. With `longDocuments: 'chunk'`
 * every result has a window; a piece without one stands for the whole document.
 * @example
 * rankScores(['Berlin.', 'Paris.'], [0.01, 0.98], { topK: 2, longDocuments: 'truncate', returnDocuments: false })
 * // → [{ index: 1, score: 0.98, truncated: false }, { index: 0, score: 0.01, truncated: false }]
 */
export function rankScores(documents: readonly string[], scores: readonly number[], plan: RerankPlan,
  pieces: readonly DocumentPiece[] = documents.map((_, document) => ({ document, truncated: false }))): RerankResult[] {
  const best = poolWindows(pieces, scores, documents.length);
  const results = documents.map((document, index): RerankResult => {
    const piece = pieces[best[index]];
    const window = piece.window ?? (plan.longDocuments === 'chunk' ? { start: 0, end: document.length } : undefined);
    return {
      index,
      score: scores[best[index]],
      truncated: piece.truncated,
      ...(window ? { window } : {}),
      ...(plan.returnDocuments ? { document } : {}),
    };
  });
  results.sort((a, b) => b.score - a.score || a.index - b.index);
  return results.slice(0, plan.topK);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Relevance logits → scores: the sigmoid's probability, or the logits themselves with `rawScores`. A logit that is not
 * finite is a RerankerError naming `ranOn` (what computed it): a backend computing wrong values, never a ranking.
 * @example
 * scoresFromLogits([0, 2], { rawScores: false, ranOn: 'wasm/q8' }) // → [0.5, 0.8807970779778823]
 */
export function scoresFromLogits(logits: ArrayLike<number>, { rawScores, ranOn }: { rawScores: boolean; ranOn: string }): number[] {
  return Array.from(logits, (logit, i) => {
    if (!Number.isFinite(logit)) {
      throw new RerankerError(`the model returned ${logit} for pair ${i} on ${ranOn}: ` +
        'this backend and dtype compute wrong values here; try wasm or another dtype');
    }
    return rawScores ? logit : sigmoid(logit);
  });
}
