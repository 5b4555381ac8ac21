/**
 * The bytes of a download so far, in order: one buffer of the declared size (a 570 MB model is never held twice
 * while its pieces are joined), or a list of chunks where the size is unknown or the download spills. A spilling
 * download hands its bytes to the browser cache piece by piece and drops them here once stored (`drop`), so a large
 * model is never held whole in memory while it downloads; `restore` takes the stored bytes back if storing fails.
 */
const HEAD_BYTES = 256;

export class Received {
  private buffer: Uint8Array | null;
  private spill: boolean;
  private chunks: Uint8Array[] = [];
  length = 0;
  /** Bytes before this offset were dropped (stored elsewhere): they are not in memory. */
  dropped = 0;
  /** The first bytes, kept whatever is dropped (to tell an HTML page from a model). */
  head = new Uint8Array(0);

  /** `spill`: chunks from the start, so that stored bytes can be dropped. */
  constructor(private size: number | null, spill = false) {
    this.spill = spill;
    this.buffer = size !== null && !spill ? new Uint8Array(size) : null;
  }

  /** Appends; false when the bytes overflow the declared size (the caller decides whether that is an error). */
  append(bytes: Uint8Array): boolean {
    if (this.size !== null && this.length + bytes.byteLength > this.size) return false;
    if (this.head.byteLength < HEAD_BYTES) {
      const head = new Uint8Array(Math.min(HEAD_BYTES, this.head.byteLength + bytes.byteLength));
      head.set(this.head);
      head.set(bytes.subarray(0, head.byteLength - this.head.byteLength), this.head.byteLength);
      this.head = head;
    }
    if (this.buffer) this.buffer.set(bytes, this.length);
    else this.chunks.push(bytes);
    this.length += bytes.byteLength;
    return true;
  }

  /** Drops the declared size: an encoded body's `Content-Length` is not the file's. */
  growable(): void {
    this.size = null;
    if (!this.buffer) return;
    this.chunks = [this.buffer.subarray(0, this.length)];
    this.buffer = null;
  }

  /** `[start, end)`, which must not start before what was dropped. */
  slice(start: number, end: number): Uint8Array {
    if (this.buffer) return this.buffer.subarray(start, end);
    if (start < this.dropped) throw new Error(`bytes from ${start} were dropped (stored) at ${this.dropped}`);
    const out = new Uint8Array(end - start);
    let at = this.dropped;
    for (const chunk of this.chunks) {
      const from = Math.max(start, at);
      const to = Math.min(end, at + chunk.byteLength);
      if (from < to) out.set(chunk.subarray(from - at, to - at), from - start);
      at += chunk.byteLength;
      if (at >= end) break;
    }
    return out;
  }

  /** Forgets the bytes before `end` (a spilling download's, once stored). */
  drop(end: number): void {
    if (!this.spill || end <= this.dropped) return;
    while (this.chunks.length && this.dropped + this.chunks[0].byteLength <= end) this.dropped += this.chunks.shift()!.byteLength;
    if (this.chunks.length && end > this.dropped) {
      this.chunks[0] = this.chunks[0].subarray(end - this.dropped);
      this.dropped = end;
    }
  }

  /**
   * Takes back the dropped bytes (`[0, dropped)`, read from where they were stored): all of it is in memory again, and
   * stays (no more drops).
   */
  restore(prefix: Uint8Array): void {
    if (prefix.byteLength !== this.dropped) throw new Error(`${prefix.byteLength} bytes restored, ${this.dropped} were dropped`);
    if (this.dropped > 0) this.chunks.unshift(prefix);
    this.dropped = 0;
    this.spill = false;
  }

  /** The whole file, or null where part of it was dropped (it is in the cache). */
  bytes(): Uint8Array | null {
    if (this.buffer) return this.length === this.buffer.byteLength ? this.buffer : this.buffer.subarray(0, this.length);
    if (this.dropped > 0) return null;
    if (this.chunks.length !== 1) {
      const joined = this.slice(0, this.length);
      this.chunks = [joined];
    }
    return this.chunks[0] ?? new Uint8Array(0);
  }
}
