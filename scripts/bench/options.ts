/** The benchmark's options and result shapes, shared by the runner, the report, the CLI and the smoke test. */
import os from 'node:os';
import path from 'node:path';
import type { SweepRow } from '../../src/lib/sweep/sweep.ts';
import type { Device, Dtype, RerankerInfo } from '../../src/lib/types.ts';
import { PROJECT_ROOT } from '../../tools/browser/harness.ts';
import type { PeerOutcome } from './peers.ts';
import type { PageEnvironment } from './protocol.ts';
import type { Spread } from './stats.ts';

export type Preset = 'tiny' | 'small' | 'full';
export const MAX_LENGTH = 512;

export interface BenchOptions {
  preset: Preset;
  /** Model folder; default by preset (tiny: the committed demo model; small/full: models/<preset>). */
  modelDir: string;
  dtype: Dtype;
  device: Device;
  threads: number;
  /** RAG workload sizes (documents per query). */
  docs: number[];
  quick: boolean;
  seed: number;
  /** Measured rounds (strategies, ceiling) and untimed warm-up rounds before them. */
  rounds: number;
  warmupRounds: number;
  sweepBatchSizes: number[];
  sweepPairs: number;
  sweepTokens: number;
  sweepRepeats: number;
  sweepWarmup: number;
  coldStarts: number;
  peers: string[];
  /** Where JSON (and peer files) go. */
  outDir: string;
  /** Parts to run (all by default). */
  parts: { sweep: boolean; strategies: boolean; tuning: boolean; ceiling: boolean; coldStart: boolean };
  log: (line: string) => void;
}

export const DEFAULT_MODEL_DIRS: Record<Preset, string> = {
  tiny: 'public/models/tiny-random-bge-reranker',
  small: 'models/small',
  full: 'models/full',
};

export function benchOptions(partial: Partial<BenchOptions> & { preset?: Preset; quick?: boolean }): BenchOptions {
  const quick = partial.quick ?? false;
  const preset = partial.preset ?? 'small';
  return {
    preset,
    modelDir: DEFAULT_MODEL_DIRS[preset],
    dtype: 'fp32',
    device: 'wasm',
    threads: os.cpus().length,
    docs: quick ? [50] : [50, 200],
    quick,
    seed: 7,
    rounds: quick ? 1 : 3,
    warmupRounds: quick ? 0 : 1,
    sweepBatchSizes: [1, 2, 4, 8, 16, 32, 64],
    sweepPairs: 64,
    sweepTokens: 128,
    sweepRepeats: quick ? 1 : 3,
    sweepWarmup: quick ? 0 : 1,
    coldStarts: quick ? 1 : 3,
    peers: [],
    outDir: path.join(PROJECT_ROOT, '.cache/bench'),
    parts: { sweep: true, strategies: true, tuning: true, ceiling: true, coldStart: true },
    log: (line) => console.error(line),
    ...partial,
  };
}

export interface StrategyRow {
  key: 'a' | 'b' | 'c' | 'd';
  label: string;
  totalMs: Spread;
  pairsPerSecond: number;
  tokensPerSecond: number;
  /** Padding share as batched (the records) and as run (a wasm batch may run as several tensors). */
  paddedShare: number;
  executedPaddedShare: number;
  batches: number;
  /** session.run calls. */
  runs: number;
  /** Speed-up over (a) and (b): their median total ms / this one's. */
  vsLoop: number;
  vsFixed16: number;
  tokenizeMs: number;
  runMs: number;
}

export interface StrategyTable {
  docs: number;
  tokens: number;
  minTokens: number;
  maxTokens: number;
  rows: StrategyRow[];
}

/** One speed-up measured in place: the same call with a switch off (before) and on (after), interleaved. */
export interface TuningRow {
  change: string;
  workload: string;
  before: Spread;
  after: Spread;
  beforeRuns: number;
  afterRuns: number;
  speedup: number;
}

export interface CeilingRow {
  workload: string;
  pairs: number;
  batches: number;
  paddedTokens: number;
  /** session.run calls ours made for these batches (more than batches where wasm split one by length). */
  oursRuns: number;
  ours: Spread;
  /** Our session wrapper alone (Σ records' runMs): feeds, session.run, reading logits. */
  oursRun: Spread;
  bare: Spread;
  native: Spread;
  browserOverNative: number;
  oursOverBare: number;
  /** Ours with the wasm length groups off: exactly the bare run's tensors, so the ratio is our overhead alone. */
  oursSame: Spread;
  oursSameOverBare: number;
}

export interface ColdStartRow {
  source: 'Cache API' | 'local server (no cache)';
  readySinceNavigationMs: Spread;
  loadMs: Spread;
  firstScoreMs: Spread;
  firstScoreSinceNavigationMs: Spread;
  filesFromCache: number;
  files: number;
}

export interface AutoTune {
  source: string;
  knee: number | null;
  maxBatchTokens: number;
  batchSize: number;
}

export interface BenchResult {
  meta: {
    date: string;
    preset: Preset;
    modelDir: string;
    model: { layers: number; hidden: number; heads: number; vocab: number; onnxFile: string; onnxBytes: number };
    dtype: Dtype;
    device: Device;
    threads: number;
    quick: boolean;
    seed: number;
    rounds: number;
    machine: { cores: number; cpu: string; memoryGiB: number; node: string; platform: string };
    browser: { version: string } & PageEnvironment;
    native: { onnxruntimeNode: string };
    info: Omit<RerankerInfo, 'files'>;
    durationMs?: number;
  };
  sweep: { pairs: number; tokens: number; minTokens: number; maxTokens: number; rows: SweepRow[]; knee: number | null } | null;
  strategies: { autoTune: AutoTune; tables: StrategyTable[] } | null;
  tuning: TuningRow[] | null;
  ceiling: CeilingRow[] | null;
  coldStart: ColdStartRow[] | null;
  peers: Record<string, PeerOutcome>;
}
