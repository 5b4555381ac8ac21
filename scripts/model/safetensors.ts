/**
 * A streaming safetensors writer (F32): 8-byte little-endian header length, a JSON header padded with spaces to a
 * multiple of 8, then the tensors back to back. Tensors are produced one at a time so the full-size model never has to
 * sit in memory twice.
 */
import fs from 'node:fs';

export interface SafetensorsEntry {
  name: string;
  shape: number[];
  data: () => Float32Array;
}

export function writeSafetensors(file: string, entries: SafetensorsEntry[]): void {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const e of sorted) {
    const bytes = e.shape.reduce((a, b) => a * b, 1) * 4;
    header[e.name] = { dtype: 'F32', shape: e.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerBytes.length));

  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, length);
    fs.writeSync(fd, headerBytes);
    for (const e of sorted) {
      const data = e.data();
      fs.writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  } finally {
    fs.closeSync(fd);
  }
}
