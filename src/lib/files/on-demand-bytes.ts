/**
 * A model file that is read when onnxruntime asks for each weight, not held in memory: the file stays in the browser
 * cache (or the picked file) on disk, and memory holds one weight at a time on its way into the session.
 *
 * onnxruntime-web takes external data as a Uint8Array and, while it builds the session, asks it only for its
 * `byteLength` and for `subarray(start, end)` of each weight, synchronously (its wasm calls back into JavaScript).
 * So this is a Uint8Array whose length, byteLength, subarray and slice read from a Blob with `FileReaderSync`, which
 * dedicated workers have (the library's worker is one). Everything else of Uint8Array sees an empty array: only the
 * protobuf walk (protobuf-fields.ts, which reads through subarray) and onnxruntime are given it.
 *
 * A weight read for onnxruntime is garbage once copied into its tensor, but the session is built in one synchronous
 * call, during which the garbage collector does not run: a 594 MB file's weights would pile up in memory as they are
 * read. So a large read (a weight) lives until the next large read or `release()`, and is then freed at once
 * (`freeNow`).
 */

/** Reads `[start, end)` of the file, synchronously. */
export type ReadRange = (start: number, end: number) => Uint8Array;

/** Small reads (the protobuf walk's varints and field headers) go through one cached block of this size. */
const BLOCK_BYTES = 64 * 1024;

export class OnDemandBytes extends Uint8Array {
  readonly #size: number;
  readonly #read: ReadRange;
  #block: { start: number; bytes: Uint8Array } | null = null;
  /** The last large read, freed at the next one. */
  #lent: Uint8Array | null = null;

  /**
   * @param blob the Blob read, where it is one: another worker can read the same file from it (structured clone
   *   passes a Blob by reference, not its bytes).
   */
  constructor(size: number, read: ReadRange, readonly blob: Blob | null = null) {
    super(0);
    this.#size = size;
    this.#read = read;
  }

  override get length(): number {
    return this.#size;
  }

  override get byteLength(): number {
    return this.#size;
  }

  /**
   * `[start, end)` of the file, as subarray's arguments (negative from the end, clamped), read now. A range over 64 KiB
   * is valid until the next such read or `release()`: onnxruntime copies each weight before it asks for the next.
   */
  override subarray(begin?: number, finish?: number): Uint8Array<ArrayBuffer> {
    const [start, end] = this.#range(begin, finish);
    if (end - start > BLOCK_BYTES) {
      this.release();
      return (this.#lent = this.#read(start, end)) as Uint8Array<ArrayBuffer>;
    }
    let block = this.#block;
    if (!block || start < block.start || end > block.start + block.bytes.byteLength) {
      const blockStart = Math.min(start, Math.max(0, this.#size - BLOCK_BYTES));
      block = this.#block = { start: blockStart, bytes: this.#read(blockStart, Math.min(this.#size, blockStart + BLOCK_BYTES)) };
    }
    return block.bytes.subarray(start - block.start, end - block.start) as Uint8Array<ArrayBuffer>;
  }

  /** `[start, end)` as slice's arguments: a copy of the caller's own, never freed by this. */
  override slice(begin?: number, finish?: number): Uint8Array<ArrayBuffer> {
    const [start, end] = this.#range(begin, finish);
    return this.#read(start, end) as Uint8Array<ArrayBuffer>;
  }

  /** Frees the last large read now. */
  release(): void {
    if (this.#lent) freeNow(this.#lent.buffer);
    this.#lent = null;
  }

  #range(begin = 0, finish = this.#size): [start: number, end: number] {
    const clamp = (n: number) => Math.min(this.#size, Math.max(0, n < 0 ? this.#size + n : Math.trunc(n)));
    const start = clamp(begin);
    return [start, Math.max(start, clamp(finish))];
  }
}

/** Whether this realm can read a Blob synchronously (dedicated workers can; pages and Node cannot). */
export const canReadBlobsOnDemand = (): boolean => typeof (globalThis as { FileReaderSync?: unknown }).FileReaderSync === 'function';

/**
 * The Blob's bytes, read on demand; null where this realm cannot read a Blob synchronously (then read it whole).
 *
 * @example
 * const bytes = blobOnDemand(await (await caches.match(url)).blob()) // in a worker
 * bytes.byteLength        // → 594335138 (nothing read yet)
 * bytes.subarray(0, 4)    // → Uint8Array(4) [8, 8, 18, 7], read now
 */
export function blobOnDemand(blob: Blob): OnDemandBytes | null {
  if (!canReadBlobsOnDemand()) return null;
  const reader = new (globalThis as unknown as { FileReaderSync: new () => { readAsArrayBuffer(b: Blob): ArrayBuffer } }).FileReaderSync();
  return new OnDemandBytes(blob.size, (start, end) => new Uint8Array(reader.readAsArrayBuffer(blob.slice(start, end))), blob);
}

/**
 * A response's body: read on demand from its Blob where it is larger than `onDemandAbove` bytes and this realm can
 * (a cached response's Blob is on disk), else read whole.
 */
export async function responseBytes(response: Response, onDemandAbove: number): Promise<Uint8Array> {
  if (!canReadBlobsOnDemand() || !(Number(response.headers.get('content-length')) > onDemandAbove)) {
    return new Uint8Array(await response.arrayBuffer());
  }
  const blob = await response.blob();
  return blobOnDemand(blob) ?? new Uint8Array(await blob.arrayBuffer());
}

/** Whether these are a file's bytes read on demand (not in memory). */
export const isOnDemand = (bytes: Uint8Array): bytes is OnDemandBytes => bytes instanceof OnDemandBytes;

/**
 * Frees a buffer now instead of when the garbage collector next runs: it is transferred in a message to a closed
 * port, which detaches it here and drops it with the message. Measured in Chromium: 800 MB read in 20 MB pieces by
 * FileReaderSync in one synchronous loop peaks about 170 MB above the start this way, 580 MB when left to the
 * collector, and 980 MB with `ArrayBuffer.prototype.transfer(0)` (the browser's own wrapper of the buffer keeps it).
 * Where there is no MessageChannel (Node before 15), the buffer is left to the collector.
 */
export function freeNow(buffer: ArrayBufferLike): void {
  if (typeof MessageChannel !== 'function' || !(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return;
  const channel = new MessageChannel();
  channel.port2.close();
  channel.port1.postMessage(null, [buffer]);
  channel.port1.close();
}
