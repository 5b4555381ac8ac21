/**
 * `npm run bench -- --runtime node --device webgpu`: the core in this Node process on Dawn's WebGPU (dawn.node; Mesa
 * lavapipe on a CPU machine, the GPU's Vulkan driver where there is one), the same onnxruntime-web `webgpu` build
 * browsers load. It runs wherever a Vulkan driver is, with no browser: the harness for GPU figures.
 *
 * Parts, all measured in one run on one session per dtype: the adapter; load; the seed's batch-size sweep at 128 and
 * 512 tokens per pair; the 50-document RAG case as a batch-1 loop (the seed's "before") and with token batching.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { createReranker } from '../../src/lib/runtime/load.ts';
import { kneeOf, runSweep, type SweepRow } from '../../src/lib/sweep/sweep.ts';
import type { PairEncoder } from '../../src/lib/text/tokenize.ts';
import type { Device, Dtype, FidelityCheck, RerankerInfo } from '../../src/lib/types.ts';
import { makeModel } from '../model/write-model.ts';
import type { GeneratedDtype, PresetName } from '../model/presets.ts';
import { describeDawnAdapter, installDawn, type DawnAdapter } from '../webgpu/dawn.ts';
import { encoderFromFolder, modelFiles } from './model-folder.ts';
import { spreadOf, type Spread } from './stats.ts';
import { equalLengthPairs, ragWorkload } from './workload.ts';

export interface NodeBenchOptions {
  preset: PresetName;
  modelDir: string;
  dtypes: Dtype[];
  device: Device;
  /** Tokens per pair of the sweeps (the seed measured at 128 and 512). */
  sweepTokens: number[];
  sweepBatchSizes: number[];
  sweepPairs: number;
  ragDocs: number;
  rounds: number;
  seed: number;
  /** Seed of a model generated when `modelDir` lacks a dtype's file. */
  modelSeed: number;
  /** Write the measured pairs here (sweep-<tokens>.json, rag.json), for a peer to score the same pairs. */
  pairsOut?: string;
  log: (line: string) => void;
}

export interface NodeDtypeResult {
  dtype: Dtype;
  info: Pick<RerankerInfo, 'backend' | 'dtype' | 'loadMs' | 'fallbacks' | 'notes'> & { fidelity: FidelityCheck | null };
  sweeps: { tokens: number; rows: SweepRow[]; knee: number | null }[];
  rag: { docs: number; tokens: number; loopMs: Spread; tokensMs: Spread; speedup: number } | null;
}

export interface NodeBenchResult {
  adapter: DawnAdapter | null;
  /** Why nothing ran on WebGPU, when nothing did. */
  unavailable?: string;
  results: NodeDtypeResult[];
  /** dtypes that could not run, with the reason. */
  failed: { dtype: Dtype; reason: string }[];
}

/**
 * Generates the model files a run needs when any is missing: all requested dtypes in one call, since config.json
 * lists which of them keep their weights in external data (deterministic: the same seed gives the same files).
 */
