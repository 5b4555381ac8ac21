/**
 * npm run bench:compact-lookup -- [--rows 250002] [--hidden 1024] [--devices wasm,webgpu] [--runs 20]
 *
 * The embedding lookup alone, the part compact embeddings change: a graph that is only `table[input_ids]` for a
 * [rows, hidden] table (default bge-reranker-v2-m3's word table), written three ways in half precision — float16
 * Gather (today's q4f16), the standard-ops 4-bit lookup (`unpack`), and com.microsoft.GatherBlockQuantized — and the
 * float16 table looked up in ranges of rows as the product loads it (embedding-pieces.ts), each
 * measured in a fresh process per device: file bytes, session creation, a [8, 512] lookup (median of `runs`), and
 * resident memory, each file loaded as the product loads it (its weights as external data, splitInlineWeights). wasm
 * uses onnxruntime-web's `webgpu` build (the one the product loads), WebGPU Dawn's Node bindings (lavapipe on a CPU
 * machine).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultThreadCount } from '../../src/lib/runtime/backend.ts';
import { splitInlineWeights } from '../../src/lib/runtime/inline-weights.ts';
import { readTablesInPieces } from '../../src/lib/runtime/embedding-pieces.ts';
import { compactGather, type EmbeddingLookup } from '../model/embedding-q4.ts';
import { tableInMemory } from '../model/table-rows.ts';
import { GraphBuilder, inlineSink } from '../model/graph-builder.ts';
import { DataType, encodeModel } from '../model/onnx-proto.ts';
import { Rng } from '../model/rng.ts';
import { installDawn } from '../webgpu/dawn.ts';
import { lavapipeEnvironment } from '../webgpu/lavapipe.ts';

/** `float16-in-ranges`: the float16 file, its table read in ranges (the product's load of a q4f16 file). */
type Spelling = 'float16' | 'float16-in-ranges' | EmbeddingLookup;
const SPELLINGS: Spelling[] = ['float16', 'float16-in-ranges', 'unpack', 'gather-block-quantized'];

interface Measured {
  ok: boolean;
  error?: string;
  createMs?: number;
  runMs?: number;
  peakRssMb?: number;
  /**
   * Resident memory the session added: the most seen after creation and after each run, less the figure once the
   * runtime (and Dawn) had started. The process's peak is Dawn's start-up on WebGPU, which hides the model.
   */
  addedMb?: number;
}

/** A lookup-only ONNX model: input_ids [batch, sequence] → `embedded` [batch, sequence, hidden] in float16. */
function lookupModel(spelling: Exclude<Spelling, 'float16-in-ranges'>, rows: number, hidden: number): Uint8Array {
  const rng = new Rng(42);
  const table = Float32Array.from({ length: rows * hidden }, () => (rng.nextFloat() - 0.5) * 0.1);
  const g = new GraphBuilder(DataType.FLOAT16, inlineSink);
  const constants = new Map<string, string>();
  const int64 = (name: string, values: number[]) => {
    if (!constants.has(name)) constants.set(name, g.int64(name, [values.length], values));
    return name;
  };
  const out = spelling === 'float16'
    ? g.op1('Gather', '/embeddings/Gather', [g.float('table', [rows, hidden], table), 'input_ids'])
    : compactGather(g, spelling, 'table', tableInMemory(table, rows, hidden), 'input_ids', '/embeddings', int64);
  g.named('Identity', '/embeddings/Identity', [out], ['embedded']);
  const dims = (d: (string | number)[]) => ({ dim: d.map((x) => (typeof x === 'number' ? { dimValue: x } : { dimParam: x })) });
  return encodeModel({
    irVersion: 8, producerName: 'bench:compact lookup', producerVersion: '1',
    opsetImport: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
    metadataProps: [],
    graph: {
      name: 'lookup', node: g.nodes, initializer: g.initializers,
      input: [{ name: 'input_ids', type: { tensorType: { elemType: DataType.INT64, shape: dims(['batch', 'sequence']) } } }],
      output: [{ name: 'embedded', type: { tensorType: { elemType: DataType.FLOAT16, shape: dims(['batch', 'sequence', hidden]) } } }],
    },
  });
}

