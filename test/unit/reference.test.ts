/**
 * Tests of the independent oracle's pieces (test/reference/). Its end-to-end agreement with PyTorch float64 is checked
 * offline by scripts/crosscheck/reference_vs_torch.py; these run without Python and catch what a refactor could break.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { float16ToNumber, readSafetensors } from '../reference/safetensors.ts';
import { ReferenceXlmr, erf, gelu, type ReferenceTensor, type XlmrConfig } from '../reference/xlmr.ts';

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

/** mulberry32: a small seeded PRNG, so the tests are deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tinyConfig: XlmrConfig = {
  vocab_size: 12,
  hidden_size: 4,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 6,
  max_position_embeddings: 20,
  type_vocab_size: 1,
  layer_norm_eps: 1e-5,
  pad_token_id: 1,
  hidden_act: 'gelu',
};

/** Every tensor the reference reads, filled with uniform(-scale, scale) values (LayerNorm weights around 1). */
function randomTensors(config: XlmrConfig, seed: number, scale = 0.8): Map<string, ReferenceTensor> {
  const random = rng(seed);
  const { hidden_size: H, intermediate_size: I } = config;
  const tensors = new Map<string, ReferenceTensor>();
  const add = (name: string, shape: number[], center = 0) => {
    const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = center + scale * (2 * random() - 1);
    tensors.set(name, { shape, data });
  };
  const linear = (prefix: string, out: number, inp: number) => {
    add(`${prefix}.weight`, [out, inp]);
    add(`${prefix}.bias`, [out]);
  };
  const layerNorm = (prefix: string) => {
    add(`${prefix}.weight`, [H], 1);
    add(`${prefix}.bias`, [H]);
  };
  add('roberta.embeddings.word_embeddings.weight', [config.vocab_size, H]);
  add('roberta.embeddings.position_embeddings.weight', [config.max_position_embeddings, H]);
  add('roberta.embeddings.token_type_embeddings.weight', [config.type_vocab_size, H]);
  layerNorm('roberta.embeddings.LayerNorm');
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `roberta.encoder.layer.${l}`;
    linear(`${p}.attention.self.query`, H, H);
    linear(`${p}.attention.self.key`, H, H);
    linear(`${p}.attention.self.value`, H, H);
    linear(`${p}.attention.output.dense`, H, H);
    layerNorm(`${p}.attention.output.LayerNorm`);
    linear(`${p}.intermediate.dense`, I, H);
    linear(`${p}.output.dense`, H, I);
    layerNorm(`${p}.output.LayerNorm`);
  }
  linear('classifier.dense', H, H);
  linear('classifier.out_proj', 1, H);
  return tensors;
}

/** Nested-array helpers for the hand computation, deliberately unlike the reference's flat loops. */
const rowsOf = (t: ReferenceTensor): number[][] =>
  Array.from({ length: t.shape[0] }, (_, r) => Array.from(t.data.subarray(r * t.shape[1], (r + 1) * t.shape[1])));
const affine = (W: number[][], b: number[], x: number[]) => W.map((w, o) => b[o] + w.reduce((s, wi, i) => s + wi * x[i], 0));
const add = (a: number[], b: number[]) => a.map((v, i) => v + b[i]);
function layerNorm(x: number[], w: number[], b: number[], eps: number): number[] {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * w[i] + b[i]);
}

/**
 * The logit of a 1-layer model, computed for token 0 only (the only query row a 1-layer classifier reads), with
 * nested arrays and a per-head softmax over the unmasked keys.
 */
