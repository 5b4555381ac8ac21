/**
 * The generated quantised files node by node (MatMulInteger for q8, int8 and uint8; MatMulNBits for q4 and q4f16), and
 * the quantisers that write their weights.
 */
import { describe, expect, it } from 'vitest';
import { DataType, type ModelMsg } from '../../scripts/model/onnx-proto.ts';
import { OPSET } from '../../scripts/model/graph.ts';
import { quantizeBlockwise4Bit, quantizeLikeOrt } from '../../scripts/model/quantize.ts';
import { readDemo } from '../helpers/generated.ts';

describe('the files, node by node', () => {
  const count = (model: ModelMsg, opType: string) => model.graph.node.filter((n) => n.opType === opType).length;
  const WEIGHT_MATMULS = 2 * 6 + 2; // 6 a layer + the classifier's dense and out_proj

  it('q8, int8 and uint8 run MatMulInteger on 8-bit weights; int8 and uint8 as onnxruntime quantize_dynamic writes them', () => {
    const q8 = readDemo('q8');
    expect(count(q8, 'MatMulInteger')).toBe(WEIGHT_MATMULS);
    expect(count(q8, 'DynamicQuantizeLinear')).toBe(WEIGHT_MATMULS); // one per MatMul (this generator's own layout)
    expect(count(q8, 'DequantizeLinear')).toBe(1); // the word-embedding table only
    expect(q8.graph.initializer.filter((t) => t.dataType === DataType.INT8 && t.dims.length === 2).length).toBe(WEIGHT_MATMULS);

    for (const [dtype, weightType] of [['int8', DataType.INT8], ['uint8', DataType.UINT8]] as const) {
      const model = readDemo(dtype);
      expect(count(model, 'MatMulInteger'), dtype).toBe(WEIGHT_MATMULS);
      expect(count(model, 'MatMul'), dtype).toBe(2 * 2); // QKᵀ and PV stay float
      // One per distinct input: Q, K and V share theirs (4 a layer), + the classifier's 2.
      expect(count(model, 'DynamicQuantizeLinear'), dtype).toBe(2 * 4 + 2);
      expect(count(model, 'DequantizeLinear'), dtype).toBe(3); // word, position and token-type tables, all uint8
      const init = new Map(model.graph.initializer.map((t) => [t.name, t]));
      const query = 'roberta.encoder.layer.0.attention.self.query.weight.T';
      expect(init.get(`${query}_quantized`)).toMatchObject({ dims: [64, 64], dataType: weightType });
      expect(init.get(`${query}_zero_point`)).toMatchObject({ dims: [], dataType: weightType });
      expect(init.get('roberta.embeddings.position_embeddings.weight_quantized')?.dataType).toBe(DataType.UINT8);
      expect(init.has(query)).toBe(false);
      const matMulInteger = model.graph.node.find((n) => n.name === '/roberta/encoder/layer.0/attention/self/query/MatMul_quant')!;
      expect(matMulInteger.input).toEqual(['/roberta/embeddings/LayerNorm/LayerNormalization_output_0_quantized',
        `${query}_quantized`, '/roberta/embeddings/LayerNorm/LayerNormalization_output_0_zero_point', `${query}_zero_point`]);
    }
  });

  it('q4 and q4f16 replace every weight MatMul, out_proj (N = 1) included, with MatMulNBits and keep the tables float', () => {
    for (const [dtype, floatType] of [['q4', DataType.FLOAT], ['q4f16', DataType.FLOAT16]] as const) {
      const model = readDemo(dtype);
      expect(model.opsetImport, dtype).toEqual([{ domain: '', version: OPSET }, { domain: 'com.microsoft', version: 1 }]);
      const nbits = model.graph.node.filter((n) => n.opType === 'MatMulNBits');
      expect(nbits.length, dtype).toBe(WEIGHT_MATMULS);
      expect(count(model, 'MatMul'), dtype).toBe(2 * 2);
      expect(count(model, 'DequantizeLinear') + count(model, 'MatMulInteger'), dtype).toBe(0);
      const init = new Map(model.graph.initializer.map((t) => [t.name, t]));
      for (const node of nbits) {
        expect(node.domain).toBe('com.microsoft');
        const attrs = Object.fromEntries(node.attribute.map((a) => [a.name, a.i]));
        expect(node.attribute.map((a) => a.name)).toEqual(['K', 'N', 'bits', 'block_size']); // no accuracy_level
        expect(attrs).toMatchObject({ bits: 4, block_size: 32 });
        expect(node.input).toHaveLength(3); // A, B, scales: symmetric, so no zero points
        const { K, N } = attrs as { K: number; N: number };
        expect(init.get(node.input[1])).toMatchObject({ dims: [N, K / 32, 16], dataType: DataType.UINT8 });
        expect(init.get(node.input[2])).toMatchObject({ dims: [N, K / 32], dataType: floatType });
        expect(node.name).toMatch(/\/MatMul_Q4$/);
        expect(node.output[0]).toBe(node.name.replace(/_Q4$/, '_output_0')); // the MatMul's own output name
      }
      const outProj = nbits.find((n) => n.name === '/classifier/out_proj/MatMul_Q4')!;
      expect(outProj.attribute.find((a) => a.name === 'N')?.i).toBe(1);
      expect(init.get('roberta.embeddings.word_embeddings.weight')?.dataType).toBe(floatType);
      expect(init.get('roberta.embeddings.position_embeddings.weight')?.dataType).toBe(floatType);
    }
    // q4f16 holds the same 4-bit weights as q4, with its scales in half precision.
    const q4 = new Map(readDemo('q4').graph.initializer.map((t) => [t.name, t]));
    const q4f16 = readDemo('q4f16').graph.initializer;
    const packed = q4f16.filter((t) => t.name.endsWith('_Q4'));
    expect(packed.length).toBe(WEIGHT_MATMULS);
    for (const t of packed) expect(Buffer.from(t.rawData!).equals(Buffer.from(q4.get(t.name)!.rawData!)), t.name).toBe(true);
  });
});

