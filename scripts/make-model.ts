/**
 * Generates an XLM-R cross-encoder with bge-reranker-v2-m3's architecture, inputs, outputs and file layout, and
 * deterministic random weights.
 *
 *   npm run make-model -- --preset tiny|small|full --dtype fp32|fp16|q8|int8|uint8|q4|q4f16|all [--seed N] --out DIR [--no-safetensors]
 */
import { parseArgs } from 'node:util';
import { DTYPES, PRESETS, type GeneratedDtype, type PresetName } from './model/presets.ts';
import { makeModel } from './model/write-model.ts';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'tiny' },
    dtype: { type: 'string', multiple: true },
    seed: { type: 'string', default: '42' },
    out: { type: 'string' },
    'no-safetensors': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function fail(message: string): never {
  console.error(`make-model: ${message}`);
  console.error('usage: npm run make-model -- --preset tiny|small|full --dtype fp32|fp16|q8|int8|uint8|q4|q4f16|all [--seed N] --out DIR');
  process.exit(2);
}

if (values.help) {
  console.log('usage: npm run make-model -- --preset tiny|small|full --dtype fp32|fp16|q8|int8|uint8|q4|q4f16|all [--seed N] --out DIR [--no-safetensors]');
  process.exit(0);
}
if (!values.out) fail('--out is required');
if (!(values.preset in PRESETS)) fail(`unknown preset "${values.preset}"`);
const requested = (values.dtype ?? ['all']).flatMap((d) => d.split(','));
const dtypes = requested.includes('all') ? [...DTYPES] : requested;
for (const d of dtypes) if (!(DTYPES as readonly string[]).includes(d)) fail(`unknown dtype "${d}"`);
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`--seed must be an integer in [0, 2^32): "${values.seed}"`);

const started = performance.now();
const report = makeModel({
  preset: values.preset as PresetName,
  dtypes: dtypes as GeneratedDtype[],
  seed,
  out: values.out,
  safetensors: !values['no-safetensors'],
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const d = report.dims;
console.log(
  `${values.preset}: ${d.layers} layers, hidden ${d.hidden}, ${d.heads} heads, FFN ${d.intermediate}, vocab ${d.vocab}, ` +
    `${d.maxPositions} positions; ${(report.parameters / 1e6).toFixed(2)}M parameters; seed ${seed}; ${seconds} s`,
);
for (const f of report.files) console.log(`  ${f.path.padEnd(32)} ${f.bytes.toLocaleString('en-US').padStart(15)} bytes`);
