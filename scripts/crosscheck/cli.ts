/**
 * The cross-check's command line: options, their checks, and one child process per model when several are named.
 *
 * @example
 * const o = crosscheckOptions(process.argv.slice(2));
 * // npm run crosscheck -- --model models/small --count 40 → { kind: 'one', modelDir: '/work/main/models/small', … }
 * // npm run crosscheck                                    → { kind: 'many', models: [the two demo models] }
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Dtype } from '../../src/lib/types.ts';
import { DTYPES as GENERATED_DTYPES } from '../model/presets.ts';
import { PROJECT_ROOT } from './venv.ts';

export const BACKENDS = ['node-wasm', 'chromium-webgpu', 'chromium-wasm'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const DTYPES: readonly Dtype[] = GENERATED_DTYPES;
/**
 * The dtypes WebGPU is for, whose kernels all run on the GPU (README, Browser support); q8, int8 and uint8 run their
 * MatMulInteger nodes on the CPU there. Chromium's WebGPU here is SwiftShader, about 3 minutes a dtype on the demo
 * model's 210 pairs: by default only these get WebGPU rows (`--webgpu-dtypes all` for every one).
 */
const WEBGPU_DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q4', 'q4f16'];
const DEMO_MODELS = ['public/models/tiny-random-bge-reranker', 'public/models/tiny-random-bert-reranker'];
/** Where `--compact auto` looks: the folder beside the model that `make-demo-models` writes compact files to. */
const COMPACT_SUFFIX = '-compact';

const USAGE = 'usage: npm run crosscheck -- [--model DIR[,DIR…]] [--max-length 512] [--count 200] [--seed 7] ' +
  `[--dtypes ${DTYPES.join(',')}] [--backends ${BACKENDS.join(',')}] [--webgpu-dtypes ${WEBGPU_DTYPES.join(',')}|all] ` +
  '[--batch-size 16] [--threads N] [--tolerance 1e-4] [--out DIR] [--no-cross-encoder] ' +
  `[--compact auto|none|DIR   (auto: MODEL${COMPACT_SUFFIX} when it exists)]`;

export interface CrosscheckOptions {
  modelDir: string;
  maxLength: number;
  count: number;
  seed: number;
  batchSize: number;
  threads: string;
  /** The fp32 gate, and the compact q4's gate against onnxruntime's quantizer. */
  tolerance: number;
  dtypes: Dtype[];
  backends: BackendName[];
  webgpuDtypes: readonly Dtype[];
  crossEncoder: boolean;
  /** A folder of compact-embedding files from the same weights, or undefined. */
  compactDir: string | undefined;
  outDir: string;
  /** `<model>-<maxLength>`: the default output folder's name. */
  name: string;
}

export type ParsedCommand = { kind: 'help' } | { kind: 'many'; models: string[] } | ({ kind: 'one' } & CrosscheckOptions);

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
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
      compact: { type: 'string', default: 'auto' },
      help: { type: 'boolean', default: false },
    },
  }).values;
}

const list = (value: string) => value.split(',').filter(Boolean);

function compactDir(value: string, modelDir: string): string | undefined {
  if (value === 'none') return undefined;
  if (value === 'auto') return fs.existsSync(`${modelDir}${COMPACT_SUFFIX}`) ? `${modelDir}${COMPACT_SUFFIX}` : undefined;
  if (!fs.existsSync(value)) throw new Error(`--compact ${value}: no such folder`);
  return path.resolve(value);
}

export function crosscheckOptions(argv: string[]): ParsedCommand {
  const args = parse(argv);
  if (args.help) return { kind: 'help' };
  const models = list(args.model);
  if (models.length > 1) {
    if (!['auto', 'none'].includes(args.compact)) throw new Error('--compact DIR names one folder: use it with one --model');
    return { kind: 'many', models };
  }
  const modelDir = path.resolve(models[0]!);
  const maxLength = Number(args['max-length']);
  const dtypes = list(args.dtypes) as Dtype[];
  const backends = list(args.backends) as BackendName[];
  const webgpuDtypes = args['webgpu-dtypes'] === 'all' ? DTYPES : list(args['webgpu-dtypes']) as Dtype[];
  for (const b of backends) if (!BACKENDS.includes(b)) throw new Error(`unknown backend ${b}; known: ${BACKENDS.join(', ')}`);
  for (const d of [...dtypes, ...webgpuDtypes]) if (!DTYPES.includes(d)) throw new Error(`unknown dtype ${d}; known: ${DTYPES.join(', ')}`);
  const name = `${path.basename(modelDir)}-${maxLength}`;
  return {
    kind: 'one', modelDir, maxLength, count: Number(args.count), seed: Number(args.seed), batchSize: Number(args['batch-size']),
    threads: args.threads, tolerance: Number(args.tolerance), dtypes, backends, webgpuDtypes,
    crossEncoder: !args['no-cross-encoder'], compactDir: compactDir(args.compact, modelDir), name,
    outDir: path.resolve(args.out ?? path.join(PROJECT_ROOT, '.cache', 'crosscheck', name)),
  };
}

export function printUsage(): void {
  console.log(USAGE);
}

/**
 * Runs this script once per model, each in a fresh process (wasm memory never shrinks); `--out` becomes a parent
 * folder. Returns the exit status: 0 when every model passed.
 */
export function crosscheckEachModel(models: readonly string[], argv: readonly string[]): number {
  const args = parse([...argv]);
  const named = (flag: string) => (a: string, i: number, all: readonly string[]) =>
    a === flag || all[i - 1] === flag || a.startsWith(`${flag}=`);
  const rest = argv.filter((a, i, all) => !named('--model')(a, i, all) && !named('--out')(a, i, all));
  let failed = 0;
  for (const model of models) {
    const out = args.out ? ['--out', path.join(args.out, `${path.basename(model)}-${args['max-length']}`)] : [];
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--model', model, ...out, ...rest],
      { stdio: 'inherit' });
    if (child.status !== 0) failed++;
  }
  process.stderr.write(`[crosscheck] ${models.length - failed}/${models.length} models passed\n`);
  return failed === 0 ? 0 : 1;
}
