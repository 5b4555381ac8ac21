/**
 * One file over http(s), like a download manager: stored in pieces as it arrives, continued with a `Range` request
 * after a dropped connection, an error answer or a reload, checked against the size and SHA-256 the server declared,
 * and kept only when whole and right. Where the server ignores `Range`, the whole file comes again and the bytes
 * already held are skipped (progress says so, and never goes back).
 */
import { AbortError, IntegrityError, ModelLoadError, StorageQuotaError } from '../errors.ts';
import type { ByteCheck, DownloadResume } from '../types.ts';
import { declaredFile, parseContentRange, RunningDigest, verifyDownload, type DeclaredFile } from './integrity.ts';
import { Received } from './received.ts';
import { ensureRoomFor } from './storage.ts';
import { describeStorageError, type StoredFile } from './stored-file.ts';
import { canReadBlobsOnDemand, freeNow, isOnDemand, responseBytes } from './on-demand-bytes.ts';

export const DEFAULT_PIECE_BYTES = 8 * 1024 * 1024;
/** Consecutive failed attempts (no byte gained) before a download gives up. */
const MAX_FAILURES = 5;

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

export interface Downloaded {
  bytes: Uint8Array;
  fromCache: boolean;
  verified: ByteCheck;
  /** Why the file could not be kept in the browser cache, when it could not. */
  cacheError?: string;
  /** The last time the download picked up again instead of starting over, if it did. */
  resumed?: DownloadResume;
}

const aborted = (signal?: AbortSignal) => new AbortError('model loading was aborted', { cause: signal?.reason });
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;
const isHtml = (bytes: Uint8Array) => /^\s*<(!doctype html|html)/i.test(new TextDecoder().decode(bytes.subarray(0, 256)));

function missing(target: DownloadTarget, why: string): ModelLoadError {
  return new ModelLoadError(`${target.path} is missing from ${target.label}: ${target.url} ${why}`, { missingFile: target.path });
}

/** Waits before another attempt (0.25 s, 0.5 s, 1 s, ...), or rejects when the load is aborted. */
function pause(failures: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, Math.min(250 * 2 ** (failures - 1), 4000));
    const stop = () => {
      clearTimeout(timer);
      reject(aborted(signal));
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** A download in progress: what the server declared, the bytes so far, their digest, and what is stored. */
class Transfer {
  declared: DeclaredFile | null = null;
  received = new Received(null);
  readonly digest = new RunningDigest();
  /** End of the bytes stored as pieces. */
  storedEnd = 0;
  cacheError: string | undefined;
  contentType = 'application/octet-stream';

  constructor(private readonly target: DownloadTarget) {}

  begin(declared: DeclaredFile): void {
    this.declared = declared;
    this.received = new Received(declared.size);
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
        this.storedEnd = end;
      } catch (error) {
        this.cacheError = describeStorageError(error); // quota or private mode: the download goes on in memory
        return;
      }
    }
  }
}

/** Reads back the pieces a reload left, so the download continues after them. */
async function restorePieces(target: DownloadTarget, transfer: Transfer): Promise<DownloadResume | undefined> {
  const prefix = await target.stored?.storedPrefix();
  if (!prefix) return undefined;
  transfer.begin({ size: prefix.size, sizeFrom: 'x-linked-size', sha256: null, validator: prefix.validator });
  for (const piece of prefix.pieces) {
    const bytes = new Uint8Array(await piece.response.arrayBuffer());
    if (bytes.byteLength !== piece.end - piece.start) break;
    transfer.received.append(bytes);
    transfer.digest.update(bytes);
    transfer.storedEnd = piece.end;
  }
  return transfer.received.length > 0 ? { from: transfer.received.length, cause: 'stored', ranged: true } : undefined;
}

/**
 * What an answer means for the transfer: the bytes of its body to skip (already held), and whether the server
 * honoured `Range`. A file that changed on the server (another size or ETag) starts over, its stored pieces deleted.
 */
