/**
 * npm run bench:compact -- [--presets tiny,small] [--devices wasm,webgpu] [--dtypes fp32,q8,q4,q4f16]
 *                          [--lookups unpack,gather-block-quantized] [--docs 32] [--max-tokens 256] [--rounds 2]
 *                          [--cache DIR] [--json FILE]
 *
 * Compact embeddings side by side (issue 20): per preset, device, dtype and embedding storage, the file's bytes, max
 * |Δlogit| and Spearman ρ against fp32 (wasm) and against the same dtype with float embeddings, pairs/s, cold load time
 * and peak memory. Each row runs in a fresh process (scripts/bench/compact-row.ts); models are generated once under
 * the cache folder. A benchmark, not a test: figures depend on the machine and its load. WebGPU uses Dawn's Node
 * bindings (scripts/webgpu/dawn.ts): lavapipe on a CPU machine.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { compareLogits } from '../crosscheck/metrics.ts';
import { EMBEDDING_LOOKUPS, type EmbeddingLookup } from '../model/embedding-q4.ts';
import { PRESETS, type GeneratedDtype, type PresetName } from '../model/presets.ts';
import { makeModel } from '../model/write-model.ts';
import { commandLine } from './cli-args.ts';
import type { RowResult } from './compact-row.ts';
import { onnxFilesOf } from './model-folder.ts';

const USAGE = 'usage: npm run bench:compact -- [--presets tiny,small] [--devices wasm,webgpu] [--dtypes fp32,q8,q4,q4f16] ' +
  '[--lookups unpack,gather-block-quantized] [--docs 32] [--max-tokens 256] [--rounds 2] [--cache DIR] [--json FILE]';

const { values, positiveList, oneOf, fail } = commandLine(USAGE, {
  presets: { type: 'string', default: 'tiny,small' },
  devices: { type: 'string', default: 'wasm' },
  dtypes: { type: 'string', default: 'fp32,q8,q4,q4f16' },
  lookups: { type: 'string', default: 'unpack,gather-block-quantized' },
  docs: { type: 'string', default: '32' },
  'max-tokens': { type: 'string', default: '256' },
  rounds: { type: 'string', default: '2' },
  cache: { type: 'string', default: '.cache/bench/compact' },
  json: { type: 'string' },
});

const presets = values.presets.split(',').map((p) => oneOf(p, 'presets', Object.keys(PRESETS) as PresetName[]));
const devices = values.devices.split(',').map((d) => oneOf(d, 'devices', ['wasm', 'webgpu'] as const));
const dtypes = values.dtypes.split(',').map((d) => oneOf(d, 'dtypes', ['fp32', 'q8', 'q4', 'q4f16'] as const));
const lookups = values.lookups.split(',').map((l) => oneOf(l, 'lookups', EMBEDDING_LOOKUPS));
const [docs, maxTokens, rounds] = [values.docs, values['max-tokens'], values.rounds].map((v, i) =>
  positiveList(v, ['docs', 'max-tokens', 'rounds'][i])[0]);
if (!dtypes.includes('fp32')) fail('--dtypes must include fp32: every row is compared with it');

/** A row's embedding storage: the float tables of today's files, or a compact lookup. */
type Storage = 'float' | EmbeddingLookup;
const COMPACT: readonly GeneratedDtype[] = ['q4', 'q4f16'];

interface Row {
  preset: PresetName;
  device: 'wasm' | 'webgpu';
  dtype: GeneratedDtype;
  storage: Storage;
  bytes: number;
  result: RowResult;
}

