/**
 * The generated tiny BERT cross-encoder (public/models/tiny-random-bert-reranker) against the independent Float64
 * oracle (ReferenceBert over model.safetensors): transformers.js' pair encoding, fp32 logits alone and padded, two-label
 * files of both architectures, every other dtype's distance to fp32, and every file's inputs and outputs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import * as ort from 'onnxruntime-web';
import { buildPairIds } from '../../src/lib/text/pairs.ts';
import { ReferenceBert } from '../../tools/reference/bert.ts';
import { ReferenceXlmr } from '../../tools/reference/xlmr.ts';
import { createSession, loadTokenizer, maxAbsDiff } from '../helpers/models.ts';
import { bertPairRow, DEMO_BERT_DIR, runRows, type TypedRow } from '../helpers/bert.ts';
import { PAIRS } from '../helpers/generated.ts';
import { decodeModel, DataType } from '../../scripts/model/onnx-proto.ts';
import { makeModel } from '../../scripts/model/write-model.ts';
import { DEMO_BERT_MODEL } from '../../scripts/model/demo.ts';
import { DTYPES, ONNX_FILE, type GeneratedDtype } from '../../scripts/model/presets.ts';

/** 12 more pairs beside the XLM-R tests' 24: accents, capitals, kana, Hangul, Cyrillic, Greek, digits, symbols. */
const MORE_PAIRS: [string, string][] = [
  ['Où est la gare ?', 'La gare est à deux rues d\'ici, à côté du café.'],
  ['TRAIN TIMES', 'The train to the city leaves at 7:45 and arrives at 9:10.'],
  ['ブラウザで動くモデル', 'このモデルはブラウザの中で動くので、データは外部に送信されません。'],
  ['검색 시스템', '검색 시스템은 후보 문서를 찾은 다음 재순위 모델로 다시 정렬합니다.'],
  ['Поисковая система', 'Модель работает прямо в браузере, поэтому данные никуда не отправляются.'],
  ['αναζήτηση', 'Η αναζήτηση επιστρέφει τα πιο σχετικά έγγραφα πρώτα.'],
  ['a+b=c', 'x*y/z, (a), [b], {c}, 1 < 2 > 0, #42 @user 10% $12.50'],
  ['list comprehension', 'Python list comprehensions have the form [expr for item in iterable if condition].'],
  ['list comprehension', 'My grandmother keeps a small garden behind her house.'],
  ['reranker', 'A cross-encoder reads the query and the document together, as one sequence.'],
  ['reranker', 'Tickets cost half price for students.'],
  ['supercalifragilisticexpialidocious', 'antidisestablishmentarianism'],
];
const ALL_PAIRS = [...PAIRS, ...MORE_PAIRS];

let tokenizer: PreTrainedTokenizer;
let reference: ReferenceBert;
let rows: TypedRow[];
let expected: number[];
const sessions: Partial<Record<GeneratedDtype, ort.InferenceSession>> = {};
/** Each dtype's logits over ALL_PAIRS, one pair per run. */
const logits: Partial<Record<GeneratedDtype, number[]>> = {};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'generated-bert-'));

const maskOf = (r: TypedRow) => r.ids.map(() => 1);

async function oneByOne(session: ort.InferenceSession, batch: TypedRow[]): Promise<number[]> {
  const out: number[] = [];
  for (const row of batch) out.push(...(await runRows(session, [row]))[0]);
  return out;
}

beforeAll(async () => {
  tokenizer = await loadTokenizer(DEMO_BERT_DIR);
  reference = ReferenceBert.fromDir(DEMO_BERT_DIR);
  rows = ALL_PAIRS.map(([q, d]) => bertPairRow(tokenizer, q, d));
  expected = reference.logits(rows.map((r) => r.ids), rows.map(maskOf), rows.map((r) => r.types));
  for (const dtype of DTYPES) {
    sessions[dtype] = await createSession(path.join(DEMO_BERT_DIR, ONNX_FILE[dtype]));
    logits[dtype] = await oneByOne(sessions[dtype]!, rows);
  }
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the tiny BERT tokenizer in transformers.js', () => {
  it('encodes each pair as [CLS] a [SEP] b [SEP], types 0 then 1, as the template built by hand', () => {
    let compared = 0;
    ALL_PAIRS.forEach(([q, d], i) => {
      if (rows[i].ids.length === 512) return; // cut by hand; transformers.js would cut the pair differently
      const own = tokenizer(q, { text_pair: d, return_tensor: false }) as { input_ids: number[]; token_type_ids: number[] };
      expect(own.input_ids, q).toEqual(rows[i].ids);
      expect(own.token_type_ids, q).toEqual(rows[i].types);
      compared++;
    });
    expect(compared).toBe(ALL_PAIRS.length - 1);
    expect(tokenizer.decode(rows[PAIRS.length].ids)).toBe('[CLS] ou est la gare? [SEP] la gare est a deux rues d\'ici, a cote du cafe. [SEP]');
  });
});

