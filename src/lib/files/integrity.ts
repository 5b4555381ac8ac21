/**
 * What a server says a file is (its size and, for the hub's LFS files, its SHA-256), read from response headers, and
 * the check of the bytes against it. The digest is computed as the bytes arrive (WebCrypto has no streaming digest,
 * and hashing a 570 MB buffer at the end would copy it once more).
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';
import { IntegrityError } from '../errors.ts';
import type { ByteCheck } from '../types.ts';

/** A strong ETag or X-Linked-Etag that is a SHA-256: the hub's LFS files carry their content's hash this way. */
const SHA256_ETAG = /^"?([0-9a-f]{64})"?$/i;

export interface DeclaredFile {
  /** The whole file's size, or null when the server did not say (or said it of an encoded body). */
  size: number | null;
  /** Where the size came from: an encoded body's `Content-Length` is not the file's size, the others are. */
  sizeFrom: 'x-linked-size' | 'content-range' | 'content-length' | null;
  /** Lowercase hex SHA-256 of the content, when the server gave one. */
  sha256: string | null;
  /** What identifies this version of the file (its ETag), to tell whether stored pieces belong to it. */
  validator: string | null;
}

const positive = (value: string | null | undefined): number | null => {
  const n = Number(value);
  return value && Number.isSafeInteger(n) && n >= 0 ? n : null;
};

/** `bytes 100-199/1000` → { start: 100, end: 200, total: 1000 } (end exclusive); null for anything else. */
export function parseContentRange(value: string | null): { start: number; end: number; total: number | null } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (!match) return null;
  return { start: Number(match[1]), end: Number(match[2]) + 1, total: match[3] === '*' ? null : Number(match[3]) };
}

/**
 * The file a response describes. Fetch follows the hub's redirect without showing its headers, so X-Linked-* are read
 * where the final answer carries them (a mirror that does not redirect); the CDN's own ETag is the SHA-256 there.
 *
 * @example
 * declaredFile(new Headers({ 'content-length': '4', etag: '"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"' }))
 * // → { size: 4, sizeFrom: 'content-length', sha256: '9f86d0…0a08', validator: '"9f86d0…0a08"' }
 */
export function declaredFile(headers: Headers): DeclaredFile {
  const etag = headers.get('etag');
  const strongEtag = etag && !etag.startsWith('W/') ? etag : null;
  const shaFrom = (value: string | null) => (value ? SHA256_ETAG.exec(value.trim())?.[1]?.toLowerCase() ?? null : null);
  const linkedSize = positive(headers.get('x-linked-size'));
  const rangeTotal = parseContentRange(headers.get('content-range'))?.total ?? null;
  const encoded = (headers.get('content-encoding') ?? 'identity') !== 'identity';
  const length = headers.has('content-range') || encoded ? null : positive(headers.get('content-length'));
  const [size, sizeFrom] = linkedSize !== null ? [linkedSize, 'x-linked-size' as const]
    : rangeTotal !== null ? [rangeTotal, 'content-range' as const]
      : length !== null ? [length, 'content-length' as const] : [null, null];
  return {
    size,
    sizeFrom,
    sha256: shaFrom(headers.get('x-linked-etag')) ?? shaFrom(strongEtag),
    validator: headers.get('x-linked-etag') ?? strongEtag,
  };
}

/** SHA-256 of bytes fed in order, in pieces. */
export class RunningDigest {
  private hash = sha256.create();

  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }

  reset(): void {
    this.hash = sha256.create();
  }

  hex(): string {
    return bytesToHex(this.hash.digest());
  }
}

/**
 * Checks a complete download against what the server declared; says what it was checked against.
 * Throws IntegrityError naming the file on a size or SHA-256 mismatch.
 */
export function verifyDownload(path: string, declared: DeclaredFile, received: number, digest: RunningDigest):
  ByteCheck {
  if (declared.size !== null && received !== declared.size) {
    throw new IntegrityError(`${path} is ${received} bytes, but the server declared ${declared.size} ` +
      `(${declared.sizeFrom}): the download is incomplete or corrupt, and was not cached`);
  }
  if (declared.sha256) {
    const actual = digest.hex();
    if (actual !== declared.sha256) {
      throw new IntegrityError(`${path} does not match its SHA-256: expected ${declared.sha256}, got ${actual}; ` +
        'the download is corrupt, and was not cached');
    }
    return 'sha256';
  }
  return declared.size !== null ? 'size' : 'none';
}
