/**
 * `npm run crosscheck`: our core against Hugging Face's own stack (Rust tokenizers, PyTorch, sentence-transformers)
 * on the seed's ten Chinese pairs plus generated pairs of mixed lengths and languages. Not part of `npm test`: it needs
 * the Python venv (`.venv`, created on first use by venv.ts) and, for the browser rows, Debian's Chromium.
 *
 * Architecture-agnostic: config.json's `model_type` (xlm-roberta, bert) names the PyTorch class and what to expect;
 * the pair layout comes from the tokenizer's post-processor on both sides. By default both demo models are checked,
 * XLM-R's and BERT's, one after the other (`--model A,B` does the same for any folders).
 *
 * 1. Our ids and token types: transformers.js through src/lib (PairEncoder.pairFromIds), exactly as the core builds
 *    pairs (XLM-R `<s> q </s></s> d </s>`; BERT `[CLS] q [SEP] d [SEP]`, types 0 then 1).
 * 2. Python (crosscheck.py): Rust `tokenizers` ids and types must equal ours (the reference rule on each text's
 *    encoding; Rust's own pair encoding where nothing is cut); PyTorch fp32 logits on our ids and types;
 *    CrossEncoder(dir) on the raw texts. A two-label model's logit is label 1 − label 0, as the core scores it.
 * 2b. Python (quantizers.py, python-onnx.ts): onnxruntime's own quantizers (MatMulNBitsQuantizer for q4, ONNXQuantizer
 *    for int8 / uint8, as transformers.js calls them) on our fp32 file must give our q4 / int8 / uint8 files (every
 *    initializer byte-equal, every node equal) and q4f16's 4-bit weights; Python onnxruntime runs every dtype file.
 * 3. Our core (createReranker, rawScores) on wasm in Node, and in Chromium on forced WebGPU (SwiftShader here) and on
 *    wasm, for each ONNX file (fp32, fp16, q8, int8, uint8, q4, q4f16): max |Δlogit| against PyTorch fp32 (fp32 must
 *    be within 1e-4), and for every dtype the rank agreement per query (Spearman, top-1).
 * 4. A markdown table on stdout, and results.md + results.json (+ the inputs) under .cache/crosscheck/NAME/ (report.ts).
 *    Exit status 1 when a check fails.
 *
 * @example
 * // npm run crosscheck                                   (both demo models, 10 seed + 200 generated pairs, maxLength 512)
 * // npm run crosscheck -- --model models/minilm --count 40 --backends node-wasm,chromium-wasm
 * // npm run crosscheck -- --model models/full --count 16 --max-length 128 --backends node-wasm --dtypes fp32,q8
 * // prints | runtime | backend | dtype | max abs Δ logit (all) | … | check | and writes .cache/crosscheck/minilm-512/results.md
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { register } from 'node:module';
import { parseArgs } from 'node:util';
import type { Dtype, RerankerInfo } from '../../src/lib/types.ts';
import { crosscheckPairs, type CrosscheckPair } from './pairs.ts';
import { compareLogits, maxProbabilityDiff } from './metrics.ts';
import { ensureVenv, PROJECT_ROOT } from './venv.ts';
import { writeReport, type PythonResult, type ReportInput, type Row } from './report.ts';
import { readBlob } from './read-blob.ts';
import { pythonOnnxRows, runPythonOnnx } from './python-onnx.ts';
import { ONNX_FILE_BY_DTYPE as ONNX_FILE } from '../../src/lib/dtypes.ts';
import { DTYPES as GENERATED_DTYPES } from '../model/presets.ts';

// Node runs onnxruntime-web's Node build, as the unit tests do (vitest.config.ts): registered before src/lib loads.
register('./ort-node-alias.mjs', import.meta.url);
const { createReranker } = await import('../../src/lib/index.ts');
const { PairEncoder } = await import('../../src/lib/tokenize.ts');
const { parseModelConfig } = await import('../../src/lib/model-config.ts');

const BACKENDS = ['node-wasm', 'chromium-webgpu', 'chromium-wasm'] as const;
type BackendName = (typeof BACKENDS)[number];
const DTYPES: readonly Dtype[] = GENERATED_DTYPES;
/**
 * The dtypes WebGPU is for, whose kernels all run on the GPU (README, Browser support); q8, int8 and uint8 run their
 * MatMulInteger nodes on the CPU there. Chromium's WebGPU here is SwiftShader, about 3 minutes a dtype on the demo
 * model's 210 pairs: by default only these get WebGPU rows (`--webgpu-dtypes all` for every one).
 */