/** The folder of one preset and storage, generated when missing (float: every dtype asked for; compact: q4, q4f16). */
function folderOf(preset: PresetName, storage: Storage): string {
  const dir = path.resolve(values.cache, preset, storage);
  const wanted = storage === 'float' ? dtypes : dtypes.filter((d) => COMPACT.includes(d));
  if (wanted.every((d) => fs.existsSync(path.join(dir, ONNX_FILE_BY_DTYPE[d])))) return dir;
  const started = performance.now();
  console.error(`bench:compact: generating ${preset} ${wanted.join(', ')} (${storage} embeddings) into ${dir}`);
  makeModel({ preset, dtypes: wanted, seed: 42, out: dir, safetensors: false,
    ...(storage === 'float' ? {} : { embeddings: 'q4', embeddingLookup: storage }) });
  console.error(`bench:compact: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

function fileBytes(dir: string, dtype: GeneratedDtype): number {
  return onnxFilesOf(dir, dtype).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
}

function runRow(dir: string, dtype: GeneratedDtype, device: string): RowResult {
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'compact-row.ts');
  try {
    const out = execFileSync('npx', ['tsx', script, '--dir', dir, '--dtype', dtype, '--device', device,
      '--docs', String(docs), '--max-tokens', String(maxTokens), '--rounds', String(rounds)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 2 ** 20 });
    const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    return line ? (JSON.parse(line) as RowResult) : { ok: false, error: 'no result line' };
  } catch (error) {
    return { ok: false, error: `row process failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

const rows: Row[] = [];
for (const preset of presets) {
  for (const device of devices) {
    for (const dtype of dtypes) {
      const storages: Storage[] = COMPACT.includes(dtype) ? ['float', ...lookups] : ['float'];
      for (const storage of storages) {
        const dir = folderOf(preset, storage);
        const result = runRow(dir, dtype, device);
        rows.push({ preset, device, dtype, storage, bytes: fileBytes(dir, dtype), result });
        console.error(`bench:compact: ${preset} ${device} ${dtype} ${storage}: ` +
          (result.ok ? `${result.pairsPerSecond!.toFixed(1)} pairs/s, load ${Math.round(result.coldLoadMs!)} ms, ` +
            `peak ${Math.round(result.peakRssMb!)} MB` : `failed: ${result.error}`));
      }
    }
  }
}

const fmt = (x: number | undefined, digits: number) => (x === undefined ? '—' : x.toFixed(digits));
const delta = (a: RowResult | undefined, b: RowResult) => (a?.logits && b.logits ? compareLogits(b.logits, a.logits, b.logits.map(() => 0)) : undefined);
console.log(`| preset | device | dtype | embeddings | file bytes | max |Δ| vs fp32 | ρ vs fp32 | max |Δ| vs float emb. | ` +
  `ρ vs float emb. | pairs/s | cold load ms | peak RSS MB |`);
console.log('|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const fp32 = rows.find((r) => r.preset === row.preset && r.device === 'wasm' && r.dtype === 'fp32')?.result;
  const floatTwin = rows.find((r) => r.preset === row.preset && r.device === row.device && r.dtype === row.dtype && r.storage === 'float')?.result;
  const r = row.result;
  const vsFp32 = delta(fp32, r);
  const vsFloat = row.storage === 'float' ? undefined : delta(floatTwin, r);
  console.log(`| ${row.preset} | ${row.device} | ${row.dtype} | ${row.storage === 'float' ? 'float' : `q4 (${row.storage})`} | ` +
    `${row.bytes.toLocaleString('en-US')} | ${r.ok ? fmt(vsFp32?.maxAbsDiff, 4) : `failed: ${r.error?.slice(0, 80)}`} | ` +
    `${fmt(vsFp32?.spearmanMean, 4)} | ${fmt(vsFloat?.maxAbsDiff, 4)} | ${fmt(vsFloat?.spearmanMean, 4)} | ` +
    `${fmt(r.pairsPerSecond, 1)} | ${fmt(r.coldLoadMs, 0)} | ${fmt(r.peakRssMb, 0)} |`);
}
console.log(`\n${docs} pairs of one query (16–${maxTokens} tokens, RAG workload seed 7); pairs/s: best of ${rounds} ` +
  'after one untimed pass; cold load: createReranker in a fresh process (files, session, warm-up, self-check).');
if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
