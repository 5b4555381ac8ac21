/**
 * npm run bench -- --runtime node [--device webgpu|wasm] [--preset tiny|small|full] [--dtype fp16,q4f16,fp32]
 *                  [--sweep-tokens 128,512] [--batch-sizes 1,2,4,...] [--docs 50] [--rounds N] [--quick] [--model DIR]
 *                  [--seed N] [--out DIR] [--pairs-out DIR]
 *
 * The core in this Node process on Dawn's WebGPU (scripts/bench/node-runtime.ts). Generates the model it needs
 * under models/<preset> when missing. Markdown on stdout, progress on stderr, JSON in .cache/bench/. Exits 1 when
 * nothing could run (no adapter), after saying why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { commandLine } from './cli-args.ts';
import { DTYPE_ORDER } from '../../src/lib/dtypes.ts';
import { DEMO_MODEL } from '../model/demo.ts';
import { reportNodeBench, runNodeBench, type NodeBenchOptions } from './node-runtime.ts';

const USAGE = 'usage: npm run bench -- --runtime node [--device webgpu|wasm] [--preset tiny|small|full] ' +
  '[--dtype fp16,q4f16,fp32] [--sweep-tokens 128,512] [--batch-sizes 1,2,4,...] [--docs 50] [--rounds N] [--quick] ' +
  '[--model DIR] [--seed N] [--out DIR] [--pairs-out DIR]';

const { values, positiveList, oneOf } = commandLine(USAGE, {
  runtime: { type: 'string', default: 'node' },
  device: { type: 'string', default: 'webgpu' },
  preset: { type: 'string', default: 'tiny' },
  dtype: { type: 'string', default: 'fp16,q4f16,fp32' },
  'sweep-tokens': { type: 'string' },
  'batch-sizes': { type: 'string' },
  docs: { type: 'string' },
  rounds: { type: 'string' },
  quick: { type: 'boolean', default: false },
  model: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  'pairs-out': { type: 'string' },
});

const preset = oneOf(values.preset, 'preset', ['tiny', 'small', 'full'] as const);
const quick = values.quick;
const options: NodeBenchOptions = {
  preset,
  modelDir: path.resolve(values.model ?? (preset === 'tiny' ? DEMO_MODEL.out : `models/${preset}`)),
  dtypes: values.dtype.split(',').map((d) => oneOf(d, 'dtype', DTYPE_ORDER)),
  device: oneOf(values.device, 'device', ['wasm', 'webgpu'] as const),
  sweepTokens: values['sweep-tokens'] ? positiveList(values['sweep-tokens'], 'sweep-tokens') : quick ? [128] : [128, 512],
  sweepBatchSizes: values['batch-sizes'] ? positiveList(values['batch-sizes'], 'batch-sizes') : [1, 2, 4, 8, 16, 32, 64],
  sweepPairs: 0,
  ragDocs: values.docs ? positiveList(values.docs, 'docs')[0] : 50,
  rounds: values.rounds ? positiveList(values.rounds, 'rounds')[0] : quick ? 1 : 3,
  seed: values.seed ? positiveList(values.seed, 'seed')[0] : 7,
  modelSeed: 42,
  pairsOut: values['pairs-out'] && path.resolve(values['pairs-out']),
  log: (line) => console.error(line),
};
options.sweepPairs = Math.max(...options.sweepBatchSizes);

const result = await runNodeBench(options);
const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
const markdown = reportNodeBench(options, result);
console.log(`\`${command}\`\n\n${markdown}`);
const outDir = values.out ? path.resolve(values.out) : path.resolve('.cache/bench');
fs.mkdirSync(outDir, { recursive: true });
const { log: _log, ...saved } = options;
fs.writeFileSync(path.join(outDir, `node-${options.device}-latest.json`), JSON.stringify({ command, options: saved, ...result, markdown }, null, 2));
process.exit(result.unavailable || result.results.length === 0 ? 1 : 0);
