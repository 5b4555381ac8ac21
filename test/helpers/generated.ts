/** What the generated-*.test.ts files share: the pairs the demo models are scored on, and a demo model file decoded. */
import fs from 'node:fs';
import path from 'node:path';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';
import { decodeModel, type ModelMsg } from '../../scripts/model/onnx-proto.ts';
import { ONNX_FILE, type GeneratedDtype } from '../../scripts/model/presets.ts';
import { DEMO_MODEL_DIR } from './models.ts';

const LONG_DOCUMENT = Array.from({ length: 120 }, (_, i) =>
  `Sentence ${i} of a long document about retrieval, ranking and evaluation in search engines.`).join(' ');

/** 24 pairs: the seed's 10 Chinese pairs, English and mixed pairs, a one-token document, and a pair cut at 512. */
export const PAIRS: [string, string][] = [
  ...SEED_PAIRS.map(([q, d]) => [q, d] as [string, string]),
  ['what is a cross-encoder?', 'A cross-encoder reads the query and the document together and outputs one relevance score.'],
  ['what is a cross-encoder?', 'The weather in Paris is mild in spring.'],
  ['how do I reset my password', 'Open settings, choose security, then click "reset password" and follow the email link.'],
  ['how do I reset my password', 'Our office is closed on public holidays.'],
  ['best way to cook rice', 'Rinse the rice, use 1.5 cups of water per cup, simmer 15 minutes, rest 10.'],
  ['best way to cook rice', 'Rice is grown on every continent except Antarctica.'],
  ['Wie spät ist es?', 'Es ist halb drei.'],
  ['¿Dónde está la estación?', 'La estación está a dos calles de aquí.'],
  ['GPU memory', 'batch 32 ran out of memory on the T4 (OOM), batch 16 used 2.4 GB'],
  ['emoji test 🚀', 'Launch 🚀 at 10:00 — tabs\tand  spaces'],
  ['one token', 'the'],
  ['long document', LONG_DOCUMENT],
  ['', 'an empty query still forms a valid pair'],
  ['重排序模型', 'BGE-Reranker-v2-m3 是一个多语言重排序模型。'],
];

export const readDemo = (dtype: GeneratedDtype): ModelMsg => decodeModel(fs.readFileSync(path.join(DEMO_MODEL_DIR, ONNX_FILE[dtype])));
