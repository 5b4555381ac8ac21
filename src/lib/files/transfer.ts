/**
 * A download in progress (download.ts): what the server declared, the bytes so far and their digest, and the pieces
 * stored; where the file will be read on demand from the cache, stored pieces leave memory as they are kept.
 */
import { IntegrityError, ModelLoadError } from '../errors.ts';
import type { DownloadResume } from '../types.ts';
import { RunningDigest, type DeclaredFile } from './integrity.ts';
import { canReadBlobsOnDemand } from './on-demand-bytes.ts';
import { Received } from './received.ts';
import { describeStorageError, type StoredFile } from './stored-file.ts';

/** One file to download, and where it goes. */
export interface DownloadTarget {
  url: string;
  /** The file's path in the model folder, for messages. */
  path: string;
  /** The source's name (hub id or URL), for messages. */
  label: string;
  /** Where the file is kept, or null when it is not (no Cache API, `cache: false`). */
  stored: StoredFile | null;
  pieceBytes: number;
  /** A file over a piece may come back read on demand from the cache (ReadHow). */
  onDemand: boolean;
  signal?: AbortSignal;
  onBytes(loaded: number, total: number | null, resumed?: DownloadResume): void;
}

/** A download in progress: what the server declared, the bytes so far, their digest, and what is stored. */
export class Transfer {
  declared: DeclaredFile | null = null;
  received = new Received(null);
  readonly digest = new RunningDigest();
  /** End of the bytes stored as pieces. */
  storedEnd = 0;
  cacheError: string | undefined;
  contentType = 'application/octet-stream';
  /** Stored pieces leave memory: the file is read on demand from the cache once whole (ReadHow.onDemand). */
  private spill: boolean;

  constructor(private readonly target: DownloadTarget) {
    this.spill = target.onDemand && target.stored !== null && canReadBlobsOnDemand();
  }

  begin(declared: DeclaredFile): void {
    this.declared = declared;
    // Spills only where pieces will be stored (a file over a piece), whatever pieces an earlier visit left.
    this.received = new Received(declared.size, this.spill && declared.size !== null && declared.size > this.target.pieceBytes);
    this.digest.reset();
    this.storedEnd = 0;
  }

  /** Takes bytes in order: digest, buffer, and a piece stored each time `pieceBytes` more have arrived. */
  async take(bytes: Uint8Array): Promise<void> {
    if (!this.received.append(bytes)) {
      if (this.declared?.sizeFrom !== 'content-length') {
        throw new IntegrityError(`${this.target.path} is longer than the ${this.declared?.size} bytes the server declared ` +
          `(${this.declared?.sizeFrom}): the download is corrupt, and was not cached`);
      }
      this.received.growable();
      this.declared = { ...this.declared, size: null, sizeFrom: null };
      await this.unspill(); // no more pieces without a size: what was stored comes back into memory
      this.received.append(bytes);
    }
    this.digest.update(bytes);
    await this.storePieces();
  }

  private async storePieces(): Promise<void> {
    const { stored, pieceBytes } = this.target;
    const size = this.declared?.size ?? null;
    if (!stored || this.cacheError || size === null || size <= pieceBytes) return;
    while (this.received.length - this.storedEnd >= pieceBytes || (this.received.length === size && this.storedEnd < size)) {
      const end = Math.min(this.storedEnd + pieceBytes, this.received.length);
      try {
        await stored.putPiece(this.storedEnd, this.received.slice(this.storedEnd, end), size, this.declared?.validator ?? null);
        this.stored(end);
      } catch (error) {
        this.cacheError = describeStorageError(error); // quota or private mode: the download goes on in memory
        await this.unspill();
        return;
      }
    }
  }

  stored(end: number): void {
    this.storedEnd = end;
    this.received.drop(end); // a spilling download's bytes leave memory once stored
  }

  /** The stored bytes back in memory (and no more spilling), where storing the rest failed. */
  private async unspill(): Promise<void> {
    this.spill = false;
    this.received.restore(this.received.dropped > 0 ? await readStored(this.target, this.received.dropped) : new Uint8Array(0));
  }
}

/** The first `end` bytes, from the stored pieces. */
export async function readStored(target: DownloadTarget, end: number): Promise<Uint8Array> {
  const bytes = await target.stored?.readPrefix(end);
  if (!bytes) throw new ModelLoadError(`the stored part of ${target.path} went missing from the browser cache mid-download: load again`);
  return bytes;
}

/** Reads back the pieces a reload left, so the download continues after them. */
export async function restorePieces(target: DownloadTarget, transfer: Transfer): Promise<DownloadResume | undefined> {
  const prefix = await target.stored?.storedPrefix();
  if (!prefix) return undefined;
  transfer.begin({ size: prefix.size, sizeFrom: 'x-linked-size', sha256: null, validator: prefix.validator });
  for (const piece of prefix.pieces) {
    const bytes = new Uint8Array(await piece.response.arrayBuffer());
    if (bytes.byteLength !== piece.end - piece.start) break;
    transfer.received.append(bytes);
    transfer.digest.update(bytes);
    transfer.stored(piece.end);
  }
  return transfer.received.length > 0 ? { from: transfer.received.length, cause: 'stored', ranged: true } : undefined;
}