describe('quantisers', () => {
  it('4-bit blocks: the largest magnitude maps to -8 (q 0), a tie takes the negative one, zeros give scale -0', () => {
    const ramp = Float32Array.from({ length: 32 }, (_, k) => k - 16); // -16 … 15: m = -16, scale 2
    const q = quantizeBlockwise4Bit(ramp, 32, 1, 32);
    expect(Array.from(q.scales)).toEqual([2]);
    expect(q.packed[0]).toBe(0x10); // -16 → 0, -15 → round(0.5) = 1 (ties away from zero, as C's roundf)
    expect(q.packed[15] >> 4).toBe(15); // 15 → 7.5 + 8, clamped to 15
    const positive = quantizeBlockwise4Bit(Float32Array.from({ length: 32 }, (_, k) => (k === 3 ? 4 : 0.5)), 32, 1, 32);
    expect(Array.from(positive.scales)).toEqual([-0.5]); // m = 4 > 0: a negative scale
    expect(positive.packed[1] >> 4).toBe(0); // 4 / -0.5 + 8 = 0
    expect(positive.packed[0] & 0xf).toBe(7); // 0.5 / -0.5 + 8
    const zeros = quantizeBlockwise4Bit(new Float32Array(64), 64, 1, 32);
    expect(Object.is(zeros.scales[0], -0)).toBe(true);
    expect(Array.from(zeros.packed).every((b) => b === 0x88)).toBe(true);
    // Layout [N, blocks, 16]: column-major over the [K, N] weight.
    const twoColumns = quantizeBlockwise4Bit(Float32Array.from({ length: 64 * 2 }, (_, i) => (i % 2 === 0 ? 1 : -1)), 64, 2, 32);
    expect(twoColumns.blocks).toBe(2);
    expect(Array.from(twoColumns.scales)).toEqual([-0.125, -0.125, 0.125, 0.125]);
    expect(twoColumns.packed.length).toBe(2 * 2 * 16);
  });

  it('8-bit per tensor as onnxruntime: int8 symmetric over ±127, uint8 asymmetric with a zero point, ties to even', () => {
    expect(quantizeLikeOrt(Float32Array.of(-1, 0.5), 'int8')).toEqual(
      { data: Int8Array.of(-127, 64), scale: Math.fround(1 / 127), zeroPoint: 0 });
    const u = quantizeLikeOrt(Float32Array.of(-1, 0.5), 'uint8');
    expect(u.zeroPoint).toBe(170); // round(1 / (1.5 / 255)) = round(170.0)
    expect(Array.from(u.data)).toEqual([0, 255]);
    // w / scale in float32 is exactly 62.5, 61.5, 0.5, 2.5 here: numpy rounds ties to even, Math.round would go up.
    const ties = [62.5, 61.5, 0.5, 2.5].map((h) => quantizeLikeOrt(Float32Array.of(1, h / 127, -1), 'int8').data[1]);
    expect(ties).toEqual([62, 62, 0, 2]);
    expect(quantizeLikeOrt(new Float32Array(4), 'uint8')).toEqual({ data: new Uint8Array(4), scale: 1, zeroPoint: 0 });
  });
});