async function measure(file: string, device: 'wasm' | 'webgpu', runs: number, rows: number, inRanges: boolean): Promise<Measured> {
  if (device === 'webgpu' && !(await installDawn()).adapter) return { ok: false, error: 'no WebGPU adapter' };
  const { ort, configureWasm } = await import('../../src/lib/runtime/ort.ts');
  // The product's wasm settings (one thread outside a cross-origin isolated page): left unset, onnxruntime-web counts
  // cores with a dynamic require of node:os, which the ESM build cannot do.
  configureWasm(defaultThreadCount(), device === 'wasm', undefined, undefined);
  ort.env.logLevel = 'error';
  // A throwaway session first, so that session creation below does not include starting the runtime itself.
  await (await ort.InferenceSession.create(lookupModel('float16', 16, 16), { executionProviders: [device] })).release();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  // As the product loads an inline file: its weights as external data pointing into the file's own bytes.
  const split = splitInlineWeights(fs.readFileSync(file));
  if (!split) throw new Error(`${file}: no inline weights to split`);
  const graph = inRanges ? readTablesInPieces(split.graph)?.graph : split.graph;
  if (!graph) throw new Error(`${file}: no table to read in ranges`);
  const session = await ort.InferenceSession.create(graph,
    { executionProviders: [device], graphOptimizationLevel: 'all', externalData: [split.weights] });
  const createMs = performance.now() - started;
  let resident = process.memoryUsage().rss;
  const ids = BigInt64Array.from({ length: 8 * 512 }, (_, i) => BigInt((i * 7919) % rows));
  const feeds = { input_ids: new ort.Tensor('int64', ids, [8, 512]) };
  await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t);
    resident = Math.max(resident, process.memoryUsage().rss);
  }
  times.sort((a, b) => a - b);
  return { ok: true, createMs, runMs: times[Math.floor(times.length / 2)], peakRssMb: process.resourceUsage().maxRSS / 1024,
    addedMb: (resident - rssBefore) / 1e6 };
}

export async function lookupBench(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: {
    rows: { type: 'string', default: '250002' }, hidden: { type: 'string', default: '1024' },
    devices: { type: 'string', default: 'wasm,webgpu' }, runs: { type: 'string', default: '20' },
    cache: { type: 'string', default: '.cache/bench/compact-lookup' },
    measure: { type: 'string' }, device: { type: 'string' }, 'in-ranges': { type: 'boolean', default: false },
  } });
  const [rows, hidden, runs] = [values.rows, values.hidden, values.runs].map(Number);
  if (values.measure) {
    const result = await measure(values.measure, values.device as 'wasm' | 'webgpu', runs, rows, values['in-ranges'])
      .catch((error: unknown): Measured => ({ ok: false, error: (error as Error).message.slice(0, 200) }));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }
  fs.mkdirSync(values.cache, { recursive: true });
  console.log(`| lookup of a ${rows} × ${hidden} table | device | file bytes | session create ms | [8, 512] lookup ms | peak RSS MB | resident added by the session MB |`);
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const spelling of SPELLINGS) {
    const written: Exclude<Spelling, 'float16-in-ranges'> = spelling === 'float16-in-ranges' ? 'float16' : spelling;
    const file = path.resolve(values.cache, `${written}-${rows}x${hidden}.onnx`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, lookupModel(written, rows, hidden));
    for (const device of values.devices.split(',')) {
      let m: Measured;
      try {
        const out = execFileSync('npx', ['tsx', new URL(import.meta.url).pathname, '--measure', file, '--device', device,
          '--runs', String(runs), '--rows', String(rows), ...(spelling === written ? [] : ['--in-ranges'])],
          // Dawn finds the project's lavapipe only where the process starts with it on its library path.
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...lavapipeEnvironment() } });
        m = JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{"ok":false,"error":"no result"}') as Measured;
      } catch (error) {
        m = { ok: false, error: (error as Error).message.split('\n')[0] };
      }
      const f = (x: number | undefined, d = 0) => (x === undefined ? '—' : x.toFixed(d));
      console.log(`| ${spelling} | ${device} | ${fs.statSync(file).size.toLocaleString('en-US')} | ` +
        `${m.ok ? f(m.createMs) : `failed: ${m.error?.slice(0, 120)}`} | ${f(m.runMs, 1)} | ${f(m.peakRssMb)} | ${f(m.addedMb)} |`);
    }
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) void lookupBench(process.argv.slice(2));
