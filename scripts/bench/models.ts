/**
 * npm run bench:models -- [--models full,base,minilm] [--dtype fp32,q8] [--docs 50] [--rounds 3] [--threads N] [--no-pytorch]
 *
 * Which model for a device without WebGPU: the same RAG rerank (one query, N documents of 16–512 tokens, the texts
 * made once with the first model's tokenizer) on each model, in the project's core in Chromium on wasm, side by side
 * in one run; then sentence-transformers' CrossEncoder on PyTorch CPU on the same pairs, for the ratio. Each model is
 * the generator's preset with the real one's architecture (cost does not depend on weight values): `full`
 * bge-reranker-v2-m3, `base` bge-reranker-base, `minilm` ms-marco-MiniLM-L-6-v2. A missing one is generated into
 * models/<preset> first (full: a few minutes). Prints a markdown table; writes JSON to .cache/bench/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_BATCH_SIZE } from '../../src/lib/batching/batching.ts';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import type { RerankerInfo } from '../../src/lib/types.ts';
import { PROJECT_ROOT } from '../../tools/browser/harness.ts';
import { makeModel } from '../model/write-model.ts';
import { DTYPES, type Arch, type GeneratedDtype, type PresetName } from '../model/presets.ts';
import { MODEL_ROUTE, openBenchBrowser, PAGE } from './browser.ts';
import { commandLine } from './cli-args.ts';
import { encoderFromFolder } from './model-folder.ts';
import { runPytorchPeer, type PeerOutcome } from './peers.ts';
import type { ScoreRequest } from './protocol.ts';
import { spreadOf, type Spread } from './stats.ts';
import { ragWorkload } from './workload.ts';

/** The models compared, as generator presets with the real models' architectures. */
const MODELS = {
  full: { arch: 'xlmr', name: 'bge-reranker-v2-m3' },
  base: { arch: 'xlmr', name: 'bge-reranker-base' },
  minilm: { arch: 'bert', name: 'ms-marco-MiniLM-L-6-v2' },
} as const satisfies Record<string, { arch: Arch; name: string }>;
type ModelKey = keyof typeof MODELS;

const USAGE = 'usage: npm run bench:models -- [--models full,base,minilm] [--dtype fp32,q8] [--docs 50] [--rounds 3] ' +
  '[--threads N] [--no-pytorch]';
const { values, positiveList, oneOf } = commandLine(USAGE, {
  models: { type: 'string', default: 'full,base,minilm' },
  dtype: { type: 'string', default: 'fp32,q8' },
  docs: { type: 'string', default: '50' },
  rounds: { type: 'string', default: '3' },
  threads: { type: 'string' },
  'no-pytorch': { type: 'boolean', default: false },
});
const models = values.models.split(',').map((m) => oneOf(m, 'models', Object.keys(MODELS) as ModelKey[]));
const dtypes = values.dtype.split(',').map((d) => oneOf(d, 'dtype', DTYPES));
const docs = positiveList(values.docs, 'docs')[0];
const rounds = positiveList(values.rounds, 'rounds')[0];
const threads = values.threads ? positiveList(values.threads, 'threads')[0] : os.cpus().length;
const log = (line: string) => console.error(line);

const modelDir = (key: ModelKey) => path.join(PROJECT_ROOT, 'models', key);

