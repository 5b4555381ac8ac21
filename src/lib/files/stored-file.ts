/**
 * One file's place in the browser cache: the complete file under its own URL (where transformers.js looks for it
 * too), and, while a large download is under way, its pieces under the same URL with a query parameter that
 * transformers.js never asks for. Pieces are what a reload resumes from; they go once the whole file is stored.
 *
 * Why the Cache API and not OPFS: it is the store both libraries already share, it exists in pages and workers of
 * every browser we support (OPFS `createWritable` does not exist in Safari's workers before 26), and each `put` is
 * atomic (a piece is there whole or not at all), so no half-written piece can be mistaken for data.
 */
import { MODEL_BASE_HEADER, MODEL_HEADER, PIECE_PARAM, STORED_BY, STORED_BY_HEADER } from './cache.ts';
const PIECE_START = 'x-piece-start';
const FILE_SIZE = 'x-file-size';
const FILE_VALIDATOR = 'x-file-validator';

/** The model a file belongs to, written on each entry so the cache can be listed and deleted per model. */
export interface ModelTag {
  /** The hub id or folder URL, as `info.modelId` says it. */
  model: string;
  /** The URL the model's paths are relative to. */
  base: string;
}

export interface StoredPiece {
  start: number;
  end: number;
  response: Response;
}

/** The pieces of a file stored so far, from byte 0 on without a gap, all of the same version of the file. */
export interface StoredPrefix {
  size: number;
  validator: string | null;
  pieces: StoredPiece[];
  /** Bytes the pieces cover: where a download continues. */
  end: number;
}

/** `https://host/m/onnx/model.onnx` → `https://host/m/onnx/model.onnx?bge-reranker-piece=8388608` */
export function pieceUrl(fileUrl: string, start: number): string {
  const url = new URL(fileUrl);
  url.searchParams.set(PIECE_PARAM, String(start));
  return url.href;
}

export const isPieceUrl = (url: string): boolean => new URL(url).searchParams.has(PIECE_PARAM);

/** Storage errors in words (QuotaExceededError, private mode). */
export const describeStorageError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export class StoredFile {
  constructor(private readonly cache: Cache, readonly url: string, private readonly tag: ModelTag) {}

  private headers(extra: Record<string, string>): Headers {
    return new Headers({ [STORED_BY_HEADER]: STORED_BY, [MODEL_HEADER]: this.tag.model, [MODEL_BASE_HEADER]: this.tag.base,
      ...extra });
  }

  /** The complete file, ours or transformers.js', when there is one. */
  async complete(): Promise<Response | undefined> {
    return this.cache.match(this.url).catch(() => undefined);
  }

  async forget(): Promise<void> {
    await this.cache.delete(this.url).catch(() => false);
  }

  /** Stores the whole file; rejects as `cache.put` does (QuotaExceededError). */
  async putComplete(bytes: Uint8Array, contentType: string): Promise<void> {
    const headers = this.headers({ 'content-type': contentType, 'content-length': String(bytes.byteLength) });
    await this.cache.put(this.url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
  }

  /**
   * Stores the whole file as one entry made of its stored pieces (their blobs, which the browser keeps on disk), so
   * the bytes are not copied once more in this thread's memory; false when the pieces do not cover the file.
   */
  async putCompleteFromPieces(size: number, contentType: string): Promise<boolean> {
    const prefix = await this.storedPrefix();
    if (!prefix || prefix.end !== size) return false;
    const blob = new Blob(await Promise.all(prefix.pieces.map((piece) => piece.response.blob())));
    const headers = this.headers({ 'content-type': contentType, 'content-length': String(blob.size) });
    await this.cache.put(this.url, new Response(blob, { headers }));
    return true;
  }

  async putPiece(start: number, bytes: Uint8Array, size: number, validator: string | null): Promise<void> {
    const headers = this.headers({ 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength),
      [PIECE_START]: String(start), [FILE_SIZE]: String(size), ...(validator ? { [FILE_VALIDATOR]: validator } : {}) });
    await this.cache.put(pieceUrl(this.url, start), new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
  }

  private async pieceRequests(): Promise<readonly Request[]> {
    const keys = await this.cache.keys(this.url, { ignoreSearch: true }).catch(() => [] as readonly Request[]);
    return keys.filter((request) => isPieceUrl(request.url));
  }

  /**
   * The stored pieces that a download can continue from; pieces after a gap, or of another version of the file
   * (another size or validator than the first piece's), are deleted.
   */
  async storedPrefix(): Promise<StoredPrefix | null> {
    const pieces: (StoredPiece & { size: number; validator: string | null; key: Request })[] = [];
    for (const key of await this.pieceRequests()) {
      const response = await this.cache.match(key).catch(() => undefined);
      const start = Number(response?.headers.get(PIECE_START));
      const length = Number(response?.headers.get('content-length'));
      const size = Number(response?.headers.get(FILE_SIZE));
      if (!response || !Number.isSafeInteger(start) || !(length > 0) || !(size > 0)) continue;
      pieces.push({ start, end: start + length, size, validator: response.headers.get(FILE_VALIDATOR), response, key });
    }
    pieces.sort((a, b) => a.start - b.start);
    const kept: StoredPiece[] = [];
    let end = 0;
    for (const piece of pieces) {
      const sameFile = piece.size === pieces[0].size && piece.validator === pieces[0].validator && piece.end <= piece.size;
      if (sameFile && piece.start === end) {
        kept.push(piece);
        end = piece.end;
      } else {
        await this.cache.delete(piece.key).catch(() => false);
      }
    }
    return kept.length ? { size: pieces[0].size, validator: pieces[0].validator, pieces: kept, end } : null;
  }

  /** The first `end` bytes of the file, from its stored pieces; null where they do not cover them. */
  async readPrefix(end: number): Promise<Uint8Array | null> {
    const prefix = await this.storedPrefix();
    if (!prefix || prefix.end < end) return null;
    const out = new Uint8Array(end);
    for (const piece of prefix.pieces) {
      if (piece.start >= end) break;
      const bytes = new Uint8Array(await piece.response.arrayBuffer());
      out.set(bytes.subarray(0, Math.min(bytes.byteLength, end - piece.start)), piece.start);
    }
    return out;
  }

  async deletePieces(): Promise<void> {
    for (const key of await this.pieceRequests()) await this.cache.delete(key).catch(() => false);
  }
}
