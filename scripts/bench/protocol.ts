/** What crosses between the benchmark driver (Node) and its page (Chromium): plain, cloneable data only. */
import type { SweepRow } from '../../src/lib/sweep/sweep.ts';
import type { BatchingMode } from '../../src/lib/types.ts';
import type { Device, Dtype, RerankerInfo } from '../../src/lib/types.ts';

export interface PageEnvironment {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  userAgent: string;
}

export interface LoadRequest {
  /** Base URL of the model folder (absolute, or relative to the page). */
  modelUrl: string;
  dtype: Dtype;
  device: Device;
  numThreads: number;
  cache: boolean;
}

export interface SweepRequest {
  pairs: [string, string][];
  batchSizes: number[];
  warmup: number;
  repeats: number;
}

/** How a strategy scores: `loop` calls `score` once per pair (the seed's "before"); the others are one call. */
export interface ScoreRequest {
  pairs: [string, string][];
  mode: 'loop' | BatchingMode;
  batchSize: number;
  maxBatchTokens?: number;
  /** The score option `lengthGroups` for this call (default true): the before/after switch. */
  lengthGroups?: boolean;
}

export interface ScoreTiming {
  /** Wall time of the whole call (all calls, for `loop`), in the page. */
  wallMs: number;
  batches: number;
  tokens: number;
  paddedTokens: number;
  /** Σ of the records' runMs (our session wrapper: feeds, session.run, reading logits) and tokenizeMs. */
  runMs: number;
  tokenizeMs: number;
  /** Tensor cells and real tokens that ran (the batch records' `tensors`): a wasm batch may run as several tensors
   * of similar lengths, so this padding can be lower than `paddedTokens` (batches × their longest pair). */
  executedCells: number;
  executedTokens: number;
  executedRuns: number;
  /** Each batch's shape, to check the bare run sees the same tensors. */
  shapes: [number, number][];
}

export interface BareRequest {
  /** Rows of token ids per batch, unpadded; each batch is right-padded with `pad` to its longest row. */
  batches: number[][][];
  pad: number;
}

export interface BareTiming {
  /** Σ over batches of the time inside `session.run` alone (feeds built before the clock starts). */
  runMs: number;
  wallMs: number;
}

export interface ColdStartTiming {
  /** From navigation start (performance.timeOrigin) to the reranker being ready. */
  readySinceNavigationMs: number;
  /** createReranker's own loadMs (files, session, warm-up). */
  loadMs: number;
  /** The first score call after ready. */
  firstScoreMs: number;
  /** From navigation start to the first score returned. */
  firstScoreSinceNavigationMs: number;
  filesFromCache: number;
  files: number;
}

export type { SweepRow, RerankerInfo };

declare global {
  interface Window {
    benchReady: boolean;
    benchEnvironment(): PageEnvironment;
    benchLoad(request: LoadRequest): Promise<RerankerInfo>;
    benchSweep(request: SweepRequest): Promise<SweepRow[]>;
    benchScore(request: ScoreRequest): Promise<ScoreTiming>;
    benchBareLoad(request: Omit<LoadRequest, 'cache'>): Promise<void>;
    benchBareRun(request: BareRequest): Promise<BareTiming>;
    benchColdStart(request: LoadRequest & { pair: [string, string] }): Promise<ColdStartTiming>;
    benchDispose(): Promise<void>;
  }
}
