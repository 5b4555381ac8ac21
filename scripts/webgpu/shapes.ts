/**
 * How much a new tensor shape costs on WebGPU: the first run of each (batch, length) against a repeat of it, on
 * Dawn in Node (lavapipe here, a GPU where there is one). onnxruntime-web's WebGPU kernels compile pipelines per
 * shape for some ops, so a rerank of many lengths may pay compile time per length.
 *
 *   npx tsx scripts/webgpu/shapes.ts [--dtype fp32] [--model DIR] [--buckets]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { ModelSession } from '../../src/lib/runtime/session.ts';
import type { Dtype } from '../../src/lib/types.ts';
import { describeDawnAdapter, installDawn } from './dawn.ts';

const { values } = parseArgs({
  options: {
    dtype: { type: 'string', default: 'fp32' },
    model: { type: 'string', default: 'public/models/tiny-random-bge-reranker' },
    lengths: { type: 'string', default: '24,25,26,31,40,64,65,100' },
    batches: { type: 'string', default: '1,4' },
  },
});

const install = await installDawn({ useLavapipe: !process.env.VK_DRIVER_FILES });
if (!install.adapter) {
  console.log(`no WebGPU adapter: ${install.reason}`);
  process.exit(0);
}
console.log(`adapter: ${describeDawnAdapter(install.adapter)}`);
const file = path.join(values.model, ONNX_FILE_BY_DTYPE[values.dtype as Dtype]);
const createStarted = performance.now();
const session = await ModelSession.create(fs.readFileSync(file), 'webgpu');
const createMs = performance.now() - createStarted;
const row = (length: number) => [0, ...Array.from({ length: length - 2 }, (_, i) => 5 + (i % 50)), 2];
const time = async (rows: number[][]) => {
  const started = performance.now();
  await session.run(rows.map((ids) => ({ ids })), 1);
  return performance.now() - started;
};
const firstRunMs = await time([row(8)]); // the session's own first run: every pipeline compiles here
console.log(`\n${values.dtype}, ${file}: session created in ${createMs.toFixed(0)} ms, its first run (1 × 8) ` +
  `${firstRunMs.toFixed(0)} ms, a repeat ${(await time([row(8)])).toFixed(0)} ms\n\n| batch × length | first run ms | repeat ms | first / repeat |\n|---|---|---|---|`);
for (const batch of values.batches.split(',').map(Number)) {
  for (const length of values.lengths.split(',').map(Number)) {
    const rows = Array.from({ length: batch }, () => row(length));
    const first = await time(rows);
    const repeat = Math.min(await time(rows), await time(rows));
    console.log(`| ${batch} × ${length} | ${first.toFixed(0)} | ${repeat.toFixed(0)} | ${(first / repeat).toFixed(1)}× |`);
  }
}
await session.dispose();
process.exit(0);