/** Generates what the run needs and is missing: each dtype's ONNX file, and the safetensors PyTorch reads. */
function ensureModel(key: ModelKey): void {
  const dir = modelDir(key);
  const missing = dtypes.filter((d) => !fs.existsSync(path.join(dir, ONNX_FILE_BY_DTYPE[d])));
  const needsWeights = !values['no-pytorch'] && !fs.existsSync(path.join(dir, 'model.safetensors'));
  if (missing.length === 0 && !needsWeights) return;
  const dtypesToWrite: GeneratedDtype[] = missing.length > 0 ? missing : [dtypes[0]];
  log(`${path.relative(PROJECT_ROOT, dir)}: generating ${dtypesToWrite.join(', ')}${needsWeights ? ' and model.safetensors' : ''} ` +
    `(npm run make-model -- --arch ${MODELS[key].arch} --preset ${key} --dtype ${dtypesToWrite.join(',')} --out models/${key})`);
  const started = performance.now();
  makeModel({ preset: key as PresetName, arch: MODELS[key].arch, dtypes: dtypesToWrite, seed: 42, out: dir,
    safetensors: needsWeights });
  log(`  generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}


interface Row {
  model: ModelKey;
  dtype: GeneratedDtype;
  fileMB: number;
  meanPairTokens: number;
  loadMs: number;
  backend: string;
  rerankMs: Spread;
  pairsPerSecond: number;
}

for (const key of models) ensureModel(key);
const workload = ragWorkload(encoderFromFolder(modelDir(models[0])), docs, 7);
const pairs: [string, string][] = workload.documents.map((d) => [workload.query, d]);
log(`workload: ${docs} documents, texts made with ${models[0]}'s tokenizer; ${threads} threads, ${rounds} rounds after 1 warm-up`);

const rows: Row[] = [];
const pytorch = new Map<ModelKey, PeerOutcome>();
for (const key of models) {
  const dir = modelDir(key);
  const encoder = encoderFromFolder(dir);
  const lengths = pairs.map(([q, d]) => encoder.pairFromIds(encoder.encodeQuery(q, 512), encoder.encode(d), 512).ids.length);
  const env = await openBenchBrowser(dir);
  try {
    for (const dtype of dtypes) {
      // A page per dtype: a wasm heap never shrinks, so a second full-size session in the same page may not fit.
      const page = await env.open(PAGE, { ready: 'benchReady', timeoutMs: 120_000 });
      page.setDefaultTimeout(30 * 60_000);
      const info: RerankerInfo = await page.evaluate((r) => window.benchLoad(r),
        { modelUrl: MODEL_ROUTE, dtype, device: 'wasm' as const, numThreads: threads, cache: false });
      const request: ScoreRequest = { pairs, mode: 'tokens', batchSize: DEFAULT_BATCH_SIZE };
      const times: number[] = [];
      for (let round = 0; round <= rounds; round++) {
        const timing = await page.evaluate((r) => window.benchScore(r), request);
        if (round > 0) times.push(timing.wallMs); // round 0 warms the session up
      }
      const rerankMs = spreadOf(times);
      const onnx = path.join(dir, ONNX_FILE_BY_DTYPE[dtype]);
      const bytes = [onnx, `${onnx}_data`].reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
      rows.push({
        model: key, dtype, fileMB: bytes / 1e6,
        meanPairTokens: lengths.reduce((a, b) => a + b, 0) / lengths.length, loadMs: info.loadMs, backend: info.backend,
        rerankMs, pairsPerSecond: (pairs.length * 1000) / rerankMs.median,
      });
      log(`${key} ${dtype}: ${Math.round(rerankMs.median)} ms per rerank (${rerankMs.runs} runs), ` +
        `${rows.at(-1)!.pairsPerSecond.toFixed(1)} pairs/s`);
      await page.evaluate(() => window.benchDispose());
      await page.close();
    }
  } finally {
    await env.close();
  }
  if (!values['no-pytorch']) {
    const outcome = runPytorchPeer(PROJECT_ROOT, { modelDir: dir, pairs, batchSizes: [DEFAULT_BATCH_SIZE], threads,
      repeats: rounds, warmup: 1, workDir: path.join(PROJECT_ROOT, '.cache/bench', `models-${key}`) });
    pytorch.set(key, outcome);
    log(`${key} PyTorch: ${outcome.status === 'ran' ? `${Math.round(outcome.result.rows[0].medianMs)} ms` : outcome.reason}`);
  }
}

const ms = (x: number) => Math.round(x).toLocaleString('en-US');
const lines = [
  `\`npm run bench:models -- ${process.argv.slice(2).join(' ')}\`: ${docs} documents, one rerank each round, wasm, ` +
    `${threads} threads, median of ${rounds} (min–max); PyTorch: CrossEncoder.predict, CPU fp32, batch ${DEFAULT_BATCH_SIZE}.`,
  '',
  '| model | dtype | ONNX file | tokens/pair (mean) | ours: ms per rerank | ours: pairs/s | PyTorch CPU: ms | PyTorch pairs/s | ours ÷ PyTorch time |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|',
];
for (const r of rows) {
  const peer = pytorch.get(r.model);
  const torch = peer?.status === 'ran' ? peer.result.rows[0] : undefined;
  lines.push(`| ${MODELS[r.model].name} (${r.model}) | ${r.dtype} | ${r.fileMB.toFixed(0)} MB | ${r.meanPairTokens.toFixed(0)} | ` +
    `${ms(r.rerankMs.median)} (${ms(r.rerankMs.min)}–${ms(r.rerankMs.max)}) | ${r.pairsPerSecond.toFixed(1)} | ` +
    `${torch ? ms(torch.medianMs) : '–'} | ${torch ? torch.pairsPerSecond.toFixed(1) : '–'} | ` +
    `${torch ? `${(r.rerankMs.median / torch.medianMs).toFixed(1)}×` : '–'} |`);
}
for (const [key, peer] of pytorch) if (peer.status !== 'ran') lines.push('', `PyTorch on ${key} ${peer.status}: ${peer.reason}`);
const markdown = lines.join('\n');
console.log(markdown);
const outDir = path.join(PROJECT_ROOT, '.cache/bench');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'models-latest.json'), JSON.stringify({ date: new Date().toISOString(), docs, rounds, threads, rows,
  pytorch: Object.fromEntries(pytorch), markdown }, null, 2));
