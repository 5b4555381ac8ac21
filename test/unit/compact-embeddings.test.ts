/**
 * Compact embeddings (scripts/model/embedding-q4.ts): the 4-bit table quantiser, the committed compact demo folders
 * (XLM-R and BERT, q4 and q4f16), and those files on onnxruntime-web's wasm build against native onnxruntime on the same
 * file, against the same dtype with float tables, against the Float64 reference of the fp32 weights, and through
 * createReranker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BERT_MODEL, DEMO_COMPACT_BERT_MODEL, DEMO_COMPACT_MODEL, DEMO_MODEL } from '../../scripts/model/demo.ts';
import { quantizeRows4Bit, quantizeTable4Bit } from '../../scripts/model/embedding-q4.ts';
import { decodeModel, DataType } from '../../scripts/model/onnx-proto.ts';
import { makeModel, type MakeModelOptions } from '../../scripts/model/write-model.ts';
import { encoderFromFolder } from '../../scripts/bench/model-folder.ts';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { floatTensorToNumbers } from '../../src/lib/runtime/float16.ts';
import { createReranker } from '../../src/lib/runtime/load.ts';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';
import { ReferenceBert } from '../../tools/reference/bert.ts';
import { ReferenceXlmr } from '../../tools/reference/xlmr.ts';
import { maxAbsDiff } from '../helpers/models.ts';

ortWeb.env.wasm.numThreads = 1;
ortWeb.env.logLevel = 'error';

const PAIRS: [string, string][] = [
  ...SEED_PAIRS.map(([q, d]): [string, string] => [q, d]),
  ['what is the capital of France?', 'Paris is the capital and largest city of France.'],
  ['what is the capital of France?', 'Berlin is the capital of Germany.'],
  ['how do cross-encoders rerank documents?', 'A cross-encoder reads the query and the document together.'],
];

/**
 * Largest |Δlogit| allowed (tiny models, logits of order 1; measured values are printed):
 * - vsNative: the same file on onnxruntime-node's CPU kernels. q4 computes in fp32 on both; q4f16's half-precision
 *   kernels round differently (native keeps some fp16 arithmetic that wasm upcasts).
 * - vsFloatTables: the same dtype with float tables: the 4-bit tables' own cost (measured 0.25-0.27 on these uniform
 *   random tables).
 * - vsReference: the Float64 reference of the fp32 weights: 4-bit MatMuls plus 4-bit tables (measured 0.49 XLM-R,
 *   0.35 BERT).
 */
const TOLERANCE = {
  q4: { vsNative: 1e-4, vsFloatTables: 0.4, vsReference: 0.6 },
  q4f16: { vsNative: 0.02, vsFloatTables: 0.4, vsReference: 0.6 },
} as const;

