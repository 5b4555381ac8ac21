/**
 * The benchmark's parts, one function each, in the order run.ts calls them; each returns its table. They share a
 * `BenchContext`: the options, the page with the core loaded, the tokenizer and the workloads.
 */
import type { Page } from 'playwright-core';
import { planBatches } from '../../src/lib/batching/batching.ts';
import type { BatchingMode } from '../../src/lib/types.ts';
import { kneeOf, type SweepRow } from '../../src/lib/sweep/sweep.ts';
import type { PairEncoder } from '../../src/lib/text/tokenize.ts';
import { isDevice, type RerankerInfo } from '../../src/lib/types.ts';
import { PROJECT_ROOT } from '../../tools/browser/harness.ts';
import { PAGE } from './browser.ts';
import type { BrowserEnv } from '../../tools/browser/harness.ts';
import { openNative } from './native.ts';
import { runPytorchPeer, type PeerOutcome } from './peers.ts';
import type { ColdStartTiming, LoadRequest, ScoreRequest, ScoreTiming } from './protocol.ts';
import { interleave, spreadOf } from './stats.ts';
import type { Workload } from './workload.ts';
import { MAX_LENGTH, type AutoTune, type BenchOptions, type BenchResult, type CeilingRow, type ColdStartRow, type StrategyTable,
  type TuningRow } from './options.ts';

export interface BenchContext {
  o: BenchOptions;
  page: Page;
  encoder: PairEncoder;
  pad: number;
  load: LoadRequest;
  info: RerankerInfo;
  score: (request: ScoreRequest) => Promise<ScoreTiming>;
  /** The seed table's equal-length pairs (also the ceiling's and the cold start's input). */
  sweepPairs: [string, string][];
  workloads: Workload[];
  modelDir: string;
  onnxFile: string;
}

/** Token ids of each pair, built exactly as the reranker builds them. */
function pairIds(encoder: PairEncoder, pairs: readonly (readonly [string, string])[]): number[][] {
  return pairs.map(([q, d]) => encoder.pairFromIds(encoder.encode(q), encoder.encode(d), MAX_LENGTH).ids);
}

function batchesOf(ids: number[][], mode: BatchingMode, batchSize: number, maxBatchTokens = 8192): number[][][] {
  return planBatches(ids.map((r) => r.length), { mode, batchSize, maxBatchTokens }).map((b) => b.indices.map((i) => ids[i]));
}

const shapeKey = (shapes: readonly (readonly [number, number])[]) => shapes.map(([r, w]) => `${r}x${w}`).sort().join(',');

const ragPairs = (w: Workload): [string, string][] => w.documents.map((d) => [w.query, d]);

/** maxBatchTokens from the sweep's knee (the smallest batch with ≥90 % of the best pairs/s) at `tokens` per pair. */
function autoTuneFrom(rows: readonly SweepRow[], tokens: number, source: string): AutoTune {
  const knee = kneeOf(rows);
  const maxBatchTokens = Math.max(tokens, (knee ?? 16) * tokens);
  // The budget alone bounds a batch: short pairs may fill it with many rows.
  return { source, knee, maxBatchTokens, batchSize: Math.max(16, Math.floor(maxBatchTokens / 16)) };
}

/** 1. The seed's table: a batch-size sweep over equal-length pairs. */
export async function sweepPart({ o, page, encoder, sweepPairs }: BenchContext): Promise<NonNullable<BenchResult['sweep']>> {
  o.log(`sweep: ${sweepPairs.length} pairs of ${o.sweepTokens} tokens, batch ${o.sweepBatchSizes.join('/')}`);
  const rows = await page.evaluate((r) => window.benchSweep(r), {
    pairs: sweepPairs, batchSizes: o.sweepBatchSizes, warmup: o.sweepWarmup, repeats: o.sweepRepeats,
  });
  const lengths = pairIds(encoder, sweepPairs).map((r) => r.length);
  return { pairs: sweepPairs.length, tokens: o.sweepTokens, minTokens: Math.min(...lengths), maxTokens: Math.max(...lengths),
    rows, knee: kneeOf(rows) };
}

