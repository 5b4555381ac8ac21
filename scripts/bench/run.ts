/**
 * The benchmark: drives the project's own core in headless Chromium (scripts/bench/page.ts) and onnxruntime-node on
 * the same model and inputs. Four parts, each comparison interleaved (A B C A B C ...) and summarised by medians with
 * their spread:
 * 1. the seed's table: a batch-size sweep (src/lib/sweep/sweep.ts) over equal-length pairs;
 * 2. strategies on a RAG workload: a batch-1 loop, fixed 16 in arrival order, token-budget batching, auto-tuned;
 * 3. the ceiling: ours vs a bare session.run in the same page vs native onnxruntime on the same padded batches;
 * 4. cold start: from the Cache API (and from the local server) to the first score, each in a fresh page.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { encoderFromFolder, readModelJson } from './model-folder.ts';
import type { RerankerInfo } from '../../src/lib/types.ts';
import { PROJECT_ROOT } from '../../tools/browser/harness.ts';
import { makeModel } from '../model/write-model.ts';
import { MODEL_ROUTE, openBenchBrowser, PAGE } from './browser.ts';
import { ceilingPart, coldStartPart, pytorchPeerPart, strategiesPart, sweepPart, tuningPart, type BenchContext } from './parts.ts';
import type { LoadRequest, ScoreRequest } from './protocol.ts';
import { equalLengthPairs, ragWorkload } from './workload.ts';

export * from './options.ts';
import type { BenchOptions, BenchResult } from './options.ts';

/**
 * A fresh clone has no models/small or models/full: make the one the run needs (deterministic, seed 42 as
 * `npm run make-model`; ~4 s for small, a few minutes for full), with a line saying so.
 */
function generateModel(o: BenchOptions, modelDir: string): void {
  if (o.preset === 'tiny') throw new Error(`${modelDir} lacks ${ONNX_FILE_BY_DTYPE[o.dtype]}: run npm run make-demo-models`);
  o.log(`bench: ${path.relative(PROJECT_ROOT, modelDir)} has no ${ONNX_FILE_BY_DTYPE[o.dtype]}: generating the ${o.preset} model ` +
    `(npm run make-model -- --preset ${o.preset} --dtype ${o.dtype} --out ${o.modelDir})`);
  const started = performance.now();
  makeModel({ preset: o.preset, dtypes: [o.dtype], seed: 42, out: modelDir, safetensors: o.peers.length > 0 });
  o.log(`bench: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const o = options;
  const started = performance.now();
  const modelDir = path.resolve(PROJECT_ROOT, o.modelDir);
  const onnxFile = path.join(modelDir, ONNX_FILE_BY_DTYPE[o.dtype]);
  if (!fs.existsSync(onnxFile)) generateModel(o, modelDir);
  const config = readModelJson(modelDir, 'config.json');
  const encoder = encoderFromFolder(modelDir);
  const pad = encoder.padId;
  const load: LoadRequest = { modelUrl: MODEL_ROUTE, dtype: o.dtype, device: o.device, numThreads: o.threads, cache: false };

  o.log(`bench: ${o.preset} (${path.relative(PROJECT_ROOT, modelDir)}), ${o.dtype} on ${o.device}, ${o.threads} threads${o.quick ? ', quick' : ''}`);
  const env = await openBenchBrowser(modelDir);
  try {
    const page: Page = await env.open(PAGE, { ready: 'benchReady', timeoutMs: 120_000 });
    page.setDefaultTimeout(30 * 60_000);
    const environment = await page.evaluate(() => window.benchEnvironment());
    if (o.threads > 1 && !environment.crossOriginIsolated) o.log('warning: the page is not cross-origin isolated: wasm runs on 1 thread');
    const info = await page.evaluate((r) => window.benchLoad(r), load);
    o.log(`loaded: ${info.backend}/${info.dtype}, ${info.runtime?.numThreads ?? '–'} threads, ${Math.round(info.loadMs)} ms; ` +
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

    const ctx: BenchContext = {
      o, page, encoder, pad, load, info, score, modelDir, onnxFile,
      sweepPairs: equalLengthPairs(encoder, o.sweepPairs, o.sweepTokens, o.seed),
      workloads: o.docs.map((n) => ragWorkload(encoder, n, o.seed)),
    };
    if (o.parts.sweep) result.sweep = await sweepPart(ctx);
    if (o.parts.strategies) result.strategies = await strategiesPart(ctx, result.sweep);
    if (o.parts.tuning && o.device === 'wasm' && ctx.workloads[0]) result.tuning = await tuningPart(ctx);
    if (o.parts.ceiling) {
      const ceiling = await ceilingPart(ctx);
      result.ceiling = ceiling.rows;
      result.meta.native.onnxruntimeNode = ceiling.nativeVersion;
    }
    await page.evaluate(() => window.benchDispose());
    await page.close();
    if (o.parts.coldStart) result.coldStart = await coldStartPart(o, env, load, ctx.sweepPairs[0]);
    if (o.peers.includes('pytorch')) result.peers.pytorch = pytorchPeerPart(ctx);
    const problems = env.problems();
    if (problems.length > 0) throw new Error(`the page had errors:\n${env.dumpLogs()}`);
    result.meta.durationMs = performance.now() - started;
    return result;
  } finally {
    await env.close();
  }
}
