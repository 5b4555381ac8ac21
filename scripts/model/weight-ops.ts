/**
 * The two places where a dtype changes how weights enter the graph: a linear layer's MatMul (x · Wᵀ, W stored [in,
 * out] as `<prefix>.weight.T`) and an embedding table's Gather. Each dtype writes them as the tool that makes the
 * published file does, with that tool's node and initializer names:
 * - fp32, fp16: MatMul and Gather on float tensors (the builder's float type).
 * - q8: this generator's first quantised variant: one DynamicQuantizeLinear per MatMul, per-tensor int8 weights, and
 *   only the word-embedding table in uint8.
 * - int8, uint8: what onnxruntime's dynamic quantisation (ONNXQuantizer, IntegerOps, MatMulConstBOnly) writes: one
 *   DynamicQuantizeLinear per input tensor shared by its MatMuls, per-tensor int8 symmetric or uint8 asymmetric
 *   weights, and every constant Gather table in uint8, dequantised after the Gather.
 * - q4, q4f16: what onnxruntime's MatMulNBitsQuantizer writes: `com.microsoft.MatMulNBits` with 4-bit blocks of 32
 *   along K and one scale each; Gathers stay float.
 */
import { DataType } from './onnx-proto.ts';
import { intAttr, type GraphBuilder } from './graph-builder.ts';
import { quantizeAsymmetricUint8, quantizeBlockwise4Bit, quantizeLikeOrt, quantizeSymmetricInt8 } from './quantize.ts';
import { forEachRowBlock, readWholeTable, type TableSource } from './table-rows.ts';
import { toFloat16Bits } from './float16.ts';
import { Q4_BLOCK_SIZE, type GeneratedDtype } from './presets.ts';

export const MS_DOMAIN = 'com.microsoft';

export interface WeightOps {
  /** x · w for a weight `w` [inp, out] named `name`; returns the product's name (`<path>/MatMul_output_0`). */
  matMul(x: string, name: string, w: Float32Array, inp: number, out: number, path: string): string;
  /** table[indices] for a table [rows, cols], read in row blocks; returns the gathered tensor's name. */
  gather(name: string, table: TableSource, indices: string, path: string, word: boolean): string;
}

const floatMatMul = (g: GraphBuilder) => (x: string, name: string, w: Float32Array, inp: number, out: number, path: string) =>
  g.op1('MatMul', `${path}/MatMul`, [x, g.float(name, [inp, out], w)]);

const floatGather = (g: GraphBuilder) => (name: string, table: TableSource, indices: string, path: string) =>
  g.op1('Gather', `${path}/Gather`, [floatTable(g, name, table), indices]);

/** A table in the graph's float type; float16 converted block by block, so the float32 table is never whole. */
function floatTable(g: GraphBuilder, name: string, table: TableSource): string {
  const dims = [table.rows, table.cols];
  if (g.floatType !== DataType.FLOAT16) return g.initializer(name, dims, DataType.FLOAT, readWholeTable(table));
  const half = new Uint16Array(table.rows * table.cols);
  forEachRowBlock(table, (values, at) => half.set(toFloat16Bits(values), at));
  return g.initializer(name, dims, DataType.FLOAT16, half);
}

export function weightOps(g: GraphBuilder, dtype: GeneratedDtype): WeightOps {
  switch (dtype) {
    case 'fp32':
    case 'fp16':
      return { matMul: floatMatMul(g), gather: floatGather(g) };
    case 'q8':
      return q8Ops(g);
    case 'int8':
    case 'uint8':
      return ortDynamicOps(g, dtype);
    case 'q4':
    case 'q4f16':
      return { matMul: q4MatMul(g), gather: floatGather(g) };
  }
}

function q8Ops(g: GraphBuilder): WeightOps {
  // Names predate the int8/uint8 variants (the weight's prefix, without `.T`); kept so the committed file stays put.
  const prefixOf = (name: string) => name.replace(/\.weight\.T$/, '.weight');
  return {
    matMul(x, name, w, inp, out, path) {
      const q = quantizeSymmetricInt8(w);
      const p = prefixOf(name);
      const wq = g.initializer(`${p}_quantized`, [inp, out], DataType.INT8, q.data);
      const ws = g.initializer(`${p}_scale`, [], DataType.FLOAT, Float32Array.of(q.scale));
      const wzp = g.initializer(`${p}_zero_point`, [], DataType.INT8, Int8Array.of(0));
      const [xq, xs, xzp] = g.op('DynamicQuantizeLinear', `${path}/MatMul_quant`, [x], [], 3);
      const acc = g.op1('MatMulInteger', `${path}/MatMul_quant_integer`, [xq, wq, xzp, wzp]);
      const accF = g.op1('Cast', `${path}/MatMul_quant_cast`, [acc], [intAttr('to', DataType.FLOAT)]);
      const scale = g.op1('Mul', `${path}/MatMul_quant_scales_mul`, [xs, ws]);
      return g.op1('Mul', `${path}/MatMul_quant_output`, [accF, scale]);
    },
    gather(name, table, indices, path, word) {
      if (!word) return floatGather(g)(name, table, indices, path);
      const q = quantizeAsymmetricUint8(table);
      const dims = [table.rows, table.cols];
      const gathered = g.op1('Gather', `${path}/Gather_quant`, [
        g.initializer(`${name}_quantized`, dims, DataType.UINT8, q.data), indices]);
      return g.op1('DequantizeLinear', `${path}/DequantizeLinear`, [
        gathered,
        g.initializer(`${name}_scale`, [], DataType.FLOAT, Float32Array.of(q.scale)),
        g.initializer(`${name}_zero_point`, [], DataType.UINT8, Uint8Array.of(q.zeroPoint)),
      ]);
    },
  };
}

