/**
 * The generated models against the independent reference (a Float64 forward pass over model.safetensors), and the
 * generator's own promises: dtypes, the full-size graph, determinism.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type * as ort from 'onnxruntime-web';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';
import { buildPairIds } from '../../src/lib/pairs.ts';
import { ReferenceXlmr } from '../reference/xlmr.ts';
import { createSession, DEMO_MODEL_DIR, loadTokenizer, maxAbsDiff, rankOrder, runLogits } from '../helpers/models.ts';
import { decodeModel, DataType } from '../../scripts/model/onnx-proto.ts';
import { buildXlmrGraph, OPSET, type InitializerSink } from '../../scripts/model/graph.ts';
import { onnxModelBytes, resolveDims, makeModel } from '../../scripts/model/write-model.ts';
import { WeightSource } from '../../scripts/model/weights.ts';
import { DEMO_MODEL } from '../../scripts/model/demo.ts';

const LONG_DOCUMENT = Array.from({ length: 120 }, (_, i) =>
  `Sentence ${i} of a long document about retrieval, ranking and evaluation in search engines.`).join(' ');

/** 24 pairs: the seed's 10 Chinese pairs, English and mixed pairs, a one-token document, and a pair cut at 512. */
const PAIRS: [string, string][] = [
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

let tokenizer: PreTrainedTokenizer;
let reference: ReferenceXlmr;
let rows: number[][];
const sessions: Partial<Record<'fp32' | 'fp16' | 'q8', ort.InferenceSession>> = {};

beforeAll(async () => {
  tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
  reference = ReferenceXlmr.fromDir(DEMO_MODEL_DIR);
  rows = PAIRS.map(([q, d]) => buildPairIds(
    tokenizer.encode(q, { add_special_tokens: false }),
    tokenizer.encode(d, { add_special_tokens: false }),
    512,
  ).ids);
  sessions.fp32 = await createSession(path.join(DEMO_MODEL_DIR, 'onnx/model.onnx'));
  sessions.fp16 = await createSession(path.join(DEMO_MODEL_DIR, 'onnx/model_fp16.onnx'));
  sessions.q8 = await createSession(path.join(DEMO_MODEL_DIR, 'onnx/model_quantized.onnx'));
});

/** One pair per session.run, so padding plays no part. */
async function logitsOneByOne(session: ort.InferenceSession, batch: number[][]): Promise<number[]> {
  const out: number[] = [];
  for (const row of batch) out.push(...(await runLogits(session, [row])));
  return out;
}

describe('tiny fp32 model against the Float64 reference', () => {
  it('covers the cases the issue names', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows.some((r) => r.length === 512)).toBe(true); // cut at max length
    expect(tokenizer.encode('the', { add_special_tokens: false })).toHaveLength(1); // a one-token document
    for (const r of rows) expect(r.at(-1)).toBe(2);
  });

  it('gives the reference logits within 1e-4, one pair at a time and as a padded batch', async () => {
    const expected = reference.logits(rows, rows.map((r) => r.map(() => 1)));
    const alone = await logitsOneByOne(sessions.fp32!, rows);
    const batched = await runLogits(sessions.fp32!, rows);
    console.log(`fp32 vs reference: max |Δlogit| alone ${maxAbsDiff(alone, expected).toExponential(2)}, ` +
      `batched ${maxAbsDiff(batched, expected).toExponential(2)}`);
    expect(maxAbsDiff(alone, expected)).toBeLessThan(1e-4);
    expect(maxAbsDiff(batched, expected)).toBeLessThan(1e-4);
    // The logits must differ across pairs, or every comparison above is vacuous.
    expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(1);
  });

  it('scores a pair the same alone, beside longer pairs, and at any position in the batch (1e-5)', async () => {
    const short = rows[PAIRS.findIndex(([q]) => q === 'one token')];
    const long = rows.filter((r) => r.length > 100);
    const [alone] = await runLogits(sessions.fp32!, [short]);
    for (let position = 0; position <= long.length; position++) {
      const batch = [...long.slice(0, position), short, ...long.slice(position)];
      const logits = await runLogits(sessions.fp32!, batch);
      expect(Math.abs(logits[position] - alone)).toBeLessThan(1e-5);
    }
  });
});