describe('quantizeTable4Bit', () => {
  it('scales each block of 32 by its largest magnitude / -8 and packs q + 8, the even column low', () => {
    const t = quantizeTable4Bit(Float32Array.from({ length: 32 }, (_, k) => k - 16), 1, 32, 32);
    expect(Array.from(t.scales)).toEqual([2]);
    expect(t.packed[0]).toBe(0x00); // -16 → -8 and -15 → -7.5 → -8 (half to even): both 0
    expect(t.packed[8]).toBe(0x88); // 0 and 1 → 0 and 0.5 → 0: both 8
    expect(t.packed[15]).toBe(0xff); // 14 → 7 and 15 → 7.5 → 8, clipped to 7: both 15
  });

  it('reconstructs every value within half a step, or one step at the clipped end', () => {
    const rows = 3;
    const cols = 64;
    const table = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 5)));
    const t = quantizeTable4Bit(table, rows, cols, 32);
    for (let i = 0; i < table.length; i++) {
      const scale = t.scales[Math.floor(i / 32)];
      const q = ((t.packed[i >> 1] >> ((i & 1) * 4)) & 0xf) - 8;
      const bound = q === 7 ? Math.abs(scale) : Math.abs(scale) / 2;
      expect(Math.abs(q * scale - table[i])).toBeLessThanOrEqual(bound * (1 + 1e-6));
    }
  });

  it('refuses a table whose width is not a multiple of the block', () => {
    expect(() => quantizeTable4Bit(new Float32Array(48), 1, 48, 32)).toThrow(RangeError);
  });

  it('reads a large table a few thousand rows at a time (as the exporter does) and gives the bytes of each row alone', () => {
    const rows = 9_001; // three reads, the last one short
    const cols = 64;
    const table = Float32Array.from({ length: rows * cols }, (_, i) => Math.cos(i * 0.37) * (1 + (i % 7)));
    const reads: [number, number][] = [];
    const t = quantizeRows4Bit({ rows, cols, read: (first, count) => {
      reads.push([first, count]);
      return table.slice(first * cols, (first + count) * cols); // a copy, as a read from disk is
    } }, 32);
    expect(reads.length).toBeGreaterThan(1);
    expect(reads.reduce((n, [, count]) => n + count, 0)).toBe(rows);
    for (const r of [0, 1, 4_095, 4_096, 4_097, rows - 1]) {
      const alone = quantizeTable4Bit(table.subarray(r * cols, (r + 1) * cols), 1, cols, 32);
      expect(t.packed.subarray(r * cols / 2, (r + 1) * cols / 2), `row ${r}`).toEqual(alone.packed);
      expect(t.scales.subarray(r * 2, r * 2 + 2), `row ${r}`).toEqual(alone.scales);
    }
  });
});

const MODELS = [
  { name: 'XLM-R', compact: DEMO_COMPACT_MODEL, float: DEMO_MODEL, prefix: 'roberta' },
  { name: 'BERT', compact: DEMO_COMPACT_BERT_MODEL, float: DEMO_BERT_MODEL, prefix: 'bert' },
] as const;

