/**
 * Quantisation as onnxruntime's `quantize_dynamic` does it: weights of MatMul per tensor, symmetric int8 (zero point 0);
 * the embedding table per tensor, asymmetric uint8, dequantised after the Gather.
 */
import { forEachRowBlock, tableInMemory, type TableSource } from './table-rows.ts';

export interface QuantizedInt8 {
  data: Int8Array;
  scale: number;
}

export function quantizeSymmetricInt8(w: Float32Array): QuantizedInt8 {
  let absMax = 0;
  for (let i = 0; i < w.length; i++) absMax = Math.max(absMax, Math.abs(w[i]));
  const scale = Math.fround(absMax > 0 ? absMax / 127 : 1);
  const data = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) data[i] = Math.max(-127, Math.min(127, Math.round(w[i] / scale)));
  return { data, scale };
}

export interface QuantizedUint8 {
  data: Uint8Array;
  scale: number;
  zeroPoint: number;
}

export function quantizeAsymmetricUint8(table: TableSource): QuantizedUint8 {
  // The range must contain 0 so that 0 is exactly representable (ONNX's rule for zero points).
  const { min, max } = range(table);
  const scale = Math.fround(max > min ? (max - min) / 255 : 1);
  const zeroPoint = Math.max(0, Math.min(255, Math.round(-min / scale)));
  const data = new Uint8Array(table.rows * table.cols);
  forEachRowBlock(table, (w, at) => {
    for (let i = 0; i < w.length; i++) data[at + i] = Math.max(0, Math.min(255, Math.round(w[i] / scale) + zeroPoint));
  });
  return { data, scale, zeroPoint };
}

/** numpy's `round`: to nearest, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The smallest normal float32 (`numpy.finfo(float32).tiny`): onnxruntime falls back to scale 1 below it. */
const FLOAT32_TINY = 2 ** -126;

export interface OrtQuantized<T extends Int8Array | Uint8Array> {
  data: T;
  scale: number;
  zeroPoint: number;
}

/** The table's range widened to contain 0 (onnxruntime's compute_scale_zp; ONNX's rule for zero points). */
function range(table: TableSource): { min: number; max: number } {
  let min = 0;
  let max = 0;
  forEachRowBlock(table, (w) => {
    for (let i = 0; i < w.length; i++) {
      if (w[i] < min) min = w[i];
      if (w[i] > max) max = w[i];
    }
  });
  return { min, max };
}

/**
 * `onnxruntime.quantization.quant_utils.quantize_data` for one tensor, bit for bit: int8 symmetric over [-127, 127]
 * (zero point 0; weights of `weight_type=QInt8`), uint8 asymmetric over [0, 255] (weights of `QUInt8`, and every
 * Gather table, which dynamic quantisation treats as an activation). The range difference is taken in float32 and
 * divided in float64; values are divided by the float32 scale in float32 and rounded half to even, as numpy does.
 *
 * @example
 * quantizeLikeOrt(Float32Array.of(-1, 0.5), 'int8')  // → { data: Int8Array [-127, 64], scale: 0.007874016, zeroPoint: 0 }
 * quantizeLikeOrt(Float32Array.of(-1, 0.5), 'uint8') // → { data: Uint8Array [0, 255], scale: 0.005882353, zeroPoint: 170 }
 */
