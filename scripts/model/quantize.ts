/**
 * Quantisation as onnxruntime's `quantize_dynamic` does it: weights of MatMul per tensor, symmetric int8 (zero point 0);
 * the embedding table per tensor, asymmetric uint8, dequantised after the Gather.
 */
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

export function quantizeAsymmetricUint8(w: Float32Array): QuantizedUint8 {
  // The range must contain 0 so that 0 is exactly representable (ONNX's rule for zero points).
  let min = 0;
  let max = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] < min) min = w[i];
    if (w[i] > max) max = w[i];
  }
  const scale = Math.fround(max > min ? (max - min) / 255 : 1);
  const zeroPoint = Math.max(0, Math.min(255, Math.round(-min / scale)));
  const data = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(w[i] / scale) + zeroPoint));
  return { data, scale, zeroPoint };
}
