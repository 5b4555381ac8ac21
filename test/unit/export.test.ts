/**
 * `npm run export` on the generator's own tiny folders: every dtype's file byte-identical to the generator's, for
 * XLM-R and BERT, with float or 4-bit embedding tables, from one safetensors file, from two shards and from bare or
 * TF-era tensor names; and from F16 and
 * BF16 checkpoints, whose exported fp32 graph gives the Float64 oracle's logits on the same (rounded) weights.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel, exportedConfig } from '../../scripts/model/export-model.ts';
import { float16ToFloat32Bits } from '../../scripts/model/safetensors-reader.ts';
import { makeModel } from '../../scripts/model/write-model.ts';
import { DTYPES, ONNX_FILE, type GeneratedDtype } from '../../scripts/model/presets.ts';
import { ReferenceXlmr } from '../../tools/reference/xlmr.ts';
import { createSession, maxAbsDiff, runLogits } from '../helpers/models.ts';
import { convertTensor, copyFolder, readRawTensors, writeRawTensors, writeShards, type RawTensor } from '../helpers/safetensors-edit.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-'));
const XLMR = path.join(tmp, 'xlmr');
const BERT = path.join(tmp, 'bert');
const VOCAB = 2005; // the tiny XLM-R's tokenizer
/** What an exporter's input folder has: the generator's folder without its onnx/. */
const WITHOUT_ONNX = ['onnx'];

beforeAll(() => {
  makeModel({ preset: 'tiny', dtypes: [...DTYPES], seed: 42, out: XLMR, safetensors: true });
  makeModel({ preset: 'tiny', arch: 'bert', labels: 2, dtypes: [...DTYPES], seed: 7, out: BERT, safetensors: true });
}, 120_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel));

function expectSameFiles(generated: string, exported: string, rels: readonly string[]): void {
  for (const rel of rels) expect(read(exported, rel).equals(read(generated, rel)), rel).toBe(true);
}

/** A variant of a generated folder (no onnx/) with its tensors rewritten by `edit`. */
function variant(from: string, name: string, edit: (tensors: Map<string, RawTensor>) => Map<string, RawTensor>): string {
  const dir = path.join(tmp, name);
  copyFolder(from, dir, [...WITHOUT_ONNX, 'model.safetensors']);
  writeRawTensors(path.join(dir, 'model.safetensors'), edit(readRawTensors(path.join(from, 'model.safetensors'))));
  return dir;
}

/** `<s> q </s></s> d </s>` rows of varied lengths with ids drawn from the tiny vocabulary (no pad id inside). */
function pairRows(count: number): number[][] {
  let state = 12345;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return 4 + (state % (VOCAB - 5));
  };
  return Array.from({ length: count }, (_, r) => {
    const q = Array.from({ length: 2 + (r % 5) }, next);
    const d = Array.from({ length: 3 + ((r * 7) % 23) }, next);
    return [0, ...q, 2, 2, ...d, 2];
  });
}

