/**
 * Regenerates the committed demo models (tiny preset, all dtypes, seed 42) under public/models/: the XLM-R one and the
 * BERT one, so the app and the tests work offline. A test checks that the committed files equal a fresh generation.
 * Beside each, its compact twin (q4 and q4f16 with 4-bit embedding tables).
 */
import { DEMO_BERT_MODEL, DEMO_COMPACT_BERT_MODEL, DEMO_COMPACT_MODEL, DEMO_MODEL } from './model/demo.ts';
import { makeModel } from './model/write-model.ts';

for (const demo of [DEMO_MODEL, DEMO_BERT_MODEL, DEMO_COMPACT_MODEL, DEMO_COMPACT_BERT_MODEL]) {
  const report = makeModel(demo);
  for (const f of report.files) console.log(`${f.path.padEnd(32)} ${f.bytes.toLocaleString('en-US').padStart(12)} bytes`);
  console.log(`total ${report.files.reduce((n, f) => n + f.bytes, 0).toLocaleString('en-US')} bytes in ${demo.out}\n`);
}