/** 2. Strategies on the RAG workload: a batch-1 loop, fixed 16 in arrival order, token batching, auto-tuned. */
export async function strategiesPart({ o, page, score, sweepPairs, workloads }: BenchContext,
  sweep: BenchResult['sweep']): Promise<NonNullable<BenchResult['strategies']>> {
  let autoTune: AutoTune;
  if (sweep) {
    autoTune = autoTuneFrom(sweep.rows, o.sweepTokens, `the sweep's knee at ${o.sweepTokens} tokens`);
  } else {
    const probePairs = sweepPairs.slice(0, 32);
    const rows = await page.evaluate((r) => window.benchSweep(r), { pairs: probePairs, batchSizes: [1, 4, 16, 32], warmup: 0, repeats: 1 });
    autoTune = autoTuneFrom(rows, o.sweepTokens, `a probe sweep (32 pairs of ${o.sweepTokens} tokens, batch 1/4/16/32)`);
  }
  o.log(`auto-tune: knee ${autoTune.knee} → maxBatchTokens ${autoTune.maxBatchTokens}, at most ${autoTune.batchSize} pairs`);
  const tables: StrategyTable[] = [];
  for (const [index, w] of workloads.entries()) {
    const pairs = ragPairs(w);
    o.log(`strategies: 1 query × ${pairs.length} documents (${w.pairTokens.reduce((a, b) => a + b, 0)} tokens)`);
    const steps: ['a' | 'b' | 'c' | 'd', () => Promise<ScoreTiming>][] = [
      ['a', () => score({ pairs, mode: 'loop', batchSize: 1 })],
      ['b', () => score({ pairs, mode: 'fixed', batchSize: 16 })],
      ['c', () => score({ pairs, mode: 'tokens', batchSize: 16, maxBatchTokens: 8192 })],
      ['d', () => score({ pairs, mode: 'tokens', batchSize: autoTune.batchSize, maxBatchTokens: autoTune.maxBatchTokens })],
    ];
    // Warm-up rounds before the first workload only: later ones reuse warm kernels and a grown heap.
    const runs = await interleave(steps, o.rounds, index === 0 ? o.warmupRounds : 0);
    const labels = {
      a: '(a) loop, batch 1',
      b: '(b) fixed 16, arrival order',
      c: "(c) 'tokens' (8192 budget, ≤16 pairs)",
      d: `(d) auto-tuned 'tokens' (${autoTune.maxBatchTokens} budget, ≤${autoTune.batchSize} pairs)`,
    };
    const medians = Object.fromEntries(steps.map(([k]) => [k, spreadOf(runs[k].map((r) => r.wallMs)).median])) as Record<string, number>;
    tables.push({
      docs: pairs.length,
      tokens: w.pairTokens.reduce((a, b) => a + b, 0),
      minTokens: Math.min(...w.pairTokens),
      maxTokens: Math.max(...w.pairTokens),
      rows: steps.map(([key]) => {
        const timings = runs[key];
        const total = spreadOf(timings.map((r) => r.wallMs));
        const last = timings[timings.length - 1];
        return {
          key,
          label: labels[key],
          totalMs: total,
          pairsPerSecond: (pairs.length * 1000) / total.median,
          tokensPerSecond: (last.tokens * 1000) / total.median,
          paddedShare: last.paddedTokens > 0 ? 1 - last.tokens / last.paddedTokens : 0,
          executedPaddedShare: last.executedCells > 0 ? 1 - last.executedTokens / last.executedCells : 0,
          batches: last.batches,
          runs: last.executedRuns,
          vsLoop: medians.a / total.median,
          vsFixed16: medians.b / total.median,
          tokenizeMs: spreadOf(timings.map((r) => r.tokenizeMs)).median,
          runMs: spreadOf(timings.map((r) => r.runMs)).median,
        };
      }),
    });
  }
  return { autoTune, tables };
}