function ensureModels(o: NodeBenchOptions): void {
  const missing = o.dtypes.filter((d) => !fs.existsSync(path.join(o.modelDir, ONNX_FILE_BY_DTYPE[d])));
  if (missing.length === 0 && fs.existsSync(path.join(o.modelDir, 'config.json'))) return;
  const started = performance.now();
  o.log(`bench: generating ${o.preset} ${o.dtypes.join(', ')} into ${o.modelDir} (seed ${o.modelSeed}; ${missing.join(', ')} missing)`);
  makeModel({ preset: o.preset, dtypes: o.dtypes as GeneratedDtype[], seed: o.modelSeed, out: o.modelDir, safetensors: false });
  o.log(`bench: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function benchDtype(o: NodeBenchOptions, dtype: Dtype, encoder: PairEncoder): Promise<NodeDtypeResult> {
  const reranker = await createReranker({ model: { files: await modelFiles(o.modelDir, dtype) }, device: o.device, dtype });
  try {
    const { backend, loadMs, fallbacks, notes } = reranker.info;
    const fidelity = reranker.info.runtime?.fidelity ?? null;
    o.log(`bench: ${dtype} loaded on ${backend}/${reranker.info.dtype} in ${Math.round(loadMs)} ms` +
      `${fidelity ? `, self-check max |Δ| ${fidelity.maxDiff.toExponential(2)} ${fidelity.ok ? 'ok' : 'FAILED'}` : ''}`);
    const sweeps: NodeDtypeResult['sweeps'] = [];
    for (const tokens of o.sweepTokens) {
      const pairs = equalLengthPairs(encoder, o.sweepPairs, tokens, o.seed);
      const rows = await runSweep(reranker, pairs, { batchSizes: o.sweepBatchSizes, repeats: o.rounds, warmup: 1 });
      sweeps.push({ tokens, rows, knee: kneeOf(rows) });
      o.log(`bench: ${dtype} sweep at ${tokens} tokens: ${rows.map((r) => `${r.batchSize}:${r.pairsPerSecond?.toFixed(1) ?? r.status}`).join(' ')} pairs/s`);
    }
    let rag: NodeDtypeResult['rag'] = null;
    if (o.ragDocs > 0) {
      const work = ragWorkload(encoder, o.ragDocs, o.seed);
      const pairs = work.documents.map((d) => [work.query, d] as [string, string]);
      const loop = async () => {
        const t = performance.now();
        for (const p of pairs) await reranker.score([p], { batching: 'fixed', batchSize: 1 });
        return performance.now() - t;
      };
      const batched = async () => {
        const t = performance.now();
        await reranker.rerank(work.query, work.documents);
        return performance.now() - t;
      };
      await loop(); // untimed: the shapes of this workload compile here
      await batched();
      const loops: number[] = [];
      const tokenRuns: number[] = [];
      for (let i = 0; i < o.rounds; i++) {
        loops.push(await loop());
        tokenRuns.push(await batched());
      }
      const loopMs = spreadOf(loops);
      const tokensMs = spreadOf(tokenRuns);
      rag = { docs: o.ragDocs, tokens: work.pairTokens.reduce((a, b) => a + b, 0), loopMs, tokensMs, speedup: loopMs.median / tokensMs.median };
      o.log(`bench: ${dtype} RAG ${o.ragDocs} docs: loop ${loopMs.median.toFixed(0)} ms, token batching ${tokensMs.median.toFixed(0)} ms`);
    }
    return { dtype, info: { backend, dtype: reranker.info.dtype, loadMs, fallbacks, notes, fidelity }, sweeps, rag };
  } finally {
    await reranker.dispose();
  }
}

export async function runNodeBench(o: NodeBenchOptions): Promise<NodeBenchResult> {
  let adapter: DawnAdapter | null = null;
  if (o.device === 'webgpu') {
    // On a GPU machine VK_DRIVER_FILES / VK_ICD_FILENAMES name its driver; else lavapipe, when installed.
    const install = await installDawn();
    if (!install.adapter) return { adapter: null, unavailable: install.reason, results: [], failed: [] };
    adapter = install.adapter;
    o.log(`bench: WebGPU adapter ${describeDawnAdapter(adapter)}`);
  }
  fs.mkdirSync(o.modelDir, { recursive: true });
  ensureModels(o);
  const encoder = encoderFromFolder(o.modelDir);
  if (o.pairsOut) {
    fs.mkdirSync(o.pairsOut, { recursive: true });
    for (const tokens of o.sweepTokens) {
      fs.writeFileSync(path.join(o.pairsOut, `sweep-${tokens}.json`), JSON.stringify(equalLengthPairs(encoder, o.sweepPairs, tokens, o.seed)));
    }
    const work = ragWorkload(encoder, o.ragDocs, o.seed);
    fs.writeFileSync(path.join(o.pairsOut, 'rag.json'), JSON.stringify(work.documents.map((d) => [work.query, d])));
  }
  const results: NodeDtypeResult[] = [];
  const failed: NodeBenchResult['failed'] = [];
  for (const dtype of o.dtypes) {
    try {
      results.push(await benchDtype(o, dtype, encoder));
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      o.log(`bench: ${dtype} failed: ${reason}`);
      failed.push({ dtype, reason });
    }
  }
  return { adapter, results, failed };
}

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));

/** One markdown report: the adapter, a sweep table per dtype and token length, the RAG case side by side. */
export function reportNodeBench(o: NodeBenchOptions, r: NodeBenchResult): string {
  const lines: string[] = [];
  lines.push(`### Node runtime, ${o.device}${r.adapter ? ` on ${describeDawnAdapter(r.adapter)}` : ''}`, '');
  if (r.unavailable) {
    lines.push(`Could not run on WebGPU: ${r.unavailable}.`);
    return lines.join('\n');
  }
  lines.push(`${o.preset} preset (${o.modelDir}); sweeps of ${o.sweepPairs} pairs, ${o.rounds} measured run(s) after 1 warm-up; ` +
    'per-batch figures are the reranker\'s own batch records (tokenize + run).', '');
  for (const res of r.results) {
    const loadLine = `**${res.dtype}** on ${res.info.backend}/${res.info.dtype}: loaded in ${fmt(res.info.loadMs / 1000)} s` +
      (res.info.fidelity ? `; self-check vs wasm max |Δlogit| ${res.info.fidelity.maxDiff.toExponential(2)} (${res.info.fidelity.ok ? 'ok' : 'failed'})` : '');
    lines.push(loadLine, '');
    for (const sweep of res.sweeps) {
      lines.push(`| ${res.dtype}, ${sweep.tokens} tokens: batch | ms / batch (p50) | pairs/s | status |`, '|---|---|---|---|');
      for (const row of sweep.rows) {
        lines.push(`| ${row.batchSize}${row.batchSize === sweep.knee ? ' (knee)' : ''} | ${fmt(row.p50BatchMs)} | ${fmt(row.pairsPerSecond)} | ${row.status} |`);
      }
      lines.push('');
    }
  }
  const rag = r.results.filter((x) => x.rag);
  if (rag.length > 0) {
    lines.push(`| RAG, ${o.ragDocs} documents | tokens | loop, batch 1 (ms) | token batching (ms) | speed-up |`, '|---|---|---|---|---|');
    for (const x of rag) {
      lines.push(`| ${x.dtype} | ${x.rag!.tokens} | ${fmt(x.rag!.loopMs.median, 0)} (${fmt(x.rag!.loopMs.min, 0)}–${fmt(x.rag!.loopMs.max, 0)}) | ` +
        `${fmt(x.rag!.tokensMs.median, 0)} (${fmt(x.rag!.tokensMs.min, 0)}–${fmt(x.rag!.tokensMs.max, 0)}) | ${fmt(x.rag!.speedup, 2)}× |`);
    }
    lines.push('');
  }
  for (const f of r.failed) lines.push(`- ${f.dtype} could not run: ${f.reason}`);
  return lines.join('\n');
}
