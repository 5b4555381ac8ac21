/**
 * Tests of the independent oracle's pieces (tools/reference/) other than its forward pass: erf and GELU, the safetensors
 * reader, and ReferenceXlmr's loading and input checks. Its end-to-end agreement with PyTorch float64 is checked offline
 * by scripts/crosscheck/reference_vs_torch.py; these run without Python and catch what a refactor could break.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { float16ToNumber, readSafetensors } from '../../tools/reference/safetensors.ts';
import { ReferenceXlmr, erf, gelu } from '../../tools/reference/xlmr.ts';
import { ones, randomTensors, row, tinyConfig } from '../helpers/tiny-xlmr.ts';

describe('erf', () => {
  it.each([
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [-2, -0.9953222650189527],
    [3, 0.9999779095030014],
    [0.01, 0.011283415555849618],
    [2.5, 0.999593047982555],
    [4, 0.9999999845827421],
    [-5, -0.9999999999984626],
  ])('erf(%d) = %d', (x, expected) => {
    expect(Math.abs(erf(x) - expected)).toBeLessThan(1e-14);
  });

  it('is odd, 0 at 0, 1 far out, and continuous where the method switches (|x| = 3)', () => {
    expect(erf(0)).toBe(0);
    expect(erf(-0.7)).toBe(-erf(0.7));
    expect(erf(8)).toBe(1);
    expect(erf(-30)).toBe(-1);
    expect(Math.abs(erf(3 - 1e-12) - erf(3))).toBeLessThan(1e-14);
  });

  it('gives exact GELU: x·Φ(x)', () => {
    expect(gelu(0)).toBe(0);
    expect(Math.abs(gelu(1) - 0.8413447460685429)).toBeLessThan(1e-15); // Φ(1)
    expect(Math.abs(gelu(-1) - -0.15865525393145707)).toBeLessThan(1e-15); // -Φ(-1)
  });
});

interface RawTensor {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** Builds a safetensors file; the header is padded to an odd length so the data is deliberately unaligned. */
function encodeSafetensors(tensors: Record<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  let json = JSON.stringify(header);
  if (json.length % 2 === 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const t of Object.values(tensors)) {
    out.set(t.bytes, at);
    at += t.bytes.byteLength;
  }
  return out;
}

const f32Bytes = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const u16Bytes = (bits: number[]) => new Uint8Array(new Uint16Array(bits).buffer);

