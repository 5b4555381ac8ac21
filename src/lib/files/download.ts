/**
 * One file over http(s), like a download manager: stored in pieces as it arrives, continued with a `Range` request
 * after a dropped connection, an error answer or a reload, checked against the size and SHA-256 the server declared,
 * and kept only when whole and right. Where the server ignores `Range`, the whole file comes again and the bytes
 * already held are skipped (progress says so, and never goes back).
 */
import { AbortError, IntegrityError, ModelLoadError, StorageQuotaError } from '../errors.ts';
import type { ByteCheck, DownloadResume } from '../types.ts';
import { declaredFile, parseContentRange, verifyDownload } from './integrity.ts';
import { ensureRoomFor } from './storage.ts';
import { describeStorageError } from './stored-file.ts';
import { canReadBlobsOnDemand, freeNow, responseBytes } from './on-demand-bytes.ts';
import { readStored, restorePieces, Transfer, type DownloadTarget } from './transfer.ts';

export const DEFAULT_PIECE_BYTES = 8 * 1024 * 1024;
/** Consecutive failed attempts (no byte gained) before a download gives up. */
const MAX_FAILURES = 5;

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
  const size = transfer.received.length;
  let bytes = transfer.received.bytes(); // null: spilled, in the cache's pieces
  let verified: Downloaded['verified'];
  try {
    verified = verifyDownload(target.path, transfer.declared ?? declaredFile(new Headers()), size, transfer.digest);
    if (isHtml(transfer.received.head)) throw missing(target, 'returned an HTML page instead of the file');
  } catch (error) {
    await stored?.deletePieces();
    throw error;
  }
  let cacheError = transfer.cacheError;
  if (stored) {
    const put = async () => {
      try {
        const fromPieces = await stored.putCompleteFromPieces(size, transfer.contentType);
        if (!fromPieces) await stored.putComplete(bytes ?? await readStored(target, size), transfer.contentType);
        return undefined;
      } catch (error) {
        return describeStorageError(error);
      }
    };
    let failed = await put();
    // The pieces and the whole file side by side may not fit: without the pieces, the file alone may.
    if (failed) bytes ??= await readStored(target, size);
    await stored.deletePieces();
    if (failed) failed = await put();
    cacheError = failed;
    // Kept: a large model file is read from the cache now, and a downloaded copy freed before the session is built.
    const kept = !failed && target.onDemand && canReadBlobsOnDemand() && size > target.pieceBytes ? await stored.complete() : undefined;
    const fromCache = kept && await responseBytes(kept, target.pieceBytes);
    if (fromCache && fromCache.byteLength === size) {
      if (bytes) freeNow(bytes.buffer);
      return { bytes: fromCache, fromCache: false, verified };
    }
  }
  if (!bytes) throw new ModelLoadError(`${target.path} was stored but cannot be read back from the browser cache: load again`);
  return { bytes, fromCache: false, verified, ...(cacheError ? { cacheError } : {}) };
}
