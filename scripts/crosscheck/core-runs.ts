/**
 * Step 3 of the cross-check: our core (createReranker, rawScores) on every dtype file, on wasm in Node and in
 * Chromium on forced WebGPU and on wasm, one row per run against PyTorch fp32.
 *
 * src/lib is imported inside the functions, not at the top: crosscheck.ts registers onnxruntime-web's Node build
 * (ort-node-alias.mjs) first, and a static import would load src/lib before that.
 *
 * @example
 * const rows = await runCore({ modelDir, maxLength, batchSize, tolerance, pairs, reference, twoLabels: false,
 *   dtypes: ['fp32', 'q4'], backends: ['node-wasm'], webgpuDtypes: [], log });
 * // → [{ runtime: 'node', backend: 'wasm', dtype: 'fp32', status: 'ok', agreement: { maxAbsDiff: 1.9e-6, … } }, …]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Dtype, RerankerInfo } from '../../src/lib/types.ts';
import { ONNX_FILE_BY_DTYPE as ONNX_FILE } from '../../src/lib/dtypes.ts';
import type { BackendName } from './cli.ts';
import { maxProbabilityDiff } from './metrics.ts';
import { readBlob } from './read-blob.ts';
import { logitProblems, measured, type Reference, type Row } from './rows.ts';
import { PROJECT_ROOT } from './venv.ts';

export interface CoreRunInput {
  modelDir: string;
  maxLength: number;
  batchSize: number;
  tolerance: number;
  pairs: [string, string][];
  reference: Reference;
  /** A two-label model: also report the relevant probability's difference. */
  twoLabels: boolean;
  dtypes: readonly Dtype[];
  backends: readonly BackendName[];
  webgpuDtypes: readonly Dtype[];
  log: (line: string) => void;
}

interface RunResult { info: RerankerInfo | null; logits: number[] | null; runMs?: number; error?: string }

function coreRow(o: CoreRunInput, runtime: string, backend: string, dtype: Dtype, r: RunResult): Row {
  const row: Row = { runtime, backend, dtype, status: 'ok', note: '', runMs: r.runMs };
  if (!r.logits || !r.info) return { ...row, status: 'FAIL', note: r.error ?? 'no result' };
  const info = r.info;
  Object.assign(row, { ran: { backend: info.backend, dtype: info.dtype }, ...measured(r.logits, o.reference) });
  const notes: string[] = [];
  if (info.backend !== backend) {
    row.status = 'FAIL';
    notes.push(`ran on ${info.backend}: ${info.fallbacks.map((f) => f.reason).join('; ')}`);
  } else if (info.dtype !== dtype) {
    row.status = 'n/a';
    notes.push(`ran as ${info.dtype}: ${info.fallbacks.map((f) => f.reason).join('; ')}`);
  }
  // An fp32 row that ran as another dtype is n/a, not held to the fp32 tolerance.
  const problems = logitProblems(row.agreement!, info.dtype === 'fp32' && row.status === 'ok', o.tolerance);
  if (problems.length > 0) {
    row.status = 'FAIL';
    notes.push(...problems);
  }
  if (o.twoLabels) notes.push(`relevant probability max |Δ| ${maxProbabilityDiff(r.logits, [...o.reference.reference]).toExponential(2)}`);
  if (info.runtime?.fidelity) notes.push(`self-check vs wasm ${info.runtime.fidelity.maxDiff.toExponential(1)}`);
  row.note = notes.join('; ');
  return row;
}

function logRow(o: CoreRunInput, row: Row): void {
  const a = row.agreement;
  o.log(`${row.runtime} ${row.backend} ${row.dtype}: ${row.status}${a ? ` max|Δ| ${a.maxAbsDiff.toExponential(2)}, top-1 ${a.top1Agree}/${a.groups}` : ''}` +
    `${row.runMs !== undefined ? `, ${(row.runMs / 1000).toFixed(1)} s` : ''}${row.note ? ` (${row.note})` : ''}`);
}

async function nodeWasmRun(o: CoreRunInput, dtype: Dtype): Promise<RunResult> {
  const { createReranker } = await import('../../src/lib/index.ts');
  const files: Record<string, Blob> = {};
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) files[f] = new Blob([fs.readFileSync(path.join(o.modelDir, f))]);
  // The graph and its external data files (model.onnx_data, … for models past 2 GB).
  const graph = ONNX_FILE[dtype]!;
  const onnxDir = path.join(o.modelDir, path.dirname(graph));
  const names = fs.readdirSync(onnxDir).filter((f) => f === path.basename(graph) || f.startsWith(`${path.basename(graph)}_data`));
  for (const f of names) files[`${path.dirname(graph)}/${f}`] = readBlob(path.join(onnxDir, f));
  const options = { rawScores: true, batchSize: o.batchSize };
  const reranker = await createReranker({ model: { files }, device: 'wasm', dtype, maxLength: o.maxLength, numThreads: 1, cache: false });
  try {
    // V8 runs new wasm code on its baseline compiler first: one short warm pass so the timing is not a cold one.
    await reranker.score(o.pairs.slice(0, 4), options);
    const start = performance.now();
    const logits = await reranker.score(o.pairs, options);
    return { info: reranker.info, logits, runMs: performance.now() - start };
  } finally {
    await reranker.dispose();
  }
}

