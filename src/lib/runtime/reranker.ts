/**
 * The in-thread reranker: tokenize → queue (batch) → run → score. Loading lives in load.ts; the checks, window pooling
 * and ranking every Reranker shares live in ranking.ts; this file turns calls into rows for the batching queue.
 */
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS } from '../batching/batching.ts';
import { BatchQueue } from '../batching/batch-queue.ts';
import { planWindows } from '../text/chunking.ts';
import { DisposedError, InputError } from '../errors.ts';
import { documentRoom, type PairIds } from '../text/pairs.ts';
import type { ModelSession } from './session.ts';
import { checkRerankCall, checkScoreCall, rankScores, scoresFromLogits, type DocumentPiece } from '../ranking.ts';
import type { PairEncoder } from '../text/tokenize.ts';
import type { BatchingMode, BatchRecord, RerankOptions, RerankResult, Reranker, RerankerInfo, ScoreOptions } from '../types.ts';
import { oneOf, positiveInteger, type Limits } from '../validate.ts';

/** The most pairs one batch may hold (the UI says so before a run). */
export const MAX_BATCH_SIZE = 4096;

interface ResolvedScoreOptions {
  batchSize: number;
  batching: BatchingMode;
  maxBatchTokens: number;
  lengthGroups: boolean;
  rawScores: boolean;
  signal?: AbortSignal;
  onBatch?: (record: BatchRecord) => void;
}

