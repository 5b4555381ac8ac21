/**
 * The bytes of a download so far, in order: one buffer of the declared size (a 570 MB model is never held twice
 * while its pieces are joined), or a list of chunks where the size is unknown.
 */
/** The bytes received so far: one buffer when the size is known, else a list of chunks. */
export class Received {
  private buffer: Uint8Array | null;
  private chunks: Uint8Array[] = [];
  length = 0;

  constructor(size: number | null) {
    this.buffer = size !== null ? new Uint8Array(size) : null;
  }

  /** Appends; false when the bytes overflow the declared size (the caller decides whether that is an error). */
  append(bytes: Uint8Array): boolean {
    if (this.buffer && this.length + bytes.byteLength > this.buffer.byteLength) return false;
    if (this.buffer) this.buffer.set(bytes, this.length);
    else this.chunks.push(bytes);
    this.length += bytes.byteLength;
    return true;
  }

  /** Drops the declared size: an encoded body's `Content-Length` is not the file's. */
  growable(): void {
    if (!this.buffer) return;
    this.chunks = [this.buffer.subarray(0, this.length)];
    this.buffer = null;
  }

  slice(start: number, end: number): Uint8Array {
    return this.bytes().subarray(start, end);
  }

  bytes(): Uint8Array {
    if (this.buffer) return this.length === this.buffer.byteLength ? this.buffer : this.buffer.subarray(0, this.length);
    if (this.chunks.length !== 1) {
      const joined = new Uint8Array(this.length);
      let offset = 0;
      for (const chunk of this.chunks) {
        joined.set(chunk, offset);
        offset += chunk.byteLength;
      }
      this.chunks = [joined];
    }
    return this.chunks[0] ?? new Uint8Array(0);
  }
}
