/**
 * Runs the TypeScript reference (tools/reference/xlmr.ts) on a model directory and a JSON batch, printing JSON.
 * Driver for scripts/crosscheck/reference_vs_torch.py; not part of npm test.
 *
 * @example
 * // npx tsx scripts/crosscheck/reference-logits.ts /tmp/model batch.json
 * // batch.json: {"input_ids": [[0, 5, 2]], "attention_mask": [[1, 1, 1]]}
 * // prints {"logits":[0.4137...],"loadMs":3.1,"runMs":[12.3, 4.1, 3.9]}
 */
import { readFileSync } from 'node:fs';
import { ReferenceXlmr } from '../../tools/reference/xlmr.js';

const [dir, batchPath, repeatArg] = process.argv.slice(2);
if (!dir || !batchPath) {
  console.error('usage: tsx scripts/crosscheck/reference-logits.ts MODEL_DIR BATCH_JSON [REPEATS]');
  process.exit(2);
}
const batch = JSON.parse(readFileSync(batchPath, 'utf8')) as { input_ids: number[][]; attention_mask: number[][] };

let start = performance.now();
const model = ReferenceXlmr.fromDir(dir);
const loadMs = performance.now() - start;

const runMs: number[] = [];
let logits: number[] = [];
for (let r = 0; r < Math.max(1, Number(repeatArg ?? 1)); r++) {
  start = performance.now();
  logits = model.logits(batch.input_ids, batch.attention_mask);
  runMs.push(performance.now() - start);
}
// 17 significant digits round-trip a float64 exactly.
process.stdout.write(`{"logits":[${logits.map((v) => v.toPrecision(17)).join(',')}],` +
  `"loadMs":${loadMs.toFixed(1)},"runMs":[${runMs.map((v) => v.toFixed(1)).join(',')}]}\n`);