describe('tiny BERT fp32 against the Float64 reference', () => {
  it('covers a pair cut at 512 (the last position) and a one-token document', () => {
    expect(rows.length).toBe(36);
    expect(rows.some((r) => r.ids.length === 512)).toBe(true);
    expect(tokenizer.encode('the', { add_special_tokens: false })).toHaveLength(1);
  });

  it('gives the reference logits within 1e-4, one pair at a time and as a padded batch', async () => {
    const alone = logits.fp32!;
    const batched = (await runRows(sessions.fp32!, rows)).map((r) => r[0]);
    console.log(`bert fp32 vs reference: max |Δlogit| alone ${maxAbsDiff(alone, expected).toExponential(2)}, ` +
      `batched ${maxAbsDiff(batched, expected).toExponential(2)}; logits span ${Math.min(...expected).toFixed(2)} … ` +
      `${Math.max(...expected).toFixed(2)}`);
    expect(maxAbsDiff(alone, expected)).toBeLessThan(1e-4);
    expect(maxAbsDiff(batched, expected)).toBeLessThan(1e-4);
    // The logits must differ across pairs, or every comparison above is vacuous.
    expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(1);
  });

  it('reads token_type_ids: all-zero types give other logits, in the file and in the reference alike', async () => {
    const untyped = rows.slice(0, 6).map((r) => ({ ids: r.ids, types: r.types.map(() => 0) }));
    const got = (await runRows(sessions.fp32!, untyped)).map((r) => r[0]);
    const want = reference.logits(untyped.map((r) => r.ids), untyped.map(maskOf), untyped.map((r) => r.types));
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
    expect(maxAbsDiff(want, expected.slice(0, 6))).toBeGreaterThan(1e-2);
  });
});

