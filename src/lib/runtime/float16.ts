/**
 * Decodes IEEE half-precision bits. fp16 models return float16 logits, and where the JS engine has no Float16Array
 * (Node 20, older browsers) onnxruntime hands them back as raw bits in a Uint16Array.
 */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Reads a float tensor's data as numbers, whether float32, float16 as bits, or a native Float16Array. */
export function floatTensorToNumbers(type: string, data: unknown): number[] {
  if (type === 'float16' && data instanceof Uint16Array) return Array.from(data, float16BitsToNumber);
  if (type === 'float32' || type === 'float16') return Array.from(data as ArrayLike<number>, Number);
  throw new TypeError(`expected float logits, got ${type}`);
}
