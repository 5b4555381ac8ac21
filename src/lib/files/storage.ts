/**
 * The origin's storage quota and persistence (`navigator.storage`), in pages and workers; absent in Node and old
 * browsers, where every check here passes and persistence is null (unknown).
 */
import { StorageQuotaError } from '../errors.ts';
import type { ModelStorage } from '../types.ts';

interface StorageManagerLike {
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  persisted?: () => Promise<boolean>;
  /** Pages only: a worker's StorageManager cannot ask. */
  persist?: () => Promise<boolean>;
}

const storageManager = (): StorageManagerLike | undefined =>
  (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage;

/** `1536` → `'1.5 KB'`: sizes in error messages. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Bytes the origin may still store, or null where the browser does not say. */
export async function storageAvailable(): Promise<number | null> {
  const estimate = await storageManager()?.estimate?.().catch(() => undefined);
  if (!estimate || typeof estimate.quota !== 'number') return null;
  return Math.max(0, estimate.quota - (estimate.usage ?? 0));
}

/**
 * Throws StorageQuotaError, naming both sizes, when `needed` more bytes cannot fit in the origin's quota: called
 * before a download's body is read, so nothing is fetched in vain.
 */
export async function ensureRoomFor(path: string, needed: number): Promise<void> {
  const available = await storageAvailable();
  if (available === null || needed <= available) return;
  throw new StorageQuotaError(`${path} needs ${formatBytes(needed)} (${needed} bytes) of storage, but this site may ` +
    `store only ${formatBytes(available)} (${available} bytes) more: free space (clear cached models), or load with ` +
    '{ cache: false } to run it from memory without keeping it');
}

/**
 * Asks the browser to keep the origin's storage (no eviction under pressure) and resolves with its answer. In a
 * worker, which cannot ask, resolves with `persisted()`: the page may ask with {@link persistModelStorage}.
 */
export async function askToPersist(): Promise<boolean | null> {
  const storage = storageManager();
  if (typeof storage?.persist === 'function') return storage.persist().catch(() => false);
  if (typeof storage?.persisted === 'function') return storage.persisted().catch(() => null);
  return null;
}

/**
 * Asks the browser to keep downloaded models (call it from the page: a worker cannot ask); resolves with whether it
 * will, or null where the browser has no StorageManager.
 *
 * @example
 * await persistModelStorage() // → true (Chrome grants it to installed or bookmarked sites, Firefox asks the user)
 */
export async function persistModelStorage(): Promise<boolean | null> {
  const storage = storageManager();
  if (await storage?.persisted?.().catch(() => false)) return true;
  return askToPersist();
}

/** The origin's storage as the browser reports it, without asking for anything; nulls where it does not say. */
export interface StorageState {
  /** Whether the browser keeps the origin's storage under pressure (`persisted()`). */
  persisted: boolean | null;
  /** Bytes the origin stores (all of it: other caches too) and may store, from `estimate()`. */
  usage: number | null;
  quota: number | null;
}

/**
 * @example
 * await storageState() // → { persisted: false, usage: 412_041, quota: 10_737_418_240 }
 */
export async function storageState(): Promise<StorageState> {
  const storage = storageManager();
  const [persisted, estimate] = await Promise.all([
    storage?.persisted?.().catch(() => null) ?? null,
    storage?.estimate?.().catch(() => undefined),
  ]);
  return {
    persisted: typeof persisted === 'boolean' ? persisted : null,
    usage: typeof estimate?.usage === 'number' ? estimate.usage : null,
    quota: typeof estimate?.quota === 'number' ? estimate.quota : null,
  };
}

/**
 * What `info.storage` says of a load's files: whether all were kept in the browser cache, their bytes, and, once
 * they are, the browser's answer to keeping them. Undefined where no file went through the cache (Node, picked files,
 * `cache: false`).
 */
export async function storageOfLoad(files: readonly { bytes: Uint8Array; kept?: boolean; cacheError?: string }[]):
  Promise<ModelStorage | undefined> {
  const cached = files.filter((f) => f.kept !== undefined);
  if (!cached.length) return undefined;
  const kept = cached.every((f) => f.kept);
  const reason = cached.find((f) => f.cacheError)?.cacheError;
  const bytes = cached.reduce((sum, f) => sum + (f.kept ? f.bytes.byteLength : 0), 0);
  const persisted = kept ? await askToPersist() : await (storageManager()?.persisted?.().catch(() => null) ?? null);
  return { kept, bytes, persisted, ...(reason ? { reason } : {}) };
}