function ortDynamicOps(g: GraphBuilder, weightType: 'int8' | 'uint8'): WeightOps {
  // onnxruntime quantises each float activation once, however many MatMuls read it (Q, K and V share one).
  const quantizedInputs = new Map<string, string[]>();
  const quantizeInput = (x: string) => {
    let outputs = quantizedInputs.get(x);
    if (!outputs) {
      outputs = g.named('DynamicQuantizeLinear', `${x}_QuantizeLinear`, [x],
        [`${x}_quantized`, `${x}_scale`, `${x}_zero_point`]);
      quantizedInputs.set(x, outputs);
    }
    return outputs;
  };
  return {
    matMul(x, name, w, inp, out, path) {
      const [xq, xs, xzp] = quantizeInput(x);
      const product = `${path}/MatMul_output_0`;
      const wzp = `${name}_zero_point`;
      if (weightType === 'int8') {
        const q = quantizeLikeOrt(w, 'int8');
        g.initializer(`${name}_quantized`, [inp, out], DataType.INT8, q.data);
        g.initializer(`${name}_scale`, [], DataType.FLOAT, Float32Array.of(q.scale));
        g.initializer(wzp, [], DataType.INT8, Int8Array.of(q.zeroPoint));
      } else {
        const q = quantizeLikeOrt(w, 'uint8');
        g.initializer(`${name}_quantized`, [inp, out], DataType.UINT8, q.data);
        g.initializer(`${name}_scale`, [], DataType.FLOAT, Float32Array.of(q.scale));
        g.initializer(wzp, [], DataType.UINT8, Uint8Array.of(q.zeroPoint));
      }
      const [acc] = g.named('MatMulInteger', `${path}/MatMul_quant`, [xq, `${name}_quantized`, xzp, wzp],
        [`${product}_output_quantized`]);
      const [accF] = g.named('Cast', `${acc}_cast`, [acc], [`${acc}_cast_output`], [intAttr('to', DataType.FLOAT)]);
      const [scale] = g.named('Mul', `${path}/MatMul_quant_scales_mul`, [xs, `${name}_scale`],
        [`${path}/MatMul_quant_scales_mul:0`]);
      return g.named('Mul', `${path}/MatMul_quant_output_scale_mul`, [accF, scale], [product])[0];
    },
    gather(name, table, indices, path) {
      const q = quantizeLikeOrt(table, 'uint8');
      const dims = [table.rows, table.cols];
      const gathered = `${path}/Gather_output_0`;
      g.named('Gather', `${path}/Gather`, [g.initializer(`${name}_quantized`, dims, DataType.UINT8, q.data), indices],
        [`${gathered}_quantized`]);
      return g.named('DequantizeLinear', `${gathered}_DequantizeLinear`, [
        `${gathered}_quantized`,
        g.initializer(`${name}_scale`, [], DataType.FLOAT, Float32Array.of(q.scale)),
        g.initializer(`${name}_zero_point`, [], DataType.UINT8, Uint8Array.of(q.zeroPoint)),
      ], [gathered])[0];
    },
  };
}

/**
 * MatMulNBits(A, B, scales) with attributes K, N, bits, block_size (sorted by name, as onnx.helper writes them), no
 * zero points (symmetric: 8 is implied) and no accuracy_level (transformers.js passes None). Scales follow the graph's
 * float type: q4f16 converts the float32 scales to float16 afterwards, as its fp16 pass does.
 */
const q4MatMul = (g: GraphBuilder) => (x: string, name: string, w: Float32Array, inp: number, out: number, path: string) => {
  const q = quantizeBlockwise4Bit(w, inp, out, Q4_BLOCK_SIZE);
  const packed = g.initializer(`${name}_Q4`, [out, q.blocks, Q4_BLOCK_SIZE / 2], DataType.UINT8, q.packed);
  const scales = g.float(`${name}_scales`, [out, q.blocks], q.scales);
  return g.named('MatMulNBits', `${path}/MatMul_Q4`, [x, packed, scales], [`${path}/MatMul_output_0`], [
    intAttr('K', inp), intAttr('N', out), intAttr('bits', 4), intAttr('block_size', Q4_BLOCK_SIZE),
  ], MS_DOMAIN)[0];
};
