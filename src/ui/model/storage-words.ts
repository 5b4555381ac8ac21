/**
 * What the app says about a download that resumed, the bytes' check, and the browser's hold on stored models, in the
 * user's words. DOM-free, so the wording is tested in Node.
 */
import type { ByteCheck, DownloadResume, ModelStorage } from '../../lib/types.ts';
import { formatBytes } from '../shared/format.ts';

/**
 * @example
 * describeResume({ from: 196_608, cause: 'stored', ranged: true }) // → 'resumed at 196.6 KB: stored by an earlier visit'
 * describeResume({ from: 196_608, cause: 'retry', ranged: false })
 * // → 'connection lost at 196.6 KB; the server cannot resume, so the file came again from the start'
 */
export function describeResume({ from, cause, ranged }: DownloadResume): string {
  if (!ranged) {
    return `${cause === 'stored' ? 'stored up to' : 'connection lost at'} ${formatBytes(from)}; the server cannot resume, so ` +
      'the file came again from the start';
  }
  return `resumed at ${formatBytes(from)}: ${cause === 'stored' ? 'stored by an earlier visit' : 'the connection dropped'}`;
}

/** @example describeVerified('sha256') // → 'SHA-256 checked' */
export function describeVerified(verified: ByteCheck | undefined): string {
  switch (verified) {
    case 'sha256':
      return 'SHA-256 checked';
    case 'size':
      return 'size checked';
    default:
      return '';
  }
}

/** Whether the browser keeps stored models under storage pressure: its answer to `navigator.storage.persist()`. */
export function describePersistence(persisted: boolean | null): string {
  if (persisted === null) return 'This browser does not say whether it keeps stored models.';
  return persisted
    ? 'The browser keeps them: they are not evicted when space runs low.'
    : 'The browser may evict them when space runs low (Chrome keeps them for bookmarked or installed sites).';
}

/**
 * A loaded model's storage, for the model's info: kept in the cache (and how much), or why not.
 *
 * @example
 * describeModelStorage({ kept: false, bytes: 0, persisted: null, reason: 'QuotaExceededError' })
 * // → 'Not kept in the browser cache (QuotaExceededError): it runs from memory, and the next load downloads it again.'
 */
export function describeModelStorage(storage: ModelStorage): string {
  if (!storage.kept) {
    return `Not kept in the browser cache${storage.reason ? ` (${storage.reason})` : ''}: it runs from memory, and the ` +
      'next load downloads it again.';
  }
  return `Kept in the browser cache (${formatBytes(storage.bytes)}).`;
}