async function acceptAnswer(target: DownloadTarget, transfer: Transfer, response: Response): Promise<{ skip: number; ranged: boolean }> {
  const held = transfer.received.length;
  const answer = declaredFile(response.headers);
  const known = transfer.declared;
  const range = response.status === 206 ? parseContentRange(response.headers.get('content-range')) : null;
  const size = range ? range.total : answer.size;
  const sameFile = held > 0 && known !== null && size === known.size &&
    (!answer.validator || !known.validator || answer.validator === known.validator);
  if (sameFile && (!range || range.start === held)) {
    // Restored pieces know the size, not the hash: the server's answer tells it.
    if (!known.sha256 && answer.sha256) transfer.declared = { ...known, sha256: answer.sha256 };
    return { skip: range ? 0 : held, ranged: range !== null };
  }
  if (held > 0) await target.stored?.deletePieces();
  if (range && range.start !== 0) {
    transfer.begin({ size: null, sizeFrom: null, sha256: null, validator: null });
    throw new Error(`${target.path} changed on the server since its download began: starting over`);
  }
  transfer.begin(range ? { ...answer, size: range.total, sizeFrom: 'content-range' } : answer);
  return { skip: 0, ranged: true };
}

/** Reads a body into the transfer, skipping its first `skip` bytes; resolves at its end, rejects where it breaks. */
async function readInto(response: Response, transfer: Transfer, skip: number, target: DownloadTarget): Promise<void> {
  if (!response.body) throw new ModelLoadError(`${target.url} answered without a body`);
  const reader = response.body.getReader();
  let toSkip = skip;
  try {
    for (;;) {
      if (target.signal?.aborted) throw aborted(target.signal);
      const { done, value } = await reader.read();
      if (done) return;
      let chunk = value;
      if (toSkip > 0) {
        const dropped = Math.min(toSkip, chunk.byteLength);
        toSkip -= dropped;
        chunk = chunk.subarray(dropped);
        if (chunk.byteLength === 0) continue;
      }
      await transfer.take(chunk);
      target.onBytes(transfer.received.length, transfer.declared?.size ?? null);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Downloads `target.url` (or reads it from the browser cache when it is there whole). */
export async function downloadFile(target: DownloadTarget): Promise<Downloaded> {
  const { stored, signal } = target;
  const cached = await readComplete(target);
  if (cached) return cached;

  const transfer = new Transfer(target);
  let resumed = await restorePieces(target, transfer);
  let lastResume = resumed;
  let failures = 0;
  let lastProblem = '';
  let quotaChecked = false;
  for (;;) {
    if (signal?.aborted) throw aborted(signal);
    const held = transfer.received.length;
    if (held > 0 && held === transfer.declared?.size) break; // every piece was stored before the reload
    if (failures >= MAX_FAILURES) {
      throw new ModelLoadError(`could not fetch ${target.url}: ${lastProblem} (${failures} attempts)`);
    }
    if (failures > 0) await pause(failures, signal);
    let response: Response;
    try {
      response = await fetch(target.url, { signal, headers: held > 0 ? { range: `bytes=${held}-` } : {} });
    } catch (error) {
      if (signal?.aborted) throw aborted(signal);
      lastProblem = (error as Error).message;
      failures += 1;
      continue;
    }
    if (response.status === 404) throw missing(target, 'answered HTTP 404');
    if (response.status === 416 && held > 0) {
      transfer.begin({ size: null, sizeFrom: null, sha256: null, validator: null }); // the stored pieces are of another file
      await stored?.deletePieces();
      failures += 1;
      lastProblem = 'HTTP 416';
      continue;
    }
    if (!response.ok) {
      response.body?.cancel().catch(() => {});
      lastProblem = `HTTP ${response.status}`;
      if (!retryable(response.status)) throw missing(target, `answered ${lastProblem}`);
      failures += 1;
      continue;
    }
    // Dev servers and SPA hosts answer any unknown path with index.html and status 200.
    if ((response.headers.get('content-type') ?? '').includes('text/html')) {
      response.body?.cancel().catch(() => {});
      throw missing(target, 'returned an HTML page instead of the file (a dev server or static host answering index.html for unknown paths)');
    }
    let accepted: { skip: number; ranged: boolean };
    try {
      accepted = await acceptAnswer(target, transfer, response);
    } catch (error) {
      response.body?.cancel().catch(() => {});
      lastProblem = (error as Error).message;
      failures += 1;
      continue;
    }
    const { skip, ranged } = accepted;
    transfer.contentType = response.headers.get('content-type') ?? transfer.contentType;
    if (!quotaChecked && stored && transfer.declared?.size) {
      quotaChecked = true;
      try {
        await ensureRoomFor(target.path, transfer.declared.size - transfer.storedEnd);
      } catch (error) {
        response.body?.cancel().catch(() => {});
        throw error;
      }
    }
    const continuing = transfer.received.length;
    if (continuing > 0) resumed = { from: continuing, cause: resumed?.cause === 'stored' && failures === 0 ? 'stored' : 'retry', ranged };
    if (resumed) {
      target.onBytes(transfer.received.length, transfer.declared?.size ?? null, resumed);
      lastResume = resumed;
      resumed = undefined;
    }
    const before = transfer.received.length;
    try {
      await readInto(response, transfer, skip, target);
      const size = transfer.declared?.size ?? null;
      if (size === null || transfer.received.length === size) break; // without a declared size, the end is the end
      throw new Error(`the connection closed after ${transfer.received.length} of ${size} bytes`);
    } catch (error) {
      if (signal?.aborted) throw aborted(signal);
      if (error instanceof IntegrityError || error instanceof StorageQuotaError) throw error;
      lastProblem = (error as Error).message;
      failures = transfer.received.length > before ? 1 : failures + 1;
    }
  }
  const done = await finish(target, transfer);
  return lastResume ? { ...done, resumed: lastResume } : done;
}

/** The whole file from the cache, trusted only when as long as its stored length. */
async function readComplete(target: DownloadTarget): Promise<Downloaded | null> {
  const response = await target.stored?.complete();
  if (!response) return null;
  const bytes = await responseBytes(response, target.onDemand ? target.pieceBytes : Infinity);
  const length = Number(response.headers.get('content-length'));
  const whole = !response.headers.has('content-length') || length === bytes.byteLength;
  if (!whole || isHtml(bytes)) {
    await target.stored?.forget();
    return null;
  }
  target.onBytes(bytes.byteLength, bytes.byteLength);
  return { bytes, fromCache: true, verified: 'none' };
}

/** Verifies the whole download, then keeps it as one entry (where transformers.js finds it) in place of its pieces. */
async function finish(target: DownloadTarget, transfer: Transfer): Promise<Downloaded> {
  const { stored } = target;
  const bytes = transfer.received.bytes();
  let verified: Downloaded['verified'];
  try {
    verified = verifyDownload(target.path, transfer.declared ?? declaredFile(new Headers()), bytes.byteLength, transfer.digest);
    if (isHtml(bytes)) throw missing(target, 'returned an HTML page instead of the file');
  } catch (error) {
    await stored?.deletePieces();
    throw error;
  }
  let cacheError = transfer.cacheError;
  if (stored) {
    const put = async () => {
      try {
        const fromPieces = await stored.putCompleteFromPieces(bytes.byteLength, transfer.contentType);
        if (!fromPieces) await stored.putComplete(bytes, transfer.contentType);
        return undefined;
      } catch (error) {
        return describeStorageError(error);
      }
    };
    let failed = await put();
    // The pieces and the whole file side by side may not fit: without the pieces, the file alone may.
    await stored.deletePieces();
    if (failed) failed = await put();
    cacheError = failed;
    // Kept: a large model file is read from the cache now, and the downloaded copy freed before the session is built.
    const kept = !failed && target.onDemand && canReadBlobsOnDemand() && bytes.byteLength > target.pieceBytes
      ? await stored.complete() : undefined;
    const onDemand = kept && await responseBytes(kept, target.pieceBytes);
    if (onDemand && isOnDemand(onDemand) && onDemand.byteLength === bytes.byteLength) {
      freeNow(bytes.buffer);
      return { bytes: onDemand, fromCache: false, verified };
    }
  }
  return { bytes, fromCache: false, verified, ...(cacheError ? { cacheError } : {}) };
}