function resolveScoreOptions(options: ScoreOptions = {}): ResolvedScoreOptions {
  if (typeof options !== 'object' || options === null) throw new InputError('options must be an object');
  return {
    batchSize: positiveInteger(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize', MAX_BATCH_SIZE),
    batching: oneOf(options.batching ?? 'tokens', 'batching', ['fixed', 'tokens'] as const),
    maxBatchTokens: positiveInteger(options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS, 'maxBatchTokens', 1 << 24),
    lengthGroups: options.lengthGroups ?? true,
    rawScores: Boolean(options.rawScores),
    signal: options.signal,
    onBatch: options.onBatch,
  };
}

interface EncodedPair {
  pair: PairIds;
  ms: number;
}

/** Replaces the session after a device loss: the new session and the device it runs on, or null if it could not. */
export type SessionRecovery = (failed: ModelSession, error: unknown) => Promise<ModelSession | null>;

export interface LocalRerankerOptions {
  session: ModelSession;
  encoder: PairEncoder;
  info: RerankerInfo;
  limits: Limits;
  /** How long a partial batch waits for rows of concurrent calls (ms). */
  maxWaitMs: number;
  recover?: SessionRecovery;
}

export class LocalReranker implements Reranker {
  private session: ModelSession | null;
  private readonly encoder: PairEncoder;
  private readonly limits: Limits;
  private readonly queue: BatchQueue;
  private currentInfo: RerankerInfo;
  private readonly infoListeners = new Set<(info: RerankerInfo) => void>();

  constructor({ session, encoder, info, limits, maxWaitMs, recover }: LocalRerankerOptions) {
    this.session = session;
    this.encoder = encoder;
    this.limits = limits;
    this.currentInfo = info;
    this.queue = new BatchQueue({
      run: (rows) => this.live().run(rows, encoder.padId),
      backend: () => this.live().device,
      maxWaitMs,
      recover: recover && (async (error) => {
        const failed = this.live();
        const replacement = await recover(failed, error);
        if (!replacement || !this.session) return null;
        this.session = replacement;
        const reason = error instanceof Error ? error.message : String(error);
        if (replacement.device !== failed.device) {
          this.setInfo({
            ...this.currentInfo,
            backend: replacement.device,
            fallbacks: [...this.currentInfo.fallbacks, { from: failed.device, to: replacement.device, reason }],
          });
        }
        return { type: 'recovered', from: failed.device, to: replacement.device, reason };
      }),
    });
  }

  /** What runs the model; replaced (never mutated) when it changes, e.g. wasm after a lost GPU device. */
  get info(): RerankerInfo {
    return this.currentInfo;
  }

  onInfoChange(listener: (info: RerankerInfo) => void): () => void {
    this.infoListeners.add(listener);
    return () => this.infoListeners.delete(listener);
  }

  private setInfo(info: RerankerInfo): void {
    this.currentInfo = info;
    for (const listener of this.infoListeners) listener(info);
  }

  private live(): ModelSession {
    if (!this.session) throw new DisposedError('this reranker was disposed');
    return this.session;
  }

  /** The batch-size cap learned from out-of-memory errors, in padded tokens (null until one happened). */
  get learnedMaxPaddedTokens(): number | null {
    return this.queue.learnedMaxPaddedTokens;
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankResult[]> {
    this.live();
    const plan = checkRerankCall(query, documents, options, this.limits);
    const resolved = resolveScoreOptions(options);

    const maxLength = this.info.maxLength;
    // Long texts are tokenized only as far as the pair can hold, and one token more, which tells that they were cut.
    const queryIds = this.encoder.encodeQuery(query, maxLength);
    // One entry per scored piece; a chunked document owns several (its windows).
    const encoded: EncodedPair[] = [];
    const pieces: DocumentPiece[] = [];
    // Tokens a document may have beside the (capped) query.
    const room = documentRoom(queryIds.length, maxLength, this.encoder.template);
    documents.forEach((document, index) => {
      const start = performance.now();
      const ids = this.encoder.encodeDocument(document, queryIds, maxLength);
      if (plan.longDocuments === 'truncate' || ids.length <= room) {
        const pair = this.encoder.pairFromIds(queryIds, ids, maxLength);
        encoded.push({ pair, ms: performance.now() - start });
        pieces.push({ document: index, truncated: pair.truncated });
        return;
      }
      const windows = planWindows(document, this.encoder, room);
      const ms = (performance.now() - start) / windows.length;
      for (const w of windows) {
        const pair = this.encoder.pairFromIds(queryIds, w.ids, maxLength);
        encoded.push({ pair, ms });
        pieces.push({ document: index, truncated: pair.truncated || w.truncated, window: { start: w.start, end: w.end } });
      }
    });
    return rankScores(documents, await this.run(encoded, resolved), plan, pieces);
  }

  async score(pairs: readonly (readonly [string, string])[], options: ScoreOptions = {}): Promise<number[]> {
    this.live();
    checkScoreCall(pairs, this.limits);
    const resolved = resolveScoreOptions(options);
    const queryIds = new Map<string, number[]>();
    const maxLength = this.info.maxLength;
    const encoded = pairs.map(([q, d]): EncodedPair => {
      const start = performance.now();
      let ids = queryIds.get(q);
      if (!ids) queryIds.set(q, (ids = this.encoder.encodeQuery(q, maxLength)));
      const pair = this.encoder.pairFromIds(ids, this.encoder.encodeDocument(d, ids, maxLength), maxLength);
      return { pair, ms: performance.now() - start };
    });
    return this.run(encoded, resolved);
  }

  /** Queues encoded pairs (possibly sharing batches with concurrent calls) and turns logits into scores. */
  private async run(encoded: EncodedPair[], options: ResolvedScoreOptions): Promise<number[]> {
    const logits = await this.queue.submit(
      encoded.map((e) => ({ ids: e.pair.ids, typeIds: e.pair.typeIds, tokenizeMs: e.ms })),
      { mode: options.batching, batchSize: options.batchSize, maxBatchTokens: options.maxBatchTokens, lengthGroups: options.lengthGroups },
      { signal: options.signal, onBatch: options.onBatch },
    );
    return scoresFromLogits(logits, { rawScores: options.rawScores, ranOn: `${this.info.backend}/${this.info.dtype}` });
  }

  async dispose(): Promise<void> {
    const session = this.session;
    if (!session) return;
    await this.queue.close();
    this.session = null;
    await session.dispose();
  }
}
