/**
 * Model files on disk, in Node: read whole (small files), or, for a model file, read on demand (on-demand-bytes.ts),
 * a weight at a time, as onnxruntime asks: the file is never held whole in memory, and a file past Node's 2 GiB
 * `readFile` limit (the fp32 model, 2.27 GB) loads.
 */
import { AbortError, ModelLoadError } from '../errors.ts';
import { OnDemandBytes } from './on-demand-bytes.ts';

/** Node's own modules without an `import` that a browser bundler would try to resolve. */
export async function nodeModule<T>(id: string): Promise<T> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (proc?.getBuiltinModule?.(id) ?? (await import(/* @vite-ignore */ id))) as T;
}

export const runsInNode = (): boolean =>
  typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';

interface NodeFs {
  promises: { readFile(file: URL, options: { signal?: AbortSignal }): Promise<Uint8Array> };
  statSync(file: URL): { size: number };
  openSync(file: URL, flags: string): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
}

/** `[start, end)` of a file, read now (each read opens the file: nothing stays open once the session is built). */
function readRange(fs: NodeFs, file: URL, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  const fd = fs.openSync(file, 'r');
  try {
    for (let at = 0; at < out.byteLength;) {
      const read = fs.readSync(fd, out, at, out.byteLength - at, start + at);
      if (read === 0) throw new ModelLoadError(`${file.href} ended at ${start + at} bytes while it was read: it changed on disk`);
      at += read;
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

/**
 * The bytes of `file` (`path` in the folder `label`): whole, or read on demand.
 * Throws a ModelLoadError naming the file where it is missing or unreadable.
 */
export async function readFromDisk(file: URL, path: string, label: string, onDemand: boolean, signal?: AbortSignal): Promise<Uint8Array> {
  try {
    const fs = await nodeModule<NodeFs>('node:fs');
    if (!onDemand) return await fs.promises.readFile(file, { signal });
    const { size } = fs.statSync(file);
    return new OnDemandBytes(size, (start, end) => readRange(fs, file, start, end));
  } catch (error) {
    if (signal?.aborted) throw new AbortError('model loading was aborted', { cause: signal.reason });
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new ModelLoadError(`${path} is missing from ${label}: ${decodeURI(file.pathname)} does not exist`,
        { missingFile: path, cause: error });
    }
    throw new ModelLoadError(`could not read ${file.href}: ${(error as Error).message}`, { cause: error });
  }
}