describe('two-label files against the reference', () => {
  it('BERT and XLM-R with --labels 2: logits [batch, 2] within 1e-4 of the reference, alone and batched', async () => {
    for (const arch of ['bert', 'xlmr'] as const) {
      const dir = path.join(tmp, `${arch}-2`);
      makeModel({ ...DEMO_BERT_MODEL, arch, labels: 2, dtypes: ['fp32'], out: dir });
      const model = decodeModel(fs.readFileSync(path.join(dir, ONNX_FILE.fp32)));
      expect(model.graph.output[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch_size' }, { dimValue: 2 }]);
      const session = await createSession(path.join(dir, ONNX_FILE.fp32));
      const own = await loadTokenizer(dir);
      const pairs = ALL_PAIRS.slice(10, 20);
      // XLM-R rows carry no types: its file has no token_type_ids input.
      const batch: { ids: number[]; types?: number[] }[] = arch === 'bert'
        ? pairs.map(([q, d]) => bertPairRow(own, q, d))
        : pairs.map(([q, d]) => ({ ids: buildPairIds(own.encode(q, { add_special_tokens: false }),
          own.encode(d, { add_special_tokens: false }), 512).ids }));
      const ids = batch.map((r) => r.ids);
      const want = arch === 'bert'
        ? ReferenceBert.fromDir(dir).logitRows(ids, ids.map((r) => r.map(() => 1)), batch.map((r) => r.types!))
        : ReferenceXlmr.fromDir(dir).logitRows(ids, ids.map((r) => r.map(() => 1)));
      const pad = arch === 'bert' ? 0 : 1;
      const batched = await runRows(session, batch, pad);
      const alone = [];
      for (const row of batch) alone.push((await runRows(session, [row], pad))[0]);
      for (const got of [batched, alone]) {
        expect(got.every((r) => r.length === 2), arch).toBe(true);
        expect(maxAbsDiff(got.flat(), want.flat()), arch).toBeLessThan(1e-4);
      }
      // Two different outputs, not one copied.
      expect(maxAbsDiff(want.map((r) => r[0]), want.map((r) => r[1])), arch).toBeGreaterThan(0.1);
    }
  });
});

describe('tiny BERT fp16 and the quantised dtypes against fp32 and the reference', () => {
  // max |Δlogit| over the 36 pairs, measured on the demo model (onnxruntime-web 1.31 wasm, logits spanning 0.2-2.1;
  // fp32 is within 7e-7 of the reference): fp16 1.01e-3, q8 5.14e-2, int8 6.96e-2, uint8 4.57e-2, q4 and q4f16
  // 0.221. The XLM-R demo's bounds cover these with the same margins, so both models share them.
  const TOLERANCE: Record<Exclude<GeneratedDtype, 'fp32'>, number> = {
    fp16: 5e-3, q8: 0.15, int8: 0.15, uint8: 0.15, q4: 0.6, q4f16: 0.6,
  };
  for (const dtype of DTYPES.filter((d) => d !== 'fp32') as Exclude<GeneratedDtype, 'fp32'>[]) {
    it(`${dtype} stays within ${TOLERANCE[dtype]} of fp32 and of the reference`, () => {
      const deviation = maxAbsDiff(logits.fp32!, logits[dtype]!);
      const fromReference = maxAbsDiff(expected, logits[dtype]!);
      console.log(`bert ${dtype}: max |logit - fp32| = ${deviation.toExponential(2)}, ` +
        `max |logit - reference| = ${fromReference.toExponential(2)}`);
      expect(deviation).toBeLessThan(TOLERANCE[dtype]);
      expect(fromReference).toBeLessThan(TOLERANCE[dtype]);
      expect(deviation).toBeGreaterThan(0); // really a different model
    });
  }
});

describe('the tiny BERT files, node by node', () => {
  const WEIGHT_MATMULS = 2 * 6 + 2; // 6 a layer + the pooler and the classifier
  const read = (dtype: GeneratedDtype) => decodeModel(fs.readFileSync(path.join(DEMO_BERT_DIR, ONNX_FILE[dtype])));
  const count = (dtype: GeneratedDtype, opType: string) => read(dtype).graph.node.filter((n) => n.opType === opType).length;

  it('every file takes int64 ids, mask and token types and gives float32 logits [batch, 1]', () => {
    for (const dtype of DTYPES) {
      const model = read(dtype);
      expect(model.graph.input.map((i) => [i.name, i.type.tensorType.elemType]), dtype).toEqual([
        ['input_ids', DataType.INT64], ['attention_mask', DataType.INT64], ['token_type_ids', DataType.INT64]]);
      expect(model.graph.output.map((o) => [o.name, o.type.tensorType.elemType]), dtype).toEqual([['logits', DataType.FLOAT]]);
      expect(model.graph.node.at(-1)!.opType, dtype).toBe(dtype === 'fp16' || dtype === 'q4f16' ? 'Cast' : 'Identity');
      expect(model.metadataProps.find((p) => p.key === 'architecture')?.value).toBe('BertForSequenceClassification');
      expect(sessions[dtype]!.inputNames).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    }
  });

  it('quantises as the XLM-R files do: MatMulInteger for q8/int8/uint8, MatMulNBits for q4/q4f16; no LayerNorm eps but 1e-12', () => {
    for (const dtype of ['q8', 'int8', 'uint8'] as const) expect(count(dtype, 'MatMulInteger'), dtype).toBe(WEIGHT_MATMULS);
    for (const dtype of ['q4', 'q4f16'] as const) expect(count(dtype, 'MatMulNBits'), dtype).toBe(WEIGHT_MATMULS);
    expect(count('q8', 'DequantizeLinear')).toBe(1); // the word table only
    expect(count('int8', 'DequantizeLinear')).toBe(3); // word, position and token-type tables
    expect(count('uint8', 'DequantizeLinear')).toBe(3);
    const eps = read('fp32').graph.node.filter((n) => n.opType === 'LayerNormalization')
      .map((n) => n.attribute.find((a) => a.name === 'epsilon')!.f);
    expect(eps).toHaveLength(1 + 2 * 2);
    for (const e of eps) expect(e).toBeCloseTo(1e-12, 20);
  });

  it('the committed files equal a fresh generation, byte for byte', () => {
    const dir = path.join(tmp, 'fresh');
    const report = makeModel({ ...DEMO_BERT_MODEL, out: dir });
    for (const f of report.files) {
      expect(fs.readFileSync(path.join(dir, f.path)).equals(fs.readFileSync(path.join(DEMO_BERT_DIR, f.path))),
        `${f.path} is stale: run npm run make-demo-models`).toBe(true);
    }
  });
});