export function quantizeLikeOrt(w: Float32Array | TableSource, type: 'int8'): OrtQuantized<Int8Array>;
export function quantizeLikeOrt(w: Float32Array | TableSource, type: 'uint8'): OrtQuantized<Uint8Array>;
export function quantizeLikeOrt(w: Float32Array | TableSource, type: 'int8' | 'uint8'): OrtQuantized<Int8Array | Uint8Array> {
  const table = w instanceof Float32Array ? tableInMemory(w) : w;
  let { min, max } = range(table);
  const [qmin, qmax] = type === 'int8' ? [-127, 127] : [0, 255];
  if (type === 'int8') {
    const absMax = Math.max(-min, max);
    [min, max] = [-absMax, absMax];
  }
  const scale64 = Math.fround(max - min) / (qmax - qmin);
  let scale = 1;
  let zeroPoint = 0;
  if (scale64 >= FLOAT32_TINY) {
    zeroPoint = type === 'int8' ? 0 : roundHalfEven(qmin - min / scale64);
    scale = Math.fround(scale64);
  }
  // Clipped to the type's full range, as quantize_nparray does ([-128, 127] for int8).
  const [lo, hi] = type === 'int8' ? [-128, 127] : [0, 255];
  const length = table.rows * table.cols;
  const data = type === 'int8' ? new Int8Array(length) : new Uint8Array(length);
  forEachRowBlock(table, (values, at) => {
    for (let i = 0; i < values.length; i++) {
      data[at + i] = Math.max(lo, Math.min(hi, roundHalfEven(Math.fround(values[i] / scale)) + zeroPoint));
    }
  });
  return { data, scale, zeroPoint };
}

export interface Blockwise4Bit {
  /** uint8 [N, blocks, blockSize / 2]: column n's K values in blocks, two per byte, the first in the low nibble. */
  packed: Uint8Array;
  /** float32 [N, blocks]. */
  scales: Float32Array;
  blocks: number;
}

/**
 * 4-bit symmetric blockwise quantisation of a MatMul weight `w` ([K, N] row major) along K, as onnxruntime's
 * `MatMulNBitsQuantizer(block_size, is_symmetric=True)` computes it (MLAS `MlasQuantizeBlockwise<float, 4>`,
 * columnwise): per block, the value of largest magnitude m (the negative one on a tie) gives scale = -m / 8, so m
 * itself maps to 0 (= -8 after the implied zero point 8) and the opposite side gets 1..15; q = clamp(roundf(v · (1 /
 * scale) + 8), 0, 15) in float32 with ties away from zero. A block of zeros gets scale -0 and q 8. Bytes past K in a
 * last partial block stay 0.
 *
 * @example
 * const q = quantizeBlockwise4Bit(Float32Array.from({ length: 32 }, (_, k) => k - 16), 32, 1, 32); // -16 … 15
 * q.scales    // → Float32Array [2]   (m = -16, scale = 16 / 8)
 * q.packed[0] // → 0x10               (-16 → 0 in the low nibble, -15 → roundf(0.5) = 1 in the high one)
 */
export function quantizeBlockwise4Bit(w: Float32Array, k: number, n: number, blockSize: number): Blockwise4Bit {
  if (blockSize % 2 !== 0 || w.length !== k * n) throw new Error(`bad 4-bit quantisation shape ${k}×${n}, block ${blockSize}`);
  if (k % 2 !== 0) throw new Error(`K = ${k} is odd: MLAS packs the last byte from a stale nibble there`);
  const blocks = Math.ceil(k / blockSize);
  const blobSize = blockSize / 2;
  const packed = new Uint8Array(n * blocks * blobSize);
  const scales = new Float32Array(n * blocks);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      const start = b * blockSize;
      const end = Math.min(start + blockSize, k);
      let min = 3.4028234663852886e38;
      let max = -min;
      for (let row = start; row < end; row++) {
        const v = w[row * n + col];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const m = Math.abs(max) > Math.abs(min) ? max : min;
      const scale = Math.fround(-m / 8);
      scales[col * blocks + b] = scale;
      const reciprocal = scale ? Math.fround(1 / scale) : 0;
      const base = (col * blocks + b) * blobSize;
      for (let row = start; row < end; row += 2) {
        const q0 = nibble(w[row * n + col], reciprocal);
        const q1 = nibble(w[(row + 1) * n + col], reciprocal);
        packed[base + ((row - start) >> 1)] = q0 | (q1 << 4);
      }
    }
  }
  return { packed, scales, blocks };
}

function nibble(v: number, reciprocal: number): number {
  // C's roundf rounds ties away from zero; Math.round rounds them up: the same for the non-negative values that
  // survive the clamp.
  return Math.max(0, Math.min(15, Math.round(Math.fround(Math.fround(v * reciprocal) + 8))));
}