function oneLayerLogit(t: Map<string, ReferenceTensor>, config: XlmrConfig, ids: number[], mask: number[]) {
  const v = (name: string) => Array.from(t.get(name)!.data);
  const m = (name: string) => rowsOf(t.get(name)!);
  const eps = config.layer_norm_eps;
  const p = 'roberta.encoder.layer.0';
  let nonPad = 0;
  const positions = ids.map((id) => (id === config.pad_token_id ? 1 : ++nonPad + 1));
  const embedded = ids.map((id, i) =>
    layerNorm(
      add(add(m('roberta.embeddings.word_embeddings.weight')[id], m('roberta.embeddings.position_embeddings.weight')[positions[i]]),
        m('roberta.embeddings.token_type_embeddings.weight')[0]),
      v('roberta.embeddings.LayerNorm.weight'),
      v('roberta.embeddings.LayerNorm.bias'),
      eps,
    ),
  );
  const project = (name: string) => (x: number[]) => affine(m(`${p}.attention.self.${name}.weight`), v(`${p}.attention.self.${name}.bias`), x);
  const kept = embedded.filter((_, i) => mask[i] === 1);
  const query = project('query')(embedded[0]);
  const keys = kept.map(project('key'));
  const values = kept.map(project('value'));
  const d = config.hidden_size / config.num_attention_heads;
  const context: number[] = [];
  for (let h = 0; h < config.num_attention_heads; h++) {
    const cols = (x: number[]) => x.slice(h * d, (h + 1) * d);
    const scores = keys.map((k) => cols(k).reduce((s, kc, c) => s + kc * cols(query)[c], 0) / Math.sqrt(d));
    const weights = scores.map(Math.exp);
    const total = weights.reduce((a, b) => a + b, 0);
    for (let c = 0; c < d; c++) context.push(values.reduce((s, val, j) => s + (weights[j] / total) * cols(val)[c], 0));
  }
  const attention = affine(m(`${p}.attention.output.dense.weight`), v(`${p}.attention.output.dense.bias`), context);
  const h1 = layerNorm(add(attention, embedded[0]), v(`${p}.attention.output.LayerNorm.weight`),
    v(`${p}.attention.output.LayerNorm.bias`), eps);
  const inner = affine(m(`${p}.intermediate.dense.weight`), v(`${p}.intermediate.dense.bias`), h1).map(
    (z) => 0.5 * z * (1 + erf(z / Math.SQRT2)),
  );
  const h2 = layerNorm(add(affine(m(`${p}.output.dense.weight`), v(`${p}.output.dense.bias`), inner), h1),
    v(`${p}.output.LayerNorm.weight`), v(`${p}.output.LayerNorm.bias`), eps);
  const pooled = affine(m('classifier.dense.weight'), v('classifier.dense.bias'), h2).map(Math.tanh);
  return affine(m('classifier.out_proj.weight'), v('classifier.out_proj.bias'), pooled)[0];
}

