import fs from 'node:fs';

/**
 * A file as a Blob, read in parts: readFileSync refuses files over 2 GiB (the full model's model.onnx_data).
 *
 * @example
 * readBlob('models/full/onnx/model.onnx_data').size // → 2271023104
 */
export function readBlob(file: string): Blob {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  const fd = fs.openSync(file, 'r');
  try {
    for (let offset = 0, size = fs.fstatSync(fd).size; offset < size;) {
      const part = new Uint8Array(Math.min(1 << 30, size - offset));
      for (let filled = 0; filled < part.length;) filled += fs.readSync(fd, part, filled, part.length - filled, offset + filled);
      offset += part.length;
      parts.push(part);
    }
  } finally {
    fs.closeSync(fd);
  }
  return new Blob(parts);
}
