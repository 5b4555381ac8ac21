/**
 * Reads a safetensors checkpoint one tensor at a time, by offset: only the headers are held, so a 2.27 GB checkpoint
 * costs the memory of its largest tensor. A folder holds `model.safetensors` or shards listed by
 * `model.safetensors.index.json` (`weight_map`: tensor name → shard file). F32, F16 and BF16 are widened to float32;
 * any other dtype is refused when the tensor is read.
 *
 * @example
 * const checkpoint = SafetensorsCheckpoint.open('bge-reranker-v2-m3');
 * checkpoint.tensor('classifier.out_proj.bias');     // { name, file: '…/model.safetensors', dtype: 'F32', shape: [1], … }
 * checkpoint.readFloat32('classifier.out_proj.bias'); // Float32Array [ 0.0123 ]
 */
import fs from 'node:fs';
import path from 'node:path';
import { ModelLoadError } from '../../src/lib/errors.ts';

export const SINGLE_FILE = 'model.safetensors';
export const SHARD_INDEX = 'model.safetensors.index.json';

/** Element widths of the dtypes this reader widens to float32. */
export const FLOAT_DTYPES: Readonly<Record<string, number>> = Object.freeze({ F32: 4, F16: 2, BF16: 2 });

/** Every dtype safetensors defines, with its width: to check a tensor's byte span before refusing its dtype. */
const DTYPE_BYTES: Readonly<Record<string, number>> = Object.freeze({
  ...FLOAT_DTYPES, F64: 8, I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
});

/** Elements converted per read: bounds the scratch buffer for F16 / BF16 (32 MiB of source bytes). */
const CHUNK_ELEMENTS = 16 * 1024 * 1024;
/** readSync takes at most 2 GiB − 1 at a time. */
const MAX_READ_BYTES = 1024 * 1024 * 1024;

export interface TensorLocation {
  name: string;
  /** The shard that holds it (absolute or as given). */
  file: string;
  dtype: string;
  shape: number[];
  /** Absolute byte offset of the tensor's first byte in `file`, and its length. */
  offset: number;
  bytes: number;
}

interface HeaderEntry {
  dtype?: unknown;
  shape?: unknown;
  data_offsets?: unknown;
}

/** A JSON file of the model folder, or a ModelLoadError naming it. */
export function readJsonFile(file: string): unknown {
  if (!fs.existsSync(file)) throw new ModelLoadError(`${file}: no such file`, { missingFile: file });
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ModelLoadError(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

/** The tensors one shard holds, from its header: 8-byte little-endian length, then that many bytes of JSON. */
function readHeader(file: string): TensorLocation[] {
  if (!fs.existsSync(file)) throw new ModelLoadError(`${file}: no such file`, { missingFile: file });
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const lengthBytes = Buffer.alloc(8);
    if (size < 8 || fs.readSync(fd, lengthBytes, 0, 8, 0) !== 8) throw new ModelLoadError(`${file}: too short for a safetensors file`);
    const headerLength = Number(lengthBytes.readBigUInt64LE(0));
    if (headerLength > 100 * 1024 * 1024 || 8 + headerLength > size) {
      throw new ModelLoadError(`${file}: header length ${headerLength} does not fit the ${size}-byte file (not safetensors?)`);
    }
    const headerBytes = Buffer.alloc(headerLength);
    fs.readSync(fd, headerBytes, 0, headerLength, 8);
    let header: Record<string, HeaderEntry>;
    try {
      header = JSON.parse(headerBytes.toString('utf8')) as Record<string, HeaderEntry>;
    } catch (error) {
      throw new ModelLoadError(`${file}: the safetensors header is not valid JSON`, { cause: error });
    }
    const dataStart = 8 + headerLength;
    const tensors: TensorLocation[] = [];
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const { dtype, shape, data_offsets: offsets } = entry;
      const valid = typeof dtype === 'string' && Array.isArray(shape) && shape.every((n) => Number.isInteger(n) && n >= 0) &&
        Array.isArray(offsets) && offsets.length === 2 && offsets.every((n) => Number.isInteger(n) && n >= 0);
      if (!valid) throw new ModelLoadError(`${file}: tensor ${name} has a malformed header entry`);
      const [begin, end] = offsets as [number, number];
      const count = (shape as number[]).reduce((a, b) => a * b, 1);
      const width = DTYPE_BYTES[dtype];
      if (width !== undefined && end - begin !== count * width) {
        throw new ModelLoadError(`${file}: tensor ${name} spans ${end - begin} bytes, but ${dtype} ${JSON.stringify(shape)} ` +
          `takes ${count * width}`);
      }
      if (end < begin || dataStart + end > size) {
        throw new ModelLoadError(`${file}: tensor ${name} lies past the end of the file (truncated download?)`);
      }
      tensors.push({ name, file, dtype, shape: shape as number[], offset: dataStart + begin, bytes: end - begin });
    }
    return tensors;
  } finally {
    fs.closeSync(fd);
  }
}