describe('ReferenceXlmr', () => {
  const row = [0, 5, 7, 2, 2, 9, 4, 2];
  const ones = (n: number) => new Array<number>(n).fill(1);

  it('matches a hand computation when attention is uniform (key weights zero); masked tokens are excluded', () => {
    const tensors = randomTensors(tinyConfig, 1);
    tensors.get('roberta.encoder.layer.0.attention.self.key.weight')!.data.fill(0);
    const model = new ReferenceXlmr(tinyConfig, tensors);
    const padded = [...row, 1, 1];
    const mask = [...ones(row.length), 0, 0];
    const [got] = model.logits([padded], [mask]);
    expect(Math.abs(got - oneLayerLogit(tensors, tinyConfig, padded, mask))).toBeLessThan(1e-12);
    // The same row unmasked gives a different answer: the padding really is excluded, not just ignored by luck.
    expect(Math.abs(got - oneLayerLogit(tensors, tinyConfig, padded, ones(padded.length)))).toBeGreaterThan(1e-6);
  });

  it('matches a hand computation with real attention: 1 layer, 2 and 4 heads, padded rows', () => {
    for (const heads of [2, 4]) {
      const config = { ...tinyConfig, hidden_size: 8, num_attention_heads: heads };
      const tensors = randomTensors(config, 10 + heads);
      const model = new ReferenceXlmr(config, tensors);
      const padded = [...row, 1, 1, 1];
      const mask = [...ones(row.length), 0, 0, 0];
      const [got] = model.logits([padded], [mask]);
      expect(Math.abs(got - oneLayerLogit(tensors, config, padded, mask))).toBeLessThan(1e-12);
    }
  });

  it('gives a row the same logit alone and right-padded in a batch, in any row order', () => {
    const model = new ReferenceXlmr(tinyConfig, randomTensors(tinyConfig, 2));
    const short = [0, 6, 2, 2, 8, 2];
    const long = [0, 4, 5, 6, 2, 2, 7, 8, 9, 10, 2];
    const pad = (r: number[]) => [...r, ...new Array<number>(long.length - r.length).fill(1)];
    const maskOf = (r: number[]) => [...ones(r.length), ...new Array<number>(long.length - r.length).fill(0)];
    const [alone] = model.logits([short], [ones(short.length)]);
    const [longAlone] = model.logits([long], [ones(long.length)]);
    const batch = model.logits([pad(short), long, pad(row)], [maskOf(short), ones(long.length), maskOf(row)]);
    const reversed = model.logits([pad(row), long, pad(short)], [maskOf(row), ones(long.length), maskOf(short)]);
    expect(Math.abs(batch[0] - alone)).toBeLessThan(1e-12);
    expect(Math.abs(batch[1] - longAlone)).toBeLessThan(1e-12);
    expect(reversed).toEqual([batch[2], batch[1], batch[0]]);
    expect(new Set(batch).size).toBe(3);
  });

  it('is unchanged when two heads swap places (heads own contiguous column blocks)', () => {
    const config = { ...tinyConfig, hidden_size: 6, num_attention_heads: 3 };
    const H = config.hidden_size;
    const tensors = randomTensors(config, 3);
    const logit = (t: Map<string, ReferenceTensor>) => new ReferenceXlmr(config, t).logits([row], [ones(row.length)])[0];
    const self = (name: string) => `roberta.encoder.layer.0.attention.self.${name}`;
    /** Reorders the output features of a linear layer: new output o is old output perm[o]. */
    const permuteOutputs = (t: Map<string, ReferenceTensor>, prefix: string, perm: number[]) => {
      const w = tensors.get(`${prefix}.weight`)!;
      const b = tensors.get(`${prefix}.bias`)!;
      const w2 = new Float64Array(w.data.length);
      perm.forEach((src, o) => w2.set(w.data.subarray(src * H, (src + 1) * H), o * H));
      t.set(`${prefix}.weight`, { shape: w.shape, data: w2 });
      t.set(`${prefix}.bias`, { shape: b.shape, data: Float64Array.from(perm, (src) => b.data[src]) });
    };

    // Head h owns columns [2h, 2h+2): swap heads 0 and 2 in Q, K, V (output rows) and attention.output (input cols).
    const headSwap = [4, 5, 2, 3, 0, 1];
    const swapped = new Map(tensors);
    for (const name of ['query', 'key', 'value']) permuteOutputs(swapped, self(name), headSwap);
    const dense = tensors.get('roberta.encoder.layer.0.attention.output.dense.weight')!;
    const dense2 = new Float64Array(H * H);
    for (let o = 0; o < H; o++) headSwap.forEach((src, i) => (dense2[o * H + i] = dense.data[o * H + src]));
    swapped.set('roberta.encoder.layer.0.attention.output.dense.weight', { shape: dense.shape, data: dense2 });
    expect(Math.abs(logit(swapped) - logit(tensors))).toBeLessThan(1e-12);

    // Control: a permutation of Q and K that moves a column between heads 0 and 1 must change the logit.
    const mixed = new Map(tensors);
    for (const name of ['query', 'key']) permuteOutputs(mixed, self(name), [0, 2, 1, 3, 4, 5]);
    expect(Math.abs(logit(mixed) - logit(tensors))).toBeGreaterThan(1e-6);
  });

  it('uses RoBERTa position ids: 2, 3, … for tokens, 1 for padding; rows 0 and past the end are never read', () => {
    const tensors = randomTensors(tinyConfig, 4);
    const positions = tensors.get('roberta.embeddings.position_embeddings.weight')!;
    const logit = () => new ReferenceXlmr(tinyConfig, tensors).logits([[...row, 1]], [[...ones(row.length), 0]])[0];
    const base = logit();
    const H = tinyConfig.hidden_size;
    const original = Float64Array.from(positions.data);
    // Row 0 is never used; row 1 only by the (masked) padding token; rows beyond 2 + row.length - 1 are unused.
    for (const unused of [0, 1, row.length + 2, tinyConfig.max_position_embeddings - 1]) {
      positions.data.fill(100, unused * H, (unused + 1) * H);
      expect(logit()).toBe(base);
      positions.data.set(original);
    }
    for (const used of [2, row.length + 1]) {
      positions.data.fill(100, used * H, (used + 1) * H);
      expect(Math.abs(logit() - base)).toBeGreaterThan(1e-6);
      positions.data.set(original);
    }
  });

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