const WEBGPU_DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q4', 'q4f16'];
const DEMO_MODELS = ['public/models/tiny-random-bge-reranker', 'public/models/tiny-random-bert-reranker'];

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: DEMO_MODELS.join(',') },
    'max-length': { type: 'string', default: '512' },
    count: { type: 'string', default: '200' },
    seed: { type: 'string', default: '7' },
    dtypes: { type: 'string', default: DTYPES.join(',') },
    backends: { type: 'string', default: BACKENDS.join(',') },
    'webgpu-dtypes': { type: 'string', default: WEBGPU_DTYPES.join(',') },
    'batch-size': { type: 'string', default: '16' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    tolerance: { type: 'string', default: '1e-4' },
    out: { type: 'string' },
    'no-cross-encoder': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: npm run crosscheck -- [--model DIR[,DIR…]] [--max-length 512] [--count 200] [--seed 7] ' +
    `[--dtypes ${DTYPES.join(',')}] [--backends ${BACKENDS.join(',')}] [--webgpu-dtypes ${WEBGPU_DTYPES.join(',')}|all] ` +
    '[--batch-size 16] [--threads N] ' +
    '[--tolerance 1e-4] [--out DIR] [--no-cross-encoder]');
  process.exit(0);
}

const models = args.model!.split(',').filter(Boolean);
if (models.length > 1) {
  // One child per model, so each gets a fresh process (wasm memory never shrinks); --out becomes a parent folder.
  const rest = process.argv.slice(2).filter((a, i, all) => a !== '--model' && all[i - 1] !== '--model' && !a.startsWith('--model=')
    && a !== '--out' && all[i - 1] !== '--out' && !a.startsWith('--out='));
  let failed = 0;
  for (const model of models) {
    const out = args.out ? ['--out', path.join(args.out, `${path.basename(model)}-${args['max-length']}`)] : [];
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--model', model, ...out, ...rest],
      { stdio: 'inherit' });
    if (child.status !== 0) failed++;
  }
  process.stderr.write(`[crosscheck] ${models.length - failed}/${models.length} models passed\n`);
  process.exit(failed === 0 ? 0 : 1);
}
const modelDir = path.resolve(models[0]!);
const maxLength = Number(args['max-length']);
const batchSize = Number(args['batch-size']);
const tolerance = Number(args.tolerance);
const dtypes = args.dtypes!.split(',').filter(Boolean) as Dtype[];
const backends = args.backends!.split(',').filter(Boolean) as BackendName[];
const webgpuDtypes = args['webgpu-dtypes'] === 'all' ? DTYPES : args['webgpu-dtypes']!.split(',').filter(Boolean) as Dtype[];
for (const b of backends) if (!BACKENDS.includes(b)) throw new Error(`unknown backend ${b}; known: ${BACKENDS.join(', ')}`);
for (const d of [...dtypes, ...webgpuDtypes]) if (!DTYPES.includes(d)) throw new Error(`unknown dtype ${d}; known: ${DTYPES.join(', ')}`);
const name = `${path.basename(modelDir)}-${maxLength}`;
const outDir = path.resolve(args.out ?? path.join(PROJECT_ROOT, '.cache', 'crosscheck', name));
fs.mkdirSync(outDir, { recursive: true });
const log = (line: string) => process.stderr.write(`[crosscheck] ${line}\n`);

// 1. Our ids, built the way the core builds them.
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(modelDir, file), 'utf8')) as Record<string, unknown>;
const encoder = PairEncoder.fromFiles({
  tokenizerJson: readJson('tokenizer.json'),
  tokenizerConfig: readJson('tokenizer_config.json'),
  modelConfig: parseModelConfig(readJson('config.json')),
});
const pairs: CrosscheckPair[] = crosscheckPairs({ count: Number(args.count), seed: Number(args.seed) });
const encoded = pairs.map((p) => encoder.pairFromIds(encoder.encode(p.query), encoder.encode(p.document), maxLength));
const pairsFile = path.join(outDir, 'pairs.json');
fs.writeFileSync(pairsFile, JSON.stringify({ maxLength, pairs: pairs.map((p, i) => ({ ...p, ids: encoded[i]!.ids,
  typeIds: encoded[i]!.typeIds ?? null, truncated: encoded[i]!.truncated })) }));
const lengths = encoded.map((row) => row.ids.length).sort((a, b) => a - b);
log(`${pairs.length} pairs (${pairs.filter((p) => p.source === 'seed').length} seed), ` +
  `${lengths[0]}–${lengths.at(-1)} tokens (median ${lengths[lengths.length >> 1]}), model ${path.relative(PROJECT_ROOT, modelDir)}`);

