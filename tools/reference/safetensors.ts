/**
 * A minimal safetensors reader for the reference model: every tensor is widened to Float64Array.
 *
 * Layout: 8-byte little-endian header length N, N bytes of JSON header, then the byte buffer. Each header entry is
 * `{ dtype, shape, data_offsets: [begin, end] }` with offsets relative to the start of the byte buffer; the optional
 * `__metadata__` entry holds strings and is ignored. All values are little-endian.
 *
 * @example
 * const tensors = readSafetensors(readFileSync('model.safetensors'));
 * tensors.get('classifier.out_proj.bias'); // { dtype: 'F32', shape: [1], data: Float64Array [0.0123...] }
 */

export interface SafetensorsTensor {
  dtype: string;
  shape: number[];
  data: Float64Array;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const BYTES_PER_ELEMENT: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export function readSafetensors(bytes: Uint8Array): Map<string, SafetensorsTensor> {
  if (bytes.byteLength < 8) throw new Error(`safetensors: file too short (${bytes.byteLength} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength) {
    throw new Error(`safetensors: header length ${headerLength} exceeds file size ${bytes.byteLength}`);
  }
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
  const header = JSON.parse(headerText) as Record<string, HeaderEntry | Record<string, string>>;
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;

  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = raw as HeaderEntry;
    const width = BYTES_PER_ELEMENT[entry.dtype];
    if (width === undefined) throw new Error(`safetensors: tensor ${name} has unsupported dtype ${entry.dtype}`);
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * width) {
      throw new Error(
        `safetensors: tensor ${name} spans ${end - begin} bytes, expected ${count * width} ` +
          `(${entry.dtype} ${JSON.stringify(entry.shape)})`,
      );
    }
    if (begin < 0 || end > dataLength) {
      throw new Error(`safetensors: tensor ${name} offsets [${begin}, ${end}] outside the ${dataLength}-byte buffer`);
    }
    tensors.set(name, {
      dtype: entry.dtype,
      shape: [...entry.shape],
      data: decode(view, dataStart + begin, count, entry.dtype),
    });
  }
  return tensors;
}

/** DataView reads, because the byte buffer after the header need not be aligned for a typed-array view. */
function decode(view: DataView, offset: number, count: number, dtype: string): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F64':
        out[i] = view.getFloat64(offset + 8 * i, true);
        break;
      case 'F32':
        out[i] = view.getFloat32(offset + 4 * i, true);
        break;
      case 'F16':
        out[i] = float16ToNumber(view.getUint16(offset + 2 * i, true));
        break;
      case 'BF16':
        // bfloat16 is the top half of a float32.
        out[i] = bitsToFloat32(view.getUint16(offset + 2 * i, true) << 16);
        break;
      case 'I64':
        out[i] = Number(view.getBigInt64(offset + 8 * i, true));
        break;
      case 'I32':
        out[i] = view.getInt32(offset + 4 * i, true);
        break;
      case 'I16':
        out[i] = view.getInt16(offset + 2 * i, true);
        break;
      case 'I8':
        out[i] = view.getInt8(offset + i);
        break;
      case 'U8':
      case 'BOOL':
        out[i] = view.getUint8(offset + i);
        break;
      default:
        throw new Error(`safetensors: unsupported dtype ${dtype}`);
    }
  }
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));

function bitsToFloat32(bits: number): number {
  scratch.setUint32(0, bits >>> 0);
  return scratch.getFloat32(0);
}

/** IEEE 754 binary16 → number, exact (every half value is representable in float64). */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
