/**
 * Generates a cross-encoder with deterministic random weights in the file layout of the published ONNX exports:
 * XLM-R (bge-reranker-v2-m3's architecture, the default) or BERT (ms-marco-MiniLM's), with 1 or 2 labels.
 *
 *   npm run make-model -- --preset tiny|small|base|full|minilm [--arch xlmr|bert] [--labels 1|2]
 *     --dtype fp32|fp16|q8|int8|uint8|q4|q4f16|all [--seed N] --out DIR [--no-safetensors]
 *     [--embeddings float|q4] [--embedding-lookup unpack|gather-block-quantized]
 *
 * `--embeddings q4`: the q4 / q4f16 files store the word and position tables in 4-bit blocks of 32 (≈ 1/3.6 of fp16);
 * the default lookup runs on every execution provider (scripts/model/embedding-q4.ts).
 */
import { parseArgs } from 'node:util';
import { ARCHS, DTYPES, LABEL_COUNTS, PRESETS, presetDims, type Arch, type GeneratedDtype, type LabelCount,
  type PresetName } from './model/presets.ts';
import { makeModel } from './model/write-model.ts';
import { COMPACT_DTYPES, EMBEDDING_LOOKUPS, EMBEDDING_STORAGES, type EmbeddingLookup, type EmbeddingStorage }
  from './model/embedding-q4.ts';

const USAGE = 'usage: npm run make-model -- --preset tiny|small|base|full|minilm [--arch xlmr|bert] [--labels 1|2] ' +
  '--dtype fp32|fp16|q8|int8|uint8|q4|q4f16|all [--seed N] --out DIR [--no-safetensors] ' +
  '[--embeddings float|q4] [--embedding-lookup unpack|gather-block-quantized]';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'tiny' },
    arch: { type: 'string' },
    labels: { type: 'string', default: '1' },
    dtype: { type: 'string', multiple: true },
    seed: { type: 'string', default: '42' },
    out: { type: 'string' },
    'no-safetensors': { type: 'boolean', default: false },
    embeddings: { type: 'string', default: 'float' },
    'embedding-lookup': { type: 'string', default: 'unpack' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function fail(message: string): never {
  console.error(`make-model: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.out) fail('--out is required');
if (!(values.preset in PRESETS)) fail(`unknown preset "${values.preset}"`);
const preset = values.preset as PresetName;
// minilm exists only as BERT: `--preset minilm` alone means BERT; everything else defaults to XLM-R.
const arch = (values.arch ?? (preset === 'minilm' ? 'bert' : 'xlmr')) as Arch;
if (!ARCHS.includes(arch)) fail(`unknown arch "${arch}" (${ARCHS.join(', ')})`);
try {
  presetDims(preset, arch);
} catch (error) {
  fail((error as Error).message);
}
const labels = Number(values.labels) as LabelCount;
if (!LABEL_COUNTS.includes(labels)) fail(`--labels must be ${LABEL_COUNTS.join(' or ')}: "${values.labels}"`);
const requested = (values.dtype ?? ['all']).flatMap((d) => d.split(','));
const dtypes = requested.includes('all') ? [...DTYPES] : requested;
for (const d of dtypes) if (!(DTYPES as readonly string[]).includes(d)) fail(`unknown dtype "${d}"`);
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`--seed must be an integer in [0, 2^32): "${values.seed}"`);
const embeddings = values.embeddings as EmbeddingStorage;
if (!EMBEDDING_STORAGES.includes(embeddings)) fail(`--embeddings must be ${EMBEDDING_STORAGES.join(' or ')}: "${embeddings}"`);
const embeddingLookup = values['embedding-lookup'] as EmbeddingLookup;
if (!EMBEDDING_LOOKUPS.includes(embeddingLookup)) fail(`--embedding-lookup must be ${EMBEDDING_LOOKUPS.join(' or ')}: "${embeddingLookup}"`);
if (embeddings === 'q4' && !dtypes.some((d) => (COMPACT_DTYPES as readonly string[]).includes(d))) {
  fail(`--embeddings q4 applies to ${COMPACT_DTYPES.join(' and ')} only; none of them is in --dtype ${dtypes.join(',')}`);
}

const started = performance.now();
const report = makeModel({
  preset,
  arch,
  labels,
  dtypes: dtypes as GeneratedDtype[],
  seed,
  out: values.out,
  safetensors: !values['no-safetensors'],
  embeddings,
  embeddingLookup,
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const d = report.dims;
console.log(
  `${preset} (${arch}, ${labels} label${labels > 1 ? 's' : ''}): ${d.layers} layers, hidden ${d.hidden}, ${d.heads} heads, ` +
    `FFN ${d.intermediate}, vocab ${d.vocab}, ${d.maxPositions} positions, type vocab ${d.typeVocab}; ` +
    `${report.parameters.toLocaleString('en-US')} parameters; seed ${seed}; ${seconds} s`,
);
for (const f of report.files) console.log(`  ${f.path.padEnd(32)} ${f.bytes.toLocaleString('en-US').padStart(15)} bytes`);
