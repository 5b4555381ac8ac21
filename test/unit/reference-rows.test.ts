/**
 * The self-check's reference cut to the embedding rows of its pairs (src/lib/runtime/reference-rows.ts): the same
 * logits as the whole model, bit for bit, in every dtype of the committed tiny models; the whole table is never read;
 * and where a token is past the table, or the graph has no table to cut, the whole model is used.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keepRows, REFERENCE_ROWS_PATH } from '../../src/lib/runtime/reference-rows.ts';
import { scoreOnWasm } from '../../src/lib/runtime/self-check.ts';
import { ModelSession } from '../../src/lib/runtime/session.ts';
import { OnDemandBytes } from '../../src/lib/files/on-demand-bytes.ts';
import { parseModelConfig } from '../../src/lib/files/model-config.ts';
import { DEMO_BERT_MODEL, DEMO_COMPACT_MODEL, DEMO_MODEL } from '../../scripts/model/demo.ts';
import type { TokenRow } from '../../src/lib/batching/padding.ts';

const XLMR = path.resolve(DEMO_MODEL.out, 'onnx');
const BERT = path.resolve(DEMO_BERT_MODEL.out, 'onnx');
const COMPACT = path.resolve(DEMO_COMPACT_MODEL.out, 'onnx');
const word = (prefix: string, suffix = '') => `${prefix}.embeddings.word_embeddings.weight${suffix}`;

const CASES = [
  ...['model.onnx', 'model_fp16.onnx', 'model_quantized.onnx', 'model_int8.onnx', 'model_uint8.onnx', 'model_q4.onnx',
    'model_q4f16.onnx'].map((f) => ({ file: path.join(XLMR, f), vocabulary: 2005, padId: 1, bert: false })),
  ...['model_fp16.onnx', 'model_quantized.onnx'].map((f) => ({ file: path.join(BERT, f), vocabulary: 2104, padId: 0, bert: true })),
  { file: path.join(COMPACT, 'model_q4.onnx'), vocabulary: 2005, padId: 1, bert: false },
];

/** Rows of 3 to 30 tokens over a few dozen ids spread across the table, its first and last rows among them. */
function tokenRows(vocabulary: number, bert: boolean): TokenRow[] {
  const rows: TokenRow[] = [];
  for (let r = 0; r < 5; r++) {
    const body = Array.from({ length: 1 + r * 7 }, (_, i) => (r * 389 + i * 131 + 5) % vocabulary);
    const ids = [0, ...body, r === 4 ? vocabulary - 1 : 2, 2];
    rows.push(bert ? { ids, typeIds: ids.map(() => 0) } : { ids });
  }
  return rows;
}
const idsOf = (rows: TokenRow[], padId: number) => new Set([padId, ...rows.flatMap((r) => r.ids)]);

const sessions: ModelSession[] = [];
afterEach(async () => Promise.all(sessions.splice(0).map((s) => s.dispose())));

async function logits(graph: Uint8Array, external: { path: string; data: Uint8Array }[], rows: TokenRow[], padId: number) {
  const session = await ModelSession.create(graph, 'wasm', { externalData: external });
  sessions.push(session);
  const out: number[] = [];
  for (const row of rows) out.push(...(await session.run([row], padId)));
  return out;
}

describe('the reference cut to the rows of its pairs', () => {
  it.each(CASES)('gives the whole model\'s logits bit for bit: $file', async ({ file, vocabulary, padId, bert }) => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const rows = tokenRows(vocabulary, bert);
    const ids = idsOf(rows, padId);
    const kept = keepRows(bytes, [], ids)!;
    expect(kept.tables.length).toBeGreaterThan(0);
    for (const table of kept.tables) expect(table).toMatchObject({ rows: ids.size, of: vocabulary });
    const whole = await logits(bytes, [], rows, padId);
    expect(whole.every(Number.isFinite)).toBe(true);
    expect(await logits(kept.graph, kept.external, rows, padId)).toEqual(whole);
  });

  it('names the tables it cut: both of a compact export (packed rows and their scales)', () => {
    const rows = tokenRows(2005, false);
    const kept = keepRows(new Uint8Array(fs.readFileSync(path.join(COMPACT, 'model_q4.onnx'))), [], idsOf(rows, 1))!;
    expect(kept.tables.map((t) => t.name)).toEqual([word('roberta', '_Q4'), word('roberta', '_scales')]);
    const q8 = keepRows(new Uint8Array(fs.readFileSync(path.join(XLMR, 'model_quantized.onnx'))), [], idsOf(rows, 1))!;
    expect(q8.tables.map((t) => t.name)).toEqual([word('roberta', '_quantized')]);
    // The kept rows (64 bytes each) and the vocabulary's int32 positions: all the new file holds.
    const added = q8.external.find((f) => f.path === REFERENCE_ROWS_PATH)!;
    expect(added.data.byteLength).toBe(idsOf(rows, 1).size * 64 + 2005 * 4);
  });

  it('never reads the whole table: only the blocks that hold kept rows', async () => {
    const file = path.join(XLMR, 'model.onnx'); // fp32: 2005 rows of 256 bytes, 513,280 bytes, the largest weight
    const fd = fs.openSync(file, 'r');
    const reads: number[] = [];
    try {
      const bytes = new OnDemandBytes(fs.fstatSync(fd).size, (start, end) => {
        const out = new Uint8Array(end - start);
        fs.readSync(fd, out, 0, out.byteLength, start);
        reads.push(end - start);
        return out;
      });
      const rows = tokenRows(2005, false);
      const kept = keepRows(bytes, [], idsOf(rows, 1))!;
      const cut = await logits(kept.graph, kept.external, rows, 1);
      expect(reads).not.toContain(2005 * 256);
      expect(cut).toEqual(await logits(new Uint8Array(fs.readFileSync(file)), [], rows, 1));
    } finally {
      fs.closeSync(fd);
    }
  });

  it('is what the self-check scores on wasm', async () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(XLMR, 'model_quantized.onnx')));
    const rows = tokenRows(2005, false);
    const config = parseModelConfig(JSON.parse(fs.readFileSync(path.join(XLMR, '..', 'config.json'), 'utf8')));
    expect(await scoreOnWasm({ graph: bytes, external: [], config, rows, padId: 1 })).toEqual(await logits(bytes, [], rows, 1));
  });

  it('leaves the model whole where a token is past the table, no token is given, or nothing can be cut', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(XLMR, 'model_quantized.onnx')));
    expect(keepRows(bytes, [], new Set([0, 2, 2005]))).toBeNull();
    expect(keepRows(bytes, [], new Set([-1, 2]))).toBeNull();
    expect(keepRows(bytes, [], new Set())).toBeNull();
    expect(keepRows(new Uint8Array([1, 2, 3]), [], new Set([0]))).toBeNull();
    expect(keepRows(bytes, [], new Set([0, 2, 2004]))?.tables).toHaveLength(1);
  });
});
