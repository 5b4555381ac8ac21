/**
 * npm run bench -- [--preset tiny|small|full] [--dtype fp32|fp16|q8|...] [--device wasm|webgpu] [--docs N[,N]] [--quick]
 *                  [--threads N] [--peers pytorch] [--model DIR] [--seed N] [--rounds N] [--batch-sizes 1,2,4]
 *                  [--only sweep,strategies,tuning,ceiling,cold] [--out DIR]
 *
 * The browser runtime (the default): the core in Debian's Chromium. Prints markdown tables on stdout (progress on
 * stderr) and writes the full result as JSON to .cache/bench/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { commandLine } from './cli-args.ts';
import { benchOptions, runBench, type Preset } from './run.ts';
import { reportMarkdown } from './report.ts';
import { DTYPE_ORDER } from '../../src/lib/dtypes.ts';
import type { Device } from '../../src/lib/types.ts';

const USAGE = 'usage: npm run bench -- [--preset tiny|small|full] [--dtype fp32|fp16|q8|int8|uint8|q4|q4f16] [--device wasm|webgpu] ' +
  '[--docs N[,N]] [--quick] [--threads N] [--peers pytorch] [--model DIR] [--seed N] [--rounds N] [--batch-sizes 1,2,4,...] ' +
  '[--only sweep,strategies,tuning,ceiling,cold] [--out DIR] (--runtime node: see its --help)';

const { values, fail, positiveList, oneOf } = commandLine(USAGE, {
  preset: { type: 'string' },
  dtype: { type: 'string', default: 'fp32' },
  device: { type: 'string', default: 'wasm' },
  docs: { type: 'string' },
  quick: { type: 'boolean', default: false },
  threads: { type: 'string' },
  peers: { type: 'string' },
  model: { type: 'string' },
  seed: { type: 'string' },
  rounds: { type: 'string' },
  'batch-sizes': { type: 'string' },
  only: { type: 'string' },
  out: { type: 'string' },
  runtime: { type: 'string', default: 'browser' },
});

const preset = oneOf(values.preset ?? 'small', 'preset', ['tiny', 'small', 'full'] as const) as Preset;
const quick = values.quick;
const dtypes = values.dtype.split(',').map((d) => oneOf(d, 'dtype', DTYPE_ORDER));
if (dtypes.length > 1) fail('--dtype takes one dtype in the browser runtime');
const options = benchOptions({ preset, quick });
options.dtype = dtypes[0];
options.device = oneOf(values.device, 'device', ['wasm', 'webgpu'] as const) as Device;
if (values.docs) options.docs = positiveList(values.docs, 'docs');
if (values.threads) options.threads = positiveList(values.threads, 'threads')[0];
if (values.peers) options.peers = values.peers.split(',').map((p) => oneOf(p, 'peers', ['pytorch'] as const));
if (values.model) options.modelDir = values.model;
if (values.seed) options.seed = positiveList(values.seed, 'seed')[0];
if (values.rounds) options.rounds = options.sweepRepeats = options.coldStarts = positiveList(values.rounds, 'rounds')[0];
if (values['batch-sizes']) options.sweepBatchSizes = positiveList(values['batch-sizes'], 'batch-sizes');
options.sweepPairs = Math.max(...options.sweepBatchSizes);
if (values.only) {
  const parts = values.only.split(',').map((p) => oneOf(p, 'only', ['sweep', 'strategies', 'tuning', 'ceiling', 'cold'] as const));
  options.parts = { sweep: parts.includes('sweep'), strategies: parts.includes('strategies'), tuning: parts.includes('tuning'),
    ceiling: parts.includes('ceiling'),
    coldStart: parts.includes('cold') };
}
if (values.out) options.outDir = path.resolve(values.out);

const result = await runBench(options);
const markdown = reportMarkdown(result);
const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
console.log(`\`${command}\`\n\n${markdown}`);
fs.mkdirSync(options.outDir, { recursive: true });
const stamp = result.meta.date.replace(/[:.]/g, '-');
const file = path.join(options.outDir, `${stamp}-${options.preset}-${options.dtype}-${options.device}.json`);
const json = JSON.stringify({ command, ...result, markdown }, null, 2);
fs.writeFileSync(file, json);
fs.writeFileSync(path.join(options.outDir, 'latest.json'), json);
console.error(`wrote ${path.relative(process.cwd(), file)} (${Math.round((result.meta.durationMs ?? 0) / 1000)} s)`);