describe('readSafetensors', () => {
  it('reads F32, F16, BF16 and F64 from an unaligned buffer and ignores __metadata__', () => {
    const f32 = [0.5, -1.25, 3.140625, 1e-3, -7, 65536];
    const f64 = [Math.PI, -1e-300];
    const file = encodeSafetensors(
      {
        'a.f32': { dtype: 'F32', shape: [2, 3], bytes: f32Bytes(f32) },
        'b.f16': { dtype: 'F16', shape: [6], bytes: u16Bytes([0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x8000]) },
        'c.bf16': { dtype: 'BF16', shape: [1, 2], bytes: u16Bytes([0x3f80, 0xc040]) },
        'd.f64': { dtype: 'F64', shape: [2], bytes: new Uint8Array(new Float64Array(f64).buffer) },
      },
      { format: 'pt' },
    );
    const tensors = readSafetensors(file);
    expect([...tensors.keys()].sort()).toEqual(['a.f32', 'b.f16', 'c.bf16', 'd.f64']);
    expect(tensors.get('a.f32')).toEqual({ dtype: 'F32', shape: [2, 3], data: Float64Array.from(f32, Math.fround) });
    expect([...tensors.get('b.f16')!.data]).toEqual([1, -2, 0.333251953125, 2 ** -24, 65504, -0]);
    expect(tensors.get('c.bf16')!.shape).toEqual([1, 2]);
    expect([...tensors.get('c.bf16')!.data]).toEqual([1, -3]);
    expect([...tensors.get('d.f64')!.data]).toEqual(f64);
  });

  it('reads a view into a larger buffer (byteOffset ≠ 0)', () => {
    const file = encodeSafetensors({ w: { dtype: 'F32', shape: [3], bytes: f32Bytes([1, 2, 3]) } });
    const padded = new Uint8Array(file.byteLength + 5);
    padded.set(file, 3);
    expect([...readSafetensors(padded.subarray(3, 3 + file.byteLength)).get('w')!.data]).toEqual([1, 2, 3]);
  });

  it('decodes half-precision specials', () => {
    expect(float16ToNumber(0x7c00)).toBe(Infinity);
    expect(float16ToNumber(0xfc00)).toBe(-Infinity);
    expect(float16ToNumber(0x7e00)).toBeNaN();
    expect(float16ToNumber(0x0400)).toBe(2 ** -14); // smallest normal
    expect(float16ToNumber(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
  });

  it('rejects a size mismatch, out-of-range offsets, an unknown dtype and a truncated header', () => {
    const wrongShape = encodeSafetensors({ w: { dtype: 'F32', shape: [4], bytes: f32Bytes([1, 2, 3]) } });
    expect(() => readSafetensors(wrongShape)).toThrow(/w spans 12 bytes, expected 16/);
    const unknown = encodeSafetensors({ w: { dtype: 'F8_E4M3', shape: [2], bytes: new Uint8Array(2) } });
    expect(() => readSafetensors(unknown)).toThrow(/unsupported dtype F8_E4M3/);
    const truncated = encodeSafetensors({ w: { dtype: 'F32', shape: [3], bytes: f32Bytes([1, 2, 3]) } });
    expect(() => readSafetensors(truncated.subarray(0, truncated.byteLength - 4))).toThrow(/outside/);
    expect(() => readSafetensors(truncated.subarray(0, 20))).toThrow(/header length/);
  });
});

describe('ReferenceXlmr', () => {
  it('loads config.json and model.safetensors from a directory', () => {
    const tensors = randomTensors(tinyConfig, 5);
    const raw: Record<string, RawTensor> = {};
    for (const [name, t] of tensors) {
      const f32 = Float32Array.from(t.data);
      t.data.set(f32); // the in-memory model sees the same float32-rounded values as the file
      raw[name] = { dtype: 'F32', shape: t.shape, bytes: new Uint8Array(f32.buffer) };
    }
    const dir = mkdtempSync(join(tmpdir(), 'reference-xlmr-'));
    try {
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...tinyConfig, architectures: ['XLMRobertaForSequenceClassification'] }));
      writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(raw, { format: 'pt' }));
      const fromDir = ReferenceXlmr.fromDir(dir).logits([row], [ones(row.length)]);
      expect(fromDir).toEqual(new ReferenceXlmr(tinyConfig, tensors).logits([row], [ones(row.length)]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws clear errors for a missing tensor, a wrong shape and bad inputs', () => {
    const missing = randomTensors(tinyConfig, 6);
    missing.delete('roberta.encoder.layer.0.output.LayerNorm.bias');
    expect(() => new ReferenceXlmr(tinyConfig, missing)).toThrow(/missing tensor roberta\.encoder\.layer\.0\.output\.LayerNorm\.bias/);

    const wrong = randomTensors(tinyConfig, 6);
    wrong.set('classifier.dense.weight', { shape: [4, 5], data: new Float64Array(20) });
    expect(() => new ReferenceXlmr(tinyConfig, wrong)).toThrow(/classifier\.dense\.weight has shape \[4,5\], expected \[4,4\]/);

    expect(() => new ReferenceXlmr({ ...tinyConfig, hidden_act: 'relu' }, randomTensors(tinyConfig, 6))).toThrow(/hidden_act/);

    const model = new ReferenceXlmr(tinyConfig, randomTensors(tinyConfig, 6));
    expect(() => model.logits([[0, 5]], [[0, 1]])).toThrow(/masks out token 0/);
    expect(() => model.logits([[0, 99]], [[1, 1]])).toThrow(/outside vocabulary/);
    expect(() => model.logits([[0, 5, 2]], [[1, 1]])).toThrow(/3 ids but 2 mask/);
    const tooLong = [0, ...new Array<number>(tinyConfig.max_position_embeddings).fill(5)];
    expect(() => model.logits([tooLong], [ones(tooLong.length)])).toThrow(/max_position_embeddings/);
  });
});
