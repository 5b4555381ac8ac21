/**
 * Byte-level safetensors editing for the exporter's tests: read a checkpoint's tensors as raw bytes, rename, drop,
 * reshape or convert them (F32 → F16, BF16, F64, I64), and write the result as one file or as shards with an index.
 */
import fs from 'node:fs';
import path from 'node:path';
import { toFloat16Bits } from '../../scripts/model/float16.ts';

export interface RawTensor {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

export function readRawTensors(file: string): Map<string, RawTensor> {
  const data = fs.readFileSync(file);
  const headerLength = Number(data.readBigUInt64LE(0));
  const header = JSON.parse(data.subarray(8, 8 + headerLength).toString('utf8')) as Record<string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const start = 8 + headerLength;
  const tensors = new Map<string, RawTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = entry.data_offsets;
    tensors.set(name, { dtype: entry.dtype, shape: entry.shape, bytes: new Uint8Array(data.subarray(start + begin, start + end)) });
  }
  return tensors;
}

export function writeRawTensors(file: string, tensors: Iterable<[string, RawTensor]>): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    parts.push(t.bytes);
    offset += t.bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  fs.writeFileSync(file, Buffer.concat([length, Buffer.from(json, 'utf8'), ...parts]));
}

/** Writes the tensors as `shards` files `model-0000i-of-0000n.safetensors` and the index that maps names to them. */
export function writeShards(folder: string, tensors: Map<string, RawTensor>, shards: number): string[] {
  const names = [...tensors.keys()];
  const perShard = Math.ceil(names.length / shards);
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const own = names.slice(s * perShard, (s + 1) * perShard);
    writeRawTensors(path.join(folder, file), own.map((n) => [n, tensors.get(n)!]));
    for (const n of own) weightMap[n] = file;
    files.push(file);
  }
  const totalSize = [...tensors.values()].reduce((n, t) => n + t.bytes.byteLength, 0);
  fs.writeFileSync(path.join(folder, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2));
  return files;
}

const float32s = (t: RawTensor) => new Float32Array(t.bytes.slice().buffer);

/** An F32 tensor in another dtype: F16 rounded to nearest even, BF16 likewise, F64 and I64 (truncated) exactly. */
export function convertTensor(t: RawTensor, dtype: 'F16' | 'BF16' | 'F64' | 'I64'): RawTensor {
  if (t.dtype !== 'F32') throw new Error(`convertTensor: ${t.dtype} input`);
  const values = float32s(t);
  let out: ArrayBufferView;
  switch (dtype) {
    case 'F16':
      out = toFloat16Bits(values);
      break;
    case 'BF16': {
      const bits = new Uint32Array(values.buffer);
      out = Uint16Array.from(bits, (b) => (b + 0x7fff + ((b >>> 16) & 1)) >>> 16);
      break;
    }
    case 'F64':
      out = Float64Array.from(values);
      break;
    case 'I64':
      out = BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
      break;
  }
  return { dtype, shape: t.shape, bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
}

/** The folder's files copied to `to`, except `skip`. */
export function copyFolder(from: string, to: string, skip: readonly string[] = []): void {
  fs.cpSync(from, to, { recursive: true, filter: (src) => !skip.includes(path.relative(from, src)) });
}