async function chromiumRuns(o: CoreRunInput, devices: ('webgpu' | 'wasm')[], available: readonly Dtype[], rows: Row[]): Promise<void> {
  const { openBrowserEnv } = await import('../../tools/browser/harness.ts');
  const relative = path.relative(PROJECT_ROOT, o.modelDir);
  if (relative.startsWith('..')) throw new Error(`the browser rows need the model inside the project (got ${o.modelDir})`);
  // Vite serves public/ at the root and every other project file at its own path.
  const modelUrl = `/${relative.startsWith('public/') ? relative.slice('public/'.length) : relative}/`;
  const env = await openBrowserEnv();
  try {
    const openPage = () => env.open('tools/pages/core.html', { ready: 'coreReady', timeoutMs: 120_000 });
    const page = await openPage();
    const userAgent = await page.evaluate(() => navigator.userAgent);
    o.log(`Chromium: ${userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? userAgent}`);
    const probe = await page.evaluate(() => window.probeAdapter());
    const shaderF16 = probe.adapter?.features.includes('shader-f16') ?? false;
    o.log(`WebGPU adapter: ${probe.adapter ? `${probe.adapter.vendor} ${probe.adapter.architecture} ${probe.adapter.description}` +
      `${probe.adapter.isFallbackAdapter ? ' (fallback adapter)' : ''}, shader-f16 ${shaderF16}` : probe.error}`);
    await page.close();
    for (const device of devices) {
      for (const dtype of available) {
        if (device === 'webgpu' && !o.webgpuDtypes.includes(dtype)) {
          rows.push({ runtime: 'chromium', backend: device, dtype, status: 'n/a',
            note: 'not run on WebGPU (its MatMulInteger nodes run on the CPU there; `--webgpu-dtypes all` runs it)' });
          continue;
        }
        if (device === 'webgpu' && (dtype === 'fp16' || dtype === 'q4f16') && !shaderF16) {
          // The core would load fp32 / q4 instead (a recorded fallback): that dtype's row already covers it.
          const instead = dtype === 'fp16' ? 'fp32' : 'q4';
          rows.push({ runtime: 'chromium', backend: device, dtype, status: 'n/a',
            note: `the WebGPU adapter lacks shader-f16, so the core loads ${instead} instead (see the ${instead} row)` });
          o.log(`chromium webgpu ${dtype}: n/a (no shader-f16)`);
          continue;
        }
        // A fresh page per run: wasm memory never shrinks, and in one shared page every run after the full model's
        // 2.3 GB fp32 one failed with "Execution context was destroyed".
        const runPage = await openPage();
        let result: RunResult;
        try {
          const r = await runPage.evaluate((req) => window.scoreWith(req), {
            device, dtype, modelUrl, maxLength: o.maxLength, pairs: o.pairs, rawScores: true, batchSize: o.batchSize,
          });
          result = { info: r.info, logits: r.scores, runMs: r.runMs };
        } catch (error) {
          result = { info: null, logits: null, error: `${(error as Error).message.split('\n')[0]}` };
          o.log(env.dumpLogs(10));
        } finally {
          await runPage.close().catch(() => {});
        }
        const row = coreRow(o, 'chromium', device, dtype, result);
        rows.push(row);
        logRow(o, row);
      }
    }
    if (env.problems().length > 0) o.log(`page problems:\n${env.dumpLogs(20)}`);
  } finally {
    await env.close();
  }
}

export async function runCore(o: CoreRunInput): Promise<Row[]> {
  const rows: Row[] = [];
  const available = o.dtypes.filter((d) => fs.existsSync(path.join(o.modelDir, ONNX_FILE[d]!)));
  for (const d of o.dtypes) if (!available.includes(d)) o.log(`skipping ${d}: ${ONNX_FILE[d]} is not in the model folder`);
  if (o.backends.includes('node-wasm')) {
    for (const dtype of available) {
      let result: RunResult;
      try {
        result = await nodeWasmRun(o, dtype);
      } catch (error) {
        result = { info: null, logits: null, error: (error as Error).message };
      }
      const row = coreRow(o, 'node', 'wasm', dtype, result);
      rows.push(row);
      logRow(o, row);
    }
  }
  const devices = o.backends.filter((b) => b.startsWith('chromium-')).map((b) => b.slice('chromium-'.length) as 'webgpu' | 'wasm');
  if (devices.length > 0) await chromiumRuns(o, devices, available, rows);
  return rows;
}