describe.each(MODELS)('the committed compact $name demo', ({ compact, float, prefix }) => {
  const dir = path.resolve(compact.out);
  const floatDir = path.resolve(float.out);
  let fresh: string;

  beforeAll(() => {
    fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'compact-'));
    makeModel({ ...compact, out: fresh } satisfies MakeModelOptions);
  });
  afterAll(() => fs.rmSync(fresh, { recursive: true, force: true }));

  it('equals a fresh generation, file for file', () => {
    for (const f of ['config.json', 'tokenizer.json', ONNX_FILE_BY_DTYPE.q4, ONNX_FILE_BY_DTYPE.q4f16]) {
      expect(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(fresh, f))), f).toBe(true);
    }
  });

  it('says so in config.json, and stores the word and position tables in 4 bits, the token types float', () => {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.embedding_quantization).toMatchObject({ dtypes: ['q4', 'q4f16'], bits: 4, block_size: 32,
      symmetric: true, tables: ['word_embeddings', 'position_embeddings'] });
    for (const [dtype, floatType] of [['q4', DataType.FLOAT], ['q4f16', DataType.FLOAT16]] as const) {
      const model = decodeModel(fs.readFileSync(path.join(dir, ONNX_FILE_BY_DTYPE[dtype])));
      const init = new Map(model.graph.initializer.map((t) => [t.name, t]));
      const hidden = 64;
      for (const table of ['word_embeddings', 'position_embeddings']) {
        const name = `${prefix}.embeddings.${table}.weight`;
        expect(init.has(name), `${dtype} ${name}`).toBe(false);
        expect(init.get(`${name}_Q4`)).toMatchObject({ dataType: DataType.UINT8, dims: [expect.any(Number), hidden / 2] });
        expect(init.get(`${name}_scales`)).toMatchObject({ dataType: floatType, dims: [expect.any(Number), hidden / 32] });
      }
      expect(init.get(`${prefix}.embeddings.token_type_embeddings.weight`)?.dataType).toBe(floatType);
      // Standard ops only for the lookup: the wasm build has no GatherBlockQuantized kernel.
      expect(model.graph.node.some((n) => n.opType === 'GatherBlockQuantized')).toBe(false);
    }
  });

  describe.each(['q4', 'q4f16'] as const)('%s', (dtype) => {
    const encoder = encoderFromFolder(dir);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { pad_token_id: number };
    const rows = PAIRS.map(([q, d]) => encoder.pairFromIds(encoder.encode(q), encoder.encode(d), 512));
    const width = Math.max(...rows.map((r) => r.ids.length));
    const padded = rows.map((r) => [...r.ids, ...Array<number>(width - r.ids.length).fill(config.pad_token_id)]);
    const mask = rows.map((r) => [...r.ids.map(() => 1), ...Array<number>(width - r.ids.length).fill(0)]);
    const types = rows.map((r) => [...(r.typeIds ?? r.ids.map(() => 0)), ...Array<number>(width - r.ids.length).fill(0)]);

    async function logits(ort: typeof ortWeb | typeof ortNode, file: string): Promise<number[]> {
      const session = await (ort as typeof ortWeb).InferenceSession.create(fs.readFileSync(file), { executionProviders: [ort === ortWeb ? 'wasm' : 'cpu'] });
      const tensor = (m: number[][]) => new (ort as typeof ortWeb).Tensor('int64', BigInt64Array.from(m.flat().map(BigInt)), [m.length, width]);
      const feeds: Record<string, ortWeb.Tensor> = { input_ids: tensor(padded), attention_mask: tensor(mask) };
      if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = tensor(types);
      const out = await session.run(feeds);
      await session.release();
      return floatTensorToNumbers(out.logits.type, out.logits.data);
    }

    it('runs on wasm as native onnxruntime runs the same file, close to float tables and the Float64 reference', async () => {
      const file = path.join(dir, ONNX_FILE_BY_DTYPE[dtype]);
      const wasm = await logits(ortWeb, file);
      const native = await logits(ortNode, file);
      const floatTables = await logits(ortWeb, path.join(floatDir, ONNX_FILE_BY_DTYPE[dtype]));
      const reference = prefix === 'bert'
        ? ReferenceBert.fromDir(floatDir).logits(padded, mask, types)
        : ReferenceXlmr.fromDir(floatDir).logits(padded, mask);
      const vs = { native: maxAbsDiff(wasm, native), floatTables: maxAbsDiff(wasm, floatTables), reference: maxAbsDiff(wasm, reference) };
      console.log(`${prefix} ${dtype} compact: max |Δlogit| vs native ${vs.native.toExponential(2)}, vs float tables ` +
        `${vs.floatTables.toFixed(3)}, vs Float64 reference ${vs.reference.toFixed(3)}`);
      expect(wasm.every(Number.isFinite)).toBe(true);
      expect(Math.max(...wasm) - Math.min(...wasm)).toBeGreaterThan(0.05); // not one score for every pair
      expect(vs.native).toBeLessThanOrEqual(TOLERANCE[dtype].vsNative);
      expect(vs.floatTables).toBeLessThanOrEqual(TOLERANCE[dtype].vsFloatTables);
      expect(vs.reference).toBeLessThanOrEqual(TOLERANCE[dtype].vsReference);
    }, 120_000);

    it('loads through createReranker on wasm, reports its embedding storage and scores as the session does', async () => {
      const files: Record<string, Blob> = {};
      for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', ONNX_FILE_BY_DTYPE[dtype]]) {
        files[f] = new Blob([fs.readFileSync(path.join(dir, f))]);
      }
      const reranker = await createReranker({ model: { files }, device: 'wasm', dtype, numThreads: 1 });
      try {
        expect(reranker.info).toMatchObject({ backend: 'wasm', dtype });
        expect(reranker.info.embeddings).toMatchObject({ format: 'block-quantized', bits: 4, blockSize: 32,
          tables: ['word_embeddings', 'position_embeddings'] });
        const scores = await reranker.score(PAIRS, { rawScores: true });
        expect(maxAbsDiff(scores, await logits(ortWeb, path.join(dir, ONNX_FILE_BY_DTYPE[dtype])))).toBeLessThan(1e-4);
      } finally {
        await reranker.dispose();
      }
    }, 120_000);
  });
});