/** Speed-ups in place: the wasm length groups off (before) and on (after), the same calls interleaved. */
export async function tuningPart({ o, score, workloads }: BenchContext): Promise<TuningRow[]> {
  const pairs = ragPairs(workloads[0]);
  const rows: TuningRow[] = [];
  const calls: [string, ScoreRequest][] = [
    ['fixed 16, arrival order', { pairs, mode: 'fixed', batchSize: 16 }],
    ["'tokens' 8192, ≤16 pairs", { pairs, mode: 'tokens', batchSize: 16, maxBatchTokens: 8192 }],
  ];
  o.log(`tuning: wasm length groups off/on, ${calls.length} calls × ${pairs.length} documents`);
  const runs = await interleave(calls.flatMap(([name, request]) => [
    [`${name}|off`, () => score({ ...request, lengthGroups: false })],
    [`${name}|on`, () => score({ ...request, lengthGroups: true })],
  ] as [string, () => Promise<ScoreTiming>][]), o.rounds, 0);
  for (const [name] of calls) {
    const before = runs[`${name}|off`];
    const after = runs[`${name}|on`];
    const b = spreadOf(before.map((t) => t.wallMs));
    const a = spreadOf(after.map((t) => t.wallMs));
    rows.push({
      change: 'wasm: run a padded batch as tensors of similar lengths (batching.ts planTensors)',
      workload: `RAG ${pairs.length} docs, ${name}`,
      before: b,
      after: a,
      beforeRuns: before[before.length - 1].executedRuns,
      afterRuns: after[after.length - 1].executedRuns,
      speedup: b.median / a.median,
    });
  }
  return rows;
}

/** 3. The ceiling: ours, the bare session in the page, native onnxruntime; the same padded batches. */
export async function ceilingPart({ o, page, encoder, pad, load, info, score, sweepPairs, workloads, onnxFile }: BenchContext):
  Promise<{ rows: CeilingRow[]; nativeVersion: string }> {
  if (!isDevice(info.backend)) throw new Error(`the bench runs onnxruntime-web; the reranker ran on ${info.backend}`);
  const device = info.backend;
  const native = await openNative(onnxFile, o.threads);
  try {
    await page.evaluate((r) => window.benchBareLoad(r), { modelUrl: load.modelUrl, dtype: info.dtype, device, numThreads: o.threads });
    const ceilingWorkloads: { label: string; request: ScoreRequest }[] = [
      { label: `seed pairs (${o.sweepTokens} tokens), fixed 16`, request: { pairs: sweepPairs, mode: 'fixed', batchSize: 16 } },
      ...(workloads[0] ? [{
        label: `RAG ${workloads[0].documents.length} docs, 'tokens' 8192`,
        request: { pairs: ragPairs(workloads[0]), mode: 'tokens', batchSize: 16, maxBatchTokens: 8192 } as ScoreRequest,
      }] : []),
    ];
    const rows: CeilingRow[] = [];
    for (const { label, request } of ceilingWorkloads) {
      const ids = pairIds(encoder, request.pairs);
      const batches = batchesOf(ids, request.mode as BatchingMode, request.batchSize, request.maxBatchTokens);
      o.log(`ceiling: ${label}: ${batches.length} batches`);
      const runner = native;
      const runs = await interleave<'ours' | 'oursSame' | 'bare' | 'native', ScoreTiming | number>([
        ['ours', () => score(request)],
        ['oursSame', () => score({ ...request, lengthGroups: false })],
        ['bare', async () => (await page.evaluate((r) => window.benchBareRun(r), { batches, pad })).runMs],
        ['native', () => runner.run(batches, pad)],
      ], o.rounds, o.warmupRounds);
      const ours = runs.ours as ScoreTiming[];
      const expected = shapeKey(batches.map((b) => [b.length, Math.max(...b.map((r) => r.length))]));
      if (shapeKey(ours[0].shapes) !== expected) {
        throw new Error(`the bare run's batches differ from ours: ${shapeKey(ours[0].shapes)} vs ${expected}`);
      }
      const oursMs = spreadOf(ours.map((r) => r.wallMs));
      const oursSame = runs.oursSame as ScoreTiming[];
      const oursSameMs = spreadOf(oursSame.map((r) => r.wallMs));
      const bare = spreadOf(runs.bare as number[]);
      const nativeMs = spreadOf(runs.native as number[]);
      rows.push({
        workload: label,
        pairs: request.pairs.length,
        batches: batches.length,
        paddedTokens: batches.reduce((n, b) => n + b.length * Math.max(...b.map((r) => r.length)), 0),
        oursRuns: ours[ours.length - 1].executedRuns,
        ours: oursMs,
        oursRun: spreadOf(ours.map((r) => r.runMs)),
        bare,
        native: nativeMs,
        browserOverNative: bare.median / nativeMs.median,
        oursOverBare: oursMs.median / bare.median,
        oursSame: oursSameMs,
        oursSameOverBare: oursSameMs.median / bare.median,
      });
    }
    return { rows, nativeVersion: native.version };
  } finally {
    await native.close();
  }
}

