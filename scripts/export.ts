/**
 * Exports a Hugging Face cross-encoder (XLM-R or BERT, 1 or 2 labels; safetensors in F32, F16 or BF16, one file or
 * sharded) to ONNX in the transformers.js layout, with the generator's graph: for hosting your own compact files.
 *
 *   npm run export -- --from DIR --out OUT [--dtype fp32|fp16|q8|int8|uint8|q4|q4f16|all] [--embeddings float|q4]
 *     [--embedding-lookup unpack|gather-block-quantized]
 *
 * `--embeddings q4` stores the q4 / q4f16 files' word and position tables in 4 bits, as `make-model` does
 * (scripts/model/embedding-q4.ts).
 * Progress goes to stderr, the files written to stdout. Bad input exits 1 with the file and tensor at fault.
 */
import { parseArgs } from 'node:util';
import { DTYPES, type GeneratedDtype } from './model/presets.ts';
import { exportModel, type ExportProgress } from './model/export-model.ts';
import { COMPACT_DTYPES, EMBEDDING_LOOKUPS, EMBEDDING_STORAGES, type EmbeddingLookup, type EmbeddingStorage }
  from './model/embedding-q4.ts';

const USAGE = 'usage: npm run export -- --from DIR --out OUT [--dtype fp32|fp16|q8|int8|uint8|q4|q4f16|all] ' +
  '[--embeddings float|q4] [--embedding-lookup unpack|gather-block-quantized]';

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    out: { type: 'string' },
    dtype: { type: 'string', multiple: true },
    embeddings: { type: 'string', default: 'float' },
    'embedding-lookup': { type: 'string', default: 'unpack' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function usageError(message: string): never {
  console.error(`export: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.from) usageError('--from is required');
if (!values.out) usageError('--out is required');
const requested = (values.dtype ?? ['all']).flatMap((d) => d.split(','));
const dtypes = requested.includes('all') ? [...DTYPES] : requested;
for (const d of dtypes) if (!(DTYPES as readonly string[]).includes(d)) usageError(`unknown dtype "${d}"`);
const embeddings = values.embeddings as EmbeddingStorage;
if (!EMBEDDING_STORAGES.includes(embeddings)) usageError(`--embeddings must be ${EMBEDDING_STORAGES.join(' or ')}: "${embeddings}"`);
const embeddingLookup = values['embedding-lookup'] as EmbeddingLookup;
if (!EMBEDDING_LOOKUPS.includes(embeddingLookup)) {
  usageError(`--embedding-lookup must be ${EMBEDDING_LOOKUPS.join(' or ')}: "${embeddingLookup}"`);
}
if (embeddings === 'q4' && !dtypes.some((d) => (COMPACT_DTYPES as readonly string[]).includes(d))) {
  usageError(`--embeddings q4 applies to ${COMPACT_DTYPES.join(' and ')} only; none of them is in --dtype ${dtypes.join(',')}`);
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const isTty = process.stderr.isTTY === true;

/** On a terminal one line rewritten per tensor; in a log, a line per quarter of each file's tensors. */
function showProgress(event: ExportProgress): void {
  switch (event.status) {
    case 'opened': {
      const { dims, checkpointFiles, unused } = event.weights;
      console.error(`export: ${checkpointFiles.join(', ')}: ${dims.arch}, ${dims.layers} layers, hidden ${dims.hidden}, ` +
        `vocab ${dims.vocab}, ${dims.maxPositions} positions, ${dims.labels} label${dims.labels > 1 ? 's' : ''}; ` +
        `${event.weights.parameterCount().toLocaleString('en-US')} parameters`);
      if (unused.length > 0) {
        const more = unused.length > 10 ? ` and ${unused.length - 10} more` : '';
        console.error(`export: not used by the graph: ${unused.slice(0, 10).join(', ')}${more}`);
      }
      break;
    }
    case 'file-start':
      console.error(`export: writing ${event.path} (${event.dtype})`);
      break;
    case 'tensor': {
      const line = `  [${event.dtype}] ${event.index}/${event.total} ${event.name} (${event.dtypeOfTensor})`;
      if (isTty) process.stderr.write(`\r\x1b[K${line}`);
      else if (event.index === event.total || event.index % Math.ceil(event.total / 4) === 0) console.error(line);
      break;
    }
    case 'file-done':
      if (isTty) process.stderr.write('\r\x1b[K');
      console.error(`export: wrote ${event.path}, ${mb(event.bytes)} in ${event.seconds.toFixed(1)} s`);
      break;
  }
}

try {
  const started = performance.now();
  const report = exportModel({ from: values.from, out: values.out, dtypes: dtypes as GeneratedDtype[],
    graphOptions: { embeddings, embeddingLookup }, onProgress: showProgress });
  console.log(`exported ${values.from} → ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const f of report.files) console.log(`  ${f.path.padEnd(32)} ${f.bytes.toLocaleString('en-US').padStart(15)} bytes`);
} catch (error) {
  if (isTty) process.stderr.write('\n');
  const { name, message } = error as Error;
  console.error(`export: ${name === 'ModelLoadError' || name === 'RangeError' ? '' : `${name}: `}${message}`);
  process.exit(1);
}
