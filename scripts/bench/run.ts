/**
 * The benchmark: drives the project's own core in headless Chromium (scripts/bench/page.ts) and onnxruntime-node on
 * the same model and inputs. Four parts, each comparison interleaved (A B C A B C ...) and summarised by medians with
 * their spread:
 * 1. the seed's table: a batch-size sweep (src/lib/sweep.ts) over equal-length pairs;
 * 2. strategies on a RAG workload: a batch-1 loop, fixed 16 in arrival order, token-budget batching, auto-tuned;
 * 3. the ceiling: ours vs a bare session.run in the same page vs native onnxruntime on the same padded batches;
 * 4. cold start: from the Cache API (and from the local server) to the first score, each in a fresh page.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { planBatches, type BatchingMode } from '../../src/lib/batching.ts';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/backend.ts';
import { kneeOf, type SweepRow } from '../../src/lib/sweep.ts';
import { PairEncoder } from '../../src/lib/tokenize.ts';
import type { RerankerInfo } from '../../src/lib/types.ts';
import { PROJECT_ROOT } from '../../test/browser/harness.ts';
import { MODEL_ROUTE, openBenchBrowser, PAGE } from './browser.ts';
import { openNative, type NativeRunner } from './native.ts';
import { runPytorchPeer } from './peers.ts';
import type { ColdStartTiming, LoadRequest, ScoreRequest, ScoreTiming } from './protocol.ts';
import { interleave, spreadOf } from './stats.ts';
import { equalLengthPairs, ragWorkload, type Workload } from './workload.ts';

export * from './options.ts';
import { MAX_LENGTH, type AutoTune, type BenchOptions, type BenchResult, type CeilingRow, type ColdStartRow, type StrategyTable, type TuningRow } from './options.ts';

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function encoderFor(modelDir: string): PairEncoder {
  return PairEncoder.fromFiles({
    tokenizerJson: readJson(path.join(modelDir, 'tokenizer.json')),
    tokenizerConfig: readJson(path.join(modelDir, 'tokenizer_config.json')),
    modelConfig: readJson(path.join(modelDir, 'config.json')),
  });
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

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const o = options;
  const started = performance.now();
  const modelDir = path.resolve(PROJECT_ROOT, o.modelDir);
  const onnxFile = path.join(modelDir, ONNX_FILE_BY_DTYPE[o.dtype]);
  if (!fs.existsSync(onnxFile)) {
    throw new Error(`${path.relative(PROJECT_ROOT, onnxFile)} is missing: generate it with ` +
      `\`npm run make-model -- --preset ${o.preset} --dtype ${o.dtype} --seed ${o.seed} --out ${o.modelDir}\``);
  }
  const config = readJson(path.join(modelDir, 'config.json'));
  const encoder = encoderFor(modelDir);
  const pad = encoder.special.pad;
  const load: LoadRequest = { modelUrl: MODEL_ROUTE, dtype: o.dtype, device: o.device, numThreads: o.threads, cache: false };

  o.log(`bench: ${o.preset} (${path.relative(PROJECT_ROOT, modelDir)}), ${o.dtype} on ${o.device}, ${o.threads} threads${o.quick ? ', quick' : ''}`);
  const env = await openBenchBrowser(modelDir);
  let native: NativeRunner | null = null;
  try {
    const page: Page = await env.open(PAGE, { ready: 'benchReady', timeoutMs: 120_000 });
    page.setDefaultTimeout(30 * 60_000);
    const environment = await page.evaluate(() => window.benchEnvironment());
    if (o.threads > 1 && !environment.crossOriginIsolated) o.log('warning: the page is not cross-origin isolated: wasm runs on 1 thread');
    const info = await page.evaluate((r) => window.benchLoad(r), load);
    o.log(`loaded: ${info.backend}/${info.dtype}, ${info.numThreads} threads, ${Math.round(info.loadMs)} ms; ` +
      `isolated: ${environment.crossOriginIsolated}`);
    const score = (r: ScoreRequest) => page.evaluate((req) => window.benchScore(req), r);
    // Untimed: the first runs of a fresh session (kernels, allocator) are slower than the rest.
    await score({ pairs: equalLengthPairs(encoder, 4, Math.min(64, o.sweepTokens), o.seed + 1), mode: 'fixed', batchSize: 2 });

    const result: BenchResult = {
      meta: {
        date: new Date().toISOString(),
        preset: o.preset,
        modelDir: path.relative(PROJECT_ROOT, modelDir),
        model: {
          layers: Number(config.num_hidden_layers),
          hidden: Number(config.hidden_size),
          heads: Number(config.num_attention_heads),
          vocab: Number(config.vocab_size),
          onnxFile: ONNX_FILE_BY_DTYPE[o.dtype],
          onnxBytes: fs.statSync(onnxFile).size,
        },
        dtype: o.dtype,
        device: o.device,
        threads: o.threads,
        quick: o.quick,
        seed: o.seed,
        rounds: o.rounds,
        machine: {
          cores: os.cpus().length,
          cpu: os.cpus()[0]?.model ?? 'unknown',
          memoryGiB: Math.round(os.totalmem() / 2 ** 30),
          node: process.version,
          platform: `${os.platform()} ${os.release()}`,
        },
        browser: { version: env.browser.version(), ...environment },
        native: { onnxruntimeNode: '' },
        info: { ...info, files: undefined } as Omit<RerankerInfo, 'files'>,
      },
      sweep: null,
      strategies: null,
      tuning: null,
      ceiling: null,
      coldStart: null,
      peers: {},
    };

    // 1. The seed's table.
    const sweepPairs = equalLengthPairs(encoder, o.sweepPairs, o.sweepTokens, o.seed);
    if (o.parts.sweep) {
      o.log(`sweep: ${sweepPairs.length} pairs of ${o.sweepTokens} tokens, batch ${o.sweepBatchSizes.join('/')}`);
      const rows = await page.evaluate((r) => window.benchSweep(r), {
        pairs: sweepPairs, batchSizes: o.sweepBatchSizes, warmup: o.sweepWarmup, repeats: o.sweepRepeats,
      });
      const lengths = pairIds(encoder, sweepPairs).map((r) => r.length);
      result.sweep = { pairs: sweepPairs.length, tokens: o.sweepTokens, minTokens: Math.min(...lengths), maxTokens: Math.max(...lengths),
        rows, knee: kneeOf(rows) };
    }

    // 2. Strategies on the RAG workload.
    const workloads = o.docs.map((n) => ragWorkload(encoder, n, o.seed));
    if (o.parts.strategies) {
      let autoTune: AutoTune;
      if (result.sweep) {
        autoTune = autoTuneFrom(result.sweep.rows, o.sweepTokens, `the sweep's knee at ${o.sweepTokens} tokens`);
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
      result.strategies = { autoTune, tables };
    }

    // Speed-ups in place: src/lib/session.ts' wasm length groups off (before) and on (after), same calls interleaved.
    if (o.parts.tuning && o.device === 'wasm' && workloads[0]) {
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
          change: 'wasm: run a padded batch as tensors of similar lengths (session.ts cost model)',
          workload: `RAG ${pairs.length} docs, ${name}`,
          before: b,
          after: a,
          beforeRuns: before[before.length - 1].executedRuns,
          afterRuns: after[after.length - 1].executedRuns,
          speedup: b.median / a.median,
        });
      }
      result.tuning = rows;
    }

    // 3. The ceiling: ours, the bare session in the page, native onnxruntime; same padded batches.
    if (o.parts.ceiling) {
      native = await openNative(onnxFile, o.threads);
      result.meta.native.onnxruntimeNode = native.version;
      await page.evaluate((r) => window.benchBareLoad(r), { modelUrl: load.modelUrl, dtype: info.dtype, device: info.backend, numThreads: o.threads });
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
      result.ceiling = rows;
      await native.close();
      native = null;
    }
    await page.evaluate(() => window.benchDispose());
    await page.close();

    // 4. Cold start, each in a fresh page of the same profile (so the Cache API persists between them).
    if (o.parts.coldStart) {
      const pair = sweepPairs[0];
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
      result.coldStart = [row('Cache API', runs.cache), row('local server (no cache)', runs.server)];
    }

    // Peers run after the browser work, so they never share the CPU with it.
    if (o.peers.includes('pytorch')) {
      o.log('peer: pytorch (sentence-transformers CrossEncoder)');
      result.peers.pytorch = runPytorchPeer(PROJECT_ROOT, {
        modelDir,
        pairs: sweepPairs,
        batchSizes: o.sweepBatchSizes.filter((b) => b <= 32),
        threads: o.threads,
        repeats: o.sweepRepeats,
        warmup: Math.max(1, o.sweepWarmup),
        workDir: o.outDir,
      });
      if (result.peers.pytorch.status !== 'ran') o.log(`peer pytorch ${result.peers.pytorch.status}: ${result.peers.pytorch.reason}`);
    }
    const problems = env.problems();
    if (problems.length > 0) throw new Error(`the page had errors:\n${env.dumpLogs()}`);
    result.meta.durationMs = performance.now() - started;
    return result;
  } finally {
    await native?.close().catch(() => {});
    await env.close();
  }
}