/** 4. Cold start, each in a fresh page of the same profile (so the Cache API persists between them). */
export async function coldStartPart(o: BenchOptions, env: BrowserEnv, load: LoadRequest,
  pair: [string, string]): Promise<ColdStartRow[]> {
  const cold = async (cache: boolean): Promise<ColdStartTiming> => {
    const fresh = await env.open(PAGE, { ready: 'benchReady', timeoutMs: 120_000 });
    fresh.setDefaultTimeout(10 * 60_000);
    try {
      return await fresh.evaluate((r) => window.benchColdStart(r), { ...load, cache, pair });
    } finally {
      await fresh.close();
    }
  };
  o.log(`cold start: ${o.coldStarts} × (Cache API, local server), after one load that fills the cache`);
  await cold(true); // fills the Cache API
  const runs = await interleave<'cache' | 'server', ColdStartTiming>([
    ['cache', () => cold(true)],
    ['server', () => cold(false)],
  ], o.coldStarts, 0);
  const row = (source: ColdStartRow['source'], t: ColdStartTiming[]): ColdStartRow => ({
    source,
    readySinceNavigationMs: spreadOf(t.map((x) => x.readySinceNavigationMs)),
    loadMs: spreadOf(t.map((x) => x.loadMs)),
    firstScoreMs: spreadOf(t.map((x) => x.firstScoreMs)),
    firstScoreSinceNavigationMs: spreadOf(t.map((x) => x.firstScoreSinceNavigationMs)),
    filesFromCache: Math.min(...t.map((x) => x.filesFromCache)),
    files: t[0].files,
  });
  return [row('Cache API', runs.cache), row('local server (no cache)', runs.server)];
}

/** Peers run after the browser work, so they never share the CPU with it. */
export function pytorchPeerPart({ o, modelDir, sweepPairs }: Pick<BenchContext, 'o' | 'modelDir' | 'sweepPairs'>): PeerOutcome {
  o.log('peer: pytorch (sentence-transformers CrossEncoder)');
  const outcome = runPytorchPeer(PROJECT_ROOT, {
    modelDir,
    pairs: sweepPairs,
    batchSizes: o.sweepBatchSizes.filter((b) => b <= 32),
    threads: o.threads,
    repeats: o.sweepRepeats,
    warmup: Math.max(1, o.sweepWarmup),
    workDir: o.outDir,
  });
  if (outcome.status !== 'ran') o.log(`peer pytorch ${outcome.status}: ${outcome.reason}`);
  return outcome;
}