describe('export round trip', () => {
  it.each([['XLM-R', XLMR], ['BERT (2 labels)', BERT]])('%s: every dtype byte-identical to the generator', (_, generated) => {
    const input = path.join(tmp, `in-${path.basename(generated)}`);
    copyFolder(generated, input, WITHOUT_ONNX);
    const out = path.join(tmp, `out-${path.basename(generated)}`);
    const report = exportModel({ from: input, out, dtypes: [...DTYPES] });
    const onnx = DTYPES.map((d) => ONNX_FILE[d]);
    expectSameFiles(generated, out, [...onnx, 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']);
    expect(report.files.map((f) => f.path)).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json',
      'special_tokens_map.json', ...onnx]);
    expect(report.weights.seed).toBe(generated === XLMR ? 42 : 7);
  }, 60_000);

  it.each([
    ['XLM-R', 'unpack', 'xlmr'],
    ['BERT', 'gather-block-quantized', 'bert'],
  ] as const)('%s with --embeddings q4 (%s lookup): q4 and q4f16 byte-identical, config.json too', (_, lookup, arch) => {
    const generated = path.join(tmp, `compact-${arch}`);
    const compact = { embeddings: 'q4', embeddingLookup: lookup } as const;
    makeModel({ preset: 'tiny', arch, dtypes: ['fp32', 'q4', 'q4f16'], seed: 3, out: generated, safetensors: true, ...compact });
    const input = path.join(tmp, `compact-${arch}-in`);
    copyFolder(generated, input, WITHOUT_ONNX);
    const out = path.join(tmp, `compact-${arch}-out`);
    exportModel({ from: input, out, dtypes: ['fp32', 'q4', 'q4f16'], graphOptions: compact });
    expectSameFiles(generated, out, [ONNX_FILE.fp32, ONNX_FILE.q4, ONNX_FILE.q4f16, 'config.json']);
    expect(JSON.parse(read(out, 'config.json').toString()).embedding_quantization.dtypes).toEqual(['q4', 'q4f16']);
    // The same input without the option: float tables, and config.json no longer claims compact ones.
    const plain = path.join(tmp, `compact-${arch}-plain`);
    exportModel({ from: input, out: plain, dtypes: ['q4'] });
    expect(read(plain, ONNX_FILE.q4).byteLength).toBeGreaterThan(read(out, ONNX_FILE.q4).byteLength);
    expect(JSON.parse(read(plain, 'config.json').toString())).not.toHaveProperty('embedding_quantization');
  }, 60_000);

  it('reads a checkpoint sharded in two with model.safetensors.index.json', () => {
    const input = path.join(tmp, 'sharded');
    copyFolder(XLMR, input, [...WITHOUT_ONNX, 'model.safetensors']);
    const shards = writeShards(input, readRawTensors(path.join(XLMR, 'model.safetensors')), 2);
    const out = path.join(tmp, 'sharded-out');
    const progress: string[] = [];
    const report = exportModel({ from: input, out, dtypes: ['fp32', 'q4f16'], onProgress: (e) => {
      if (e.status === 'tensor') progress.push(`${e.dtype} ${e.index}/${e.total}`);
    } });
    expect(report.weights.checkpointFiles.map((f) => path.basename(f))).toEqual(shards);
    expectSameFiles(XLMR, out, [ONNX_FILE.fp32, ONNX_FILE.q4f16]);
    // Each file reads every tensor once, one at a time.
    expect(progress.filter((p) => p.startsWith('fp32')).at(-1)).toBe(`fp32 ${report.weights.specs.length}/${report.weights.specs.length}`);
    expect(progress).toHaveLength(2 * report.weights.specs.length);
  }, 60_000);

  it('reads bare tensor names (no bert. prefix), LayerNorm gamma / beta, and ignores tensors the graph does not use', () => {
    const input = variant(BERT, 'bare-bert', (tensors) => {
      const renamed = new Map([...tensors].map(([name, t]) => [
        name.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'), t]));
      const positionIds = BigInt64Array.from({ length: 512 }, (_, i) => BigInt(i));
      renamed.set('embeddings.position_ids', { dtype: 'I64', shape: [1, 512], bytes: new Uint8Array(positionIds.buffer) });
      return renamed;
    });
    expect(readRawTensors(path.join(input, 'model.safetensors')).has('encoder.layer.0.output.LayerNorm.gamma')).toBe(true);
    const out = path.join(tmp, 'bare-bert-out');
    const report = exportModel({ from: input, out, dtypes: ['fp32', 'q8'] });
    expect(report.weights.unused).toEqual(['embeddings.position_ids']);
    expectSameFiles(BERT, out, [ONNX_FILE.fp32, ONNX_FILE.q8]);
  }, 60_000);
});

describe('export from half-precision checkpoints', () => {
  const rows = pairRows(12);
  let fp32Logits: number[];

  beforeAll(async () => {
    fp32Logits = await runLogits(await createSession(path.join(XLMR, ONNX_FILE.fp32)), rows);
  }, 60_000);

  const toHalf = (dtype: 'F16' | 'BF16') => (tensors: Map<string, RawTensor>) =>
    new Map([...tensors].map(([name, t]) => [name, convertTensor(t, dtype)]));

  it('F16: widened exactly, so the fp16 file is the generator\'s byte for byte; fp32 logits match the oracle', async () => {
    const input = variant(XLMR, 'f16', toHalf('F16'));
    const out = path.join(tmp, 'f16-out');
    exportModel({ from: input, out, dtypes: ['fp32', 'fp16'] });
    // The generator rounds fp32 → fp16 to nearest even, as the conversion did: the same halves, the same file.
    expectSameFiles(XLMR, out, [ONNX_FILE.fp16]);
    const exported = await runLogits(await createSession(path.join(out, ONNX_FILE.fp32)), rows);
    const oracle = ReferenceXlmr.fromDir(input).logits(rows, rows.map((r) => r.map(() => 1)));
    expect(maxAbsDiff(exported, oracle)).toBeLessThan(2e-5);
    // Rounding the weights to half precision moves the logits (1.6 apart here) by about 1e-3.
    expect(maxAbsDiff(exported, fp32Logits)).toBeLessThan(0.01);
    expect(maxAbsDiff(exported, fp32Logits)).toBeGreaterThan(0);
  }, 60_000);

  it('BF16: fp32 logits match the oracle on the same bfloat16 weights, and stay near the float32 weights\'', async () => {
    const input = variant(XLMR, 'bf16', toHalf('BF16'));
    const out = path.join(tmp, 'bf16-out');
    exportModel({ from: input, out, dtypes: ['fp32'] });
    const exported = await runLogits(await createSession(path.join(out, ONNX_FILE.fp32)), rows);
    const oracle = ReferenceXlmr.fromDir(input).logits(rows, rows.map((r) => r.map(() => 1)));
    expect(maxAbsDiff(exported, oracle)).toBeLessThan(2e-5);
    expect(maxAbsDiff(exported, fp32Logits)).toBeLessThan(0.05); // about 1e-2: bfloat16 keeps 8 bits
  }, 60_000);
});

describe('pieces', () => {
  it('widens every half-precision value exactly', () => {
    const asFloat = (bits: number) => new Float32Array(Uint32Array.of(bits).buffer)[0];
    expect(asFloat(float16ToFloat32Bits(0x3c00))).toBe(1);
    expect(asFloat(float16ToFloat32Bits(0xc000))).toBe(-2);
    expect(asFloat(float16ToFloat32Bits(0x7bff))).toBe(65504);
    expect(asFloat(float16ToFloat32Bits(0x0001))).toBe(2 ** -24); // smallest subnormal
    expect(asFloat(float16ToFloat32Bits(0x03ff))).toBe(1023 * 2 ** -24); // largest subnormal
    expect(asFloat(float16ToFloat32Bits(0x8000))).toBe(-0);
    expect(asFloat(float16ToFloat32Bits(0x7c00))).toBe(Infinity);
    expect(asFloat(float16ToFloat32Bits(0x7e00))).toBeNaN();
  });

  it('config.json says which of the written files have external data, and nothing of files not written', () => {
    const config = { model_type: 'xlm-roberta', 'transformers.js_config': { use_external_data_format: { 'model.onnx': true } } };
    expect(exportedConfig(config, [])).toEqual({ model_type: 'xlm-roberta' });
    expect(exportedConfig({ model_type: 'bert', embedding_quantization: { bits: 4 } }, ['model.onnx'], { extra: 1 }))
      .toEqual({ model_type: 'bert', 'transformers.js_config': { use_external_data_format: { 'model.onnx': true } }, extra: 1 });
  });

  it('refuses to export into its own input folder', () => {
    expect(() => exportModel({ from: XLMR, out: `${XLMR}/`, dtypes: ['fp32'] as GeneratedDtype[] })).toThrow(/input folder/);
  });
});