/** `weight_map` of a sharded checkpoint's index, grouped by shard. */
function shardFiles(indexFile: string): string[] {
  const index = readJsonFile(indexFile) as { weight_map?: unknown };
  const map = index.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new ModelLoadError(`${indexFile}: has no "weight_map" object`);
  }
  const shards = new Set<string>();
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) {
      throw new ModelLoadError(`${indexFile}: tensor ${name} maps to ${JSON.stringify(shard)}, not a file beside the index`);
    }
    shards.add(shard);
  }
  return [...shards].map((shard) => path.join(path.dirname(indexFile), shard));
}

export class SafetensorsCheckpoint {
  private readonly byName: ReadonlyMap<string, TensorLocation>;

  private constructor(
    /** The files read: the single file, or the shards in the index's order. */
    readonly files: readonly string[],
    tensors: TensorLocation[],
  ) {
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }

  /** The checkpoint in a model folder: `model.safetensors`, else the shards of `model.safetensors.index.json`. */
  static open(folder: string): SafetensorsCheckpoint {
    const single = path.join(folder, SINGLE_FILE);
    const index = path.join(folder, SHARD_INDEX);
    if (fs.existsSync(single)) return new SafetensorsCheckpoint([single], readHeader(single));
    if (fs.existsSync(index)) {
      const files = shardFiles(index);
      return new SafetensorsCheckpoint(files, files.flatMap(readHeader));
    }
    throw new ModelLoadError(`${folder}: has neither ${SINGLE_FILE} nor ${SHARD_INDEX} (only safetensors weights are ` +
      'read; convert a pytorch_model.bin with transformers\' save_pretrained(safe_serialization=True))', { missingFile: single });
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  tensor(name: string): TensorLocation | undefined {
    return this.byName.get(name);
  }

  /**
   * The tensor's values as float32 (F16 and BF16 exactly widened), read from disk now: all of them, or `count`
   * elements from element `first` (a few rows of a large table, so the table is never held whole).
   */
  readFloat32(name: string, first = 0, count?: number): Float32Array {
    const t = this.byName.get(name);
    if (!t) throw new ModelLoadError(`${this.files.join(', ')}: no tensor named ${name}`);
    const width = FLOAT_DTYPES[t.dtype];
    if (width === undefined) {
      throw new ModelLoadError(`${t.file}: tensor ${name} is ${t.dtype}; only F32, F16 and BF16 weights can be exported`);
    }
    const total = t.bytes / width;
    const length = count ?? total - first;
    if (first < 0 || length < 0 || first + length > total) throw new RangeError(`${name}: elements ${first}+${length} of ${total}`);
    const offset = t.offset + first * width;
    const out = new Float32Array(length);
    const fd = fs.openSync(t.file, 'r');
    try {
      if (t.dtype === 'F32') {
        readFully(fd, new Uint8Array(out.buffer), offset);
      } else {
        const bits = new Uint32Array(out.buffer);
        const scratch = new Uint16Array(Math.min(length, CHUNK_ELEMENTS));
        for (let start = 0; start < length; start += scratch.length) {
          const n = Math.min(scratch.length, length - start);
          readFully(fd, new Uint8Array(scratch.buffer, 0, n * 2), offset + start * 2);
          if (t.dtype === 'BF16') {
            for (let i = 0; i < n; i++) bits[start + i] = scratch[i] << 16; // bfloat16 is float32's top half
          } else {
            for (let i = 0; i < n; i++) bits[start + i] = float16ToFloat32Bits(scratch[i]);
          }
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    return out;
  }
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  for (let done = 0; done < into.byteLength;) {
    const n = fs.readSync(fd, into, done, Math.min(MAX_READ_BYTES, into.byteLength - done), position + done);
    if (n === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

/**
 * IEEE 754 binary16 → the bits of the equal float32 (exact: every half value is a float32).
 *
 * @example
 * float16ToFloat32Bits(0x3c00).toString(16); // '3f800000' (1.0)
 */
export function float16ToFloat32Bits(half: number): number {
  const sign = (half & 0x8000) << 16;
  const exponent = (half >> 10) & 0x1f;
  let mantissa = half & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0; // inf, NaN
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0; // ±0
  // Subnormal: shift the leading 1 up to the implicit bit; 2^-14 is float32 exponent 113.
  let e = 113;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mantissa & 0x3ff) << 13)) >>> 0;
}