// 2. Hugging Face's stack.
const python = ensureVenv();
const pythonFile = path.join(outDir, 'python.json');
const started = performance.now();
execFileSync(python, [path.join(PROJECT_ROOT, 'scripts/crosscheck/crosscheck.py'), '--model', modelDir, '--pairs', pairsFile,
  '--out', pythonFile, '--threads', args.threads!, '--batch-size', String(batchSize),
  ...(args['no-cross-encoder'] ? ['--no-cross-encoder'] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
log(`python done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const py = JSON.parse(fs.readFileSync(pythonFile, 'utf8')) as PythonResult;
const reference = py.torch.logits;
const groups = pairs.map((p) => p.group);
const seedIndices = pairs.flatMap((p, i) => (p.source === 'seed' ? [i] : []));

// 2b. onnxruntime's quantizers against our files; Python onnxruntime on every file.
const onnxStarted = performance.now();
const onnx = runPythonOnnx({ python, modelDir, pairsFile, outDir, threads: args.threads!, batchSize });
log(`python onnxruntime done in ${((performance.now() - onnxStarted) / 1000).toFixed(1)} s`);
const rows: Row[] = pythonOnnxRows(onnx, reference, groups, seedIndices, tolerance);

// 3. Our core.

function record(runtime: string, backend: string, dtype: Dtype, info: RerankerInfo | null, logits: number[] | null,
  runMs: number | undefined, error?: string): void {
  const row: Row = { runtime, backend, dtype, status: 'ok', note: '', runMs };
  if (!logits || !info) {
    row.status = 'FAIL';
    row.note = error ?? 'no result';
  } else {
    row.ran = { backend: info.backend, dtype: info.dtype };
    row.agreement = compareLogits(logits, reference, groups);
    row.seedMaxDiff = seedIndices.reduce((m, i) => Math.max(m, Math.abs(logits[i]! - reference[i]!)), 0);
    const notes: string[] = [];
    if (info.backend !== backend) {
      row.status = 'FAIL';
      notes.push(`ran on ${info.backend}: ${info.fallbacks.map((f) => f.reason).join('; ')}`);
    } else if (info.dtype !== dtype) {
      row.status = 'n/a';
      notes.push(`ran as ${info.dtype}: ${info.fallbacks.map((f) => f.reason).join('; ')}`);
    }
    if (!row.agreement.finite) {
      row.status = 'FAIL';
      notes.push('non-finite logits');
    } else if (info.dtype === 'fp32' && row.agreement.maxAbsDiff > tolerance && row.status === 'ok') {
      row.status = 'FAIL';
      notes.push(`fp32 max |Δ| above ${tolerance}`);
    }
    if (py.model.labels === 2) notes.push(`relevant probability max |Δ| ${maxProbabilityDiff(logits, reference).toExponential(2)}`);
    if (info.fidelity) notes.push(`self-check vs wasm ${info.fidelity.maxDiff.toExponential(1)}`);
    row.note = notes.join('; ');
  }
  rows.push(row);
  const a = row.agreement;
  log(`${runtime} ${backend} ${dtype}: ${row.status}${a ? ` max|Δ| ${a.maxAbsDiff.toExponential(2)}, top-1 ${a.top1Agree}/${a.groups}` : ''}` +
    `${runMs !== undefined ? `, ${(runMs / 1000).toFixed(1)} s` : ''}${row.note ? ` (${row.note})` : ''}`);
}

const textPairs = pairs.map((p): [string, string] => [p.query, p.document]);
const scoreOptions = { rawScores: true, batchSize };
const available = dtypes.filter((d) => fs.existsSync(path.join(modelDir, ONNX_FILE[d]!)));
for (const d of dtypes) if (!available.includes(d)) log(`skipping ${d}: ${ONNX_FILE[d]} is not in the model folder`);

if (backends.includes('node-wasm')) {
  const base: Record<string, Blob> = {};
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) base[f] = new Blob([fs.readFileSync(path.join(modelDir, f))]);
  for (const dtype of available) {
    try {
      // The graph and its external data files (model.onnx_data, … for models past 2 GB).
      const graph = ONNX_FILE[dtype]!;
      const onnxDir = path.join(modelDir, path.dirname(graph));
      const names = fs.readdirSync(onnxDir).filter((f) => f === path.basename(graph) || f.startsWith(`${path.basename(graph)}_data`));
      const files = { ...base };
      for (const f of names) files[`${path.dirname(graph)}/${f}`] = readBlob(path.join(onnxDir, f));
      const reranker = await createReranker({ model: { files }, device: 'wasm', dtype, maxLength, numThreads: 1, cache: false });
      try {
        // V8 runs new wasm code on its baseline compiler first: one short warm pass so the timing is not a cold one.
        await reranker.score(textPairs.slice(0, 4), scoreOptions);
        const start = performance.now();
        const logits = await reranker.score(textPairs, scoreOptions);
        record('node', 'wasm', dtype, reranker.info, logits, performance.now() - start);
      } finally {
        await reranker.dispose();
      }
    } catch (error) {
      record('node', 'wasm', dtype, null, null, undefined, (error as Error).message);
    }
  }
}

const browserBackends = backends.filter((b) => b.startsWith('chromium-')).map((b) => b.slice('chromium-'.length) as 'webgpu' | 'wasm');
if (browserBackends.length > 0) {
  const { openBrowserEnv } = await import('../../test/browser/harness.ts');
  const relative = path.relative(PROJECT_ROOT, modelDir);
  if (relative.startsWith('..')) throw new Error(`the browser rows need the model inside the project (got ${modelDir})`);
  // Vite serves public/ at the root and every other project file at its own path.
  const modelUrl = `/${relative.startsWith('public/') ? relative.slice('public/'.length) : relative}/`;
  const env = await openBrowserEnv();
  try {
    const openPage = () => env.open('test/browser/pages/core.html', { ready: 'coreReady', timeoutMs: 120_000 });
    const page = await openPage();
    const userAgent = await page.evaluate(() => navigator.userAgent);
    log(`Chromium: ${userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? userAgent}`);
    const probe = await page.evaluate(() => window.probeAdapter());
    const shaderF16 = probe.adapter?.features.includes('shader-f16') ?? false;
    log(`WebGPU adapter: ${probe.adapter ? `${probe.adapter.vendor} ${probe.adapter.architecture} ${probe.adapter.description}` +
      `${probe.adapter.isFallbackAdapter ? ' (fallback adapter)' : ''}, shader-f16 ${shaderF16}` : probe.error}`);
    await page.close();
    for (const device of browserBackends) {
      for (const dtype of available) {
        if (device === 'webgpu' && !webgpuDtypes.includes(dtype)) {
          rows.push({ runtime: 'chromium', backend: device, dtype, status: 'n/a',
            note: 'not run on WebGPU (its MatMulInteger nodes run on the CPU there; `--webgpu-dtypes all` runs it)' });
          continue;
        }
        if (device === 'webgpu' && (dtype === 'fp16' || dtype === 'q4f16') && !shaderF16) {
          // The core would load fp32 / q4 instead (a recorded fallback): that dtype's row already covers it.
          const instead = dtype === 'fp16' ? 'fp32' : 'q4';
          rows.push({ runtime: 'chromium', backend: device, dtype, status: 'n/a',
            note: `the WebGPU adapter lacks shader-f16, so the core loads ${instead} instead (see the ${instead} row)` });
          log(`chromium webgpu ${dtype}: n/a (no shader-f16)`);
          continue;
        }
        // A fresh page per run: wasm memory never shrinks, and in one shared page every run after the full model's
        // 2.3 GB fp32 one failed with "Execution context was destroyed".
        const runPage = await openPage();
        try {
          const result = await runPage.evaluate((r) => window.scoreWith(r), {
            device, dtype, modelUrl, maxLength, pairs: textPairs, ...scoreOptions,
          });
          record('chromium', device, dtype, result.info, result.scores, result.runMs);
        } catch (error) {
          record('chromium', device, dtype, null, null, undefined, `${(error as Error).message.split('\n')[0]}`);
          log(env.dumpLogs(10));
        } finally {
          await runPage.close().catch(() => {});
        }
      }
    }
    const problems = env.problems();
    if (problems.length > 0) log(`page problems:\n${env.dumpLogs(20)}`);
  } finally {
    await env.close();
  }
}

// 4. Report.
const { markdown, failures } = writeReport({
  modelDir, outDir, maxLength, batchSize, tolerance, seed: Number(args.seed), pairs: pairs.length,
  seedPairs: seedIndices.length, queries: new Set(groups).size, lengths,
  config: readJson('config.json') as ReportInput['config'], py, onnx, rows,
});
process.stdout.write(markdown);
log(`wrote ${path.relative(PROJECT_ROOT, outDir)}/results.{md,json}`);
process.exit(failures.length === 0 ? 0 : 1);