describe('fp16 and q8 against fp32', () => {
  // Measured on the demo set (2026-11-25): fp16 max |Δlogit| ≈ 1.6e-3, q8 ≈ 0.07; the bounds leave room for other seeds.
  const TOLERANCE = { fp16: 0.05, q8: 0.25 } as const;

  for (const dtype of ['fp16', 'q8'] as const) {
    it(`${dtype} stays within ${TOLERANCE[dtype]} of fp32 and ranks each query's documents as fp32 does`, async () => {
      const fp32 = await logitsOneByOne(sessions.fp32!, rows);
      const other = await logitsOneByOne(sessions[dtype]!, rows);
      const deviation = maxAbsDiff(fp32, other);
      console.log(`${dtype}: max |logit - fp32| = ${deviation.toExponential(2)}`);
      expect(deviation).toBeLessThan(TOLERANCE[dtype]);
      expect(deviation).toBeGreaterThan(0); // really a different model
      // Reranking compares documents of one query; across queries the order carries no meaning.
      const queries = [...new Set(PAIRS.map(([q]) => q))];
      let compared = 0;
      for (const query of queries) {
        const members = PAIRS.flatMap(([q], i) => (q === query ? [i] : []));
        if (members.length < 2) continue;
        compared++;
        const order = (logits: number[]) => rankOrder(members.map((i) => logits[i])).map((k) => members[k]);
        expect(order(other), query).toEqual(order(fp32));
      }
      expect(compared).toBeGreaterThanOrEqual(8);
    });
  }

  it('fp16 logits are float16 and q8 runs MatMulInteger on int8 weights, as the published exports', () => {
    const fp16 = decodeModel(fs.readFileSync(path.join(DEMO_MODEL_DIR, 'onnx/model_fp16.onnx')));
    expect(fp16.graph.output[0].type.tensorType.elemType).toBe(DataType.FLOAT16);
    const q8 = decodeModel(fs.readFileSync(path.join(DEMO_MODEL_DIR, 'onnx/model_quantized.onnx')));
    const ops = q8.graph.node.map((n) => n.opType);
    expect(ops.filter((o) => o === 'MatMulInteger').length).toBe(2 * 6 + 2); // 6 weight MatMuls a layer + head
    expect(ops.filter((o) => o === 'DynamicQuantizeLinear').length).toBe(2 * 6 + 2);
    const int8 = q8.graph.initializer.filter((t) => t.dataType === DataType.INT8 && t.dims.length === 2);
    expect(int8.length).toBe(2 * 6 + 2);
  });
});

describe('the full preset graph', () => {
  it('has 24 layers, hidden 1024, 16 heads, FFN 4096, vocab 250002 and 8194 positions, with external data', () => {
    // Weights are all zero here: the graph and the file layout do not depend on the values, and drawing 568M
    // random numbers would take a minute. External bytes are counted, not written.
    const dims = resolveDims('full', 250002);
    const weights = new WeightSource(dims, 1, true);
    let externalBytes = 0;
    const countingSink: InitializerSink = {
      place: (_name, bytes) => {
        externalBytes += bytes.byteLength;
        return [{ key: 'location', value: 'model.onnx_data' }];
      },
    };
    const model = decodeModel(onnxModelBytes(weights, 'fp32', countingSink));
    expect(model.opsetImport[0].version).toBe(OPSET);
    const init = new Map(model.graph.initializer.map((t) => [t.name, t]));
    expect(init.get('roberta.embeddings.word_embeddings.weight')?.dims).toEqual([250002, 1024]);
    expect(init.get('roberta.embeddings.position_embeddings.weight')?.dims).toEqual([8194, 1024]);
    expect(init.get('roberta.encoder.layer.23.intermediate.dense.weight.T')?.dims).toEqual([1024, 4096]);
    expect(init.has('roberta.encoder.layer.24.intermediate.dense.weight.T')).toBe(false);
    const layers = new Set(model.graph.node.map((n) => /layer\.(\d+)\//.exec(n.name)?.[1]).filter(Boolean));
    expect(layers.size).toBe(24);
    expect(init.get('split_heads_shape')).toBeDefined();
    expect(model.graph.node.filter((n) => n.opType === 'Softmax').length).toBe(24);
    expect(weights.parameterCount()).toBe(567_755_777);
    expect(externalBytes).toBeGreaterThan(2 ** 31); // the reason it must be external
    expect(model.graph.input.map((i) => i.name)).toEqual(['input_ids', 'attention_mask']);
    expect(model.graph.output[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch_size' }, { dimValue: 1 }]);
  });

  it('builds the q8 graph with every weight MatMul quantised', () => {
    const weights = new WeightSource(resolveDims('full', 250002), 1, true);
    const graph = buildXlmrGraph(weights, 'q8', { place: () => undefined });
    expect(graph.nodes.filter((n) => n.opType === 'MatMulInteger').length).toBe(24 * 6 + 2);
    expect(graph.nodes.filter((n) => n.opType === 'MatMul').length).toBe(24 * 2); // QKᵀ and PV stay float
  });
});

describe('determinism', () => {
  it('the same arguments give byte-identical files, equal to the committed demo model', () => {
    const dirs = [0, 1].map((i) => fs.mkdtempSync(path.join(os.tmpdir(), `make-model-${i}-`)));
    try {
      const reports = dirs.map((out) => makeModel({ ...DEMO_MODEL, out }));
      for (const f of reports[0].files) {
        const a = fs.readFileSync(path.join(dirs[0], f.path));
        const b = fs.readFileSync(path.join(dirs[1], f.path));
        const committed = fs.readFileSync(path.join(DEMO_MODEL_DIR, f.path));
        expect(a.equals(b), f.path).toBe(true);
        expect(a.equals(committed), `${f.path} is stale: run npm run make-demo-models`).toBe(true);
      }
      const otherSeed = fs.mkdtempSync(path.join(os.tmpdir(), 'make-model-seed-'));
      makeModel({ ...DEMO_MODEL, dtypes: ['fp32'], out: otherSeed, safetensors: false });
      const changed = makeModel({ ...DEMO_MODEL, seed: 7, dtypes: ['fp32'], out: otherSeed, safetensors: false });
      expect(changed.files.length).toBeGreaterThan(0);
      expect(fs.readFileSync(path.join(otherSeed, 'onnx/model.onnx')).equals(
        fs.readFileSync(path.join(dirs[0], 'onnx/model.onnx')))).toBe(false);
      fs.rmSync(otherSeed, { recursive: true });
    } finally {
      for (const d of dirs) fs.rmSync(d, { recursive: true });
    }
  });
});
