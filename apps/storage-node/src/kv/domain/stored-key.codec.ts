import { StoredDataCorruptError } from './stored-data-corrupt.error.js';

/** One past the largest 64-bit hash: the exclusive upper end of the hash space. */
export const HASH_SPACE_END = 1n << 64n;
export const HASH_PREFIX_BYTES = 8;
/**
 * LMDB's default maximum key size is 1978 bytes (4 KiB pages); the hash prefix takes 8.
 * Longer keys must be refused at the write path, before they reach the log.
 */
export const MAX_KEY_BYTES = 1978 - HASH_PREFIX_BYTES;

export interface DecodedStoredKey {
  readonly hash: bigint;
  readonly key: Buffer;
}

/**
 * LMDB key = 8-byte big-endian hash ‖ key bytes. LMDB orders keys bytewise, so stored keys
 * sort by hash first and every hash range [lo, hi) is one contiguous key range: splits,
 * merges and checkpoints of a shard are range scans.
 */
export function encodeStoredKey(hash: bigint, key: Uint8Array): Buffer {
  assertHash(hash);
  assertKey(key);
  const stored = Buffer.allocUnsafe(HASH_PREFIX_BYTES + key.length);
  stored.writeBigUInt64BE(hash, 0);
  stored.set(key, HASH_PREFIX_BYTES);
  return stored;
}

export function decodeStoredKey(stored: Uint8Array): DecodedStoredKey {
  if (stored.length <= HASH_PREFIX_BYTES) {
    throw new StoredDataCorruptError(
      'stored key',
      `${stored.length} bytes, needs a hash and a non-empty key`,
    );
  }
  if (stored.length > HASH_PREFIX_BYTES + MAX_KEY_BYTES) {
    throw new StoredDataCorruptError('stored key', `${stored.length} bytes exceeds the maximum`);
  }
  return { hash: storedKeyHash(stored), key: Buffer.from(stored.subarray(HASH_PREFIX_BYTES)) };
}

/** The hash prefix alone, without copying the key: enough to filter a scan by range. */
export function storedKeyHash(stored: Uint8Array): bigint {
  if (stored.length < HASH_PREFIX_BYTES) {
    throw new StoredDataCorruptError('stored key', `${stored.length} bytes, shorter than the hash prefix`);
  }
  return Buffer.from(stored.buffer, stored.byteOffset, HASH_PREFIX_BYTES).readBigUInt64BE(0);
}

/** Bounds of an LMDB range scan: `start` inclusive, `end` exclusive, `end` undefined = to the last key. */
export interface StoredKeyRange {
  readonly start: Buffer;
  readonly end: Buffer | undefined;
}

/**
 * The stored-key range holding exactly the hashes in [lo, hi). Every stored key with hash
 * h is at least the bare 8-byte prefix of h and below the prefix of h + 1, so the bare
 * prefixes of lo and hi bound the range; hi = 2^64 has no prefix and leaves the end open.
 */
export function rangeBounds(lo: bigint, hi: bigint): StoredKeyRange {
  assertHash(lo);
  if (hi <= lo || hi > HASH_SPACE_END) throw new RangeError(`invalid hash range [${lo}, ${hi})`);
  return { start: hashPrefix(lo), end: hi === HASH_SPACE_END ? undefined : hashPrefix(hi) };
}

function hashPrefix(hash: bigint): Buffer {
  const prefix = Buffer.allocUnsafe(HASH_PREFIX_BYTES);
  prefix.writeBigUInt64BE(hash, 0);
  return prefix;
}

function assertHash(hash: bigint): void {
  if (hash < 0n || hash >= HASH_SPACE_END) throw new RangeError(`hash ${hash} is outside [0, 2^64)`);
}

function assertKey(key: Uint8Array): void {
  if (key.length === 0) throw new RangeError('key is empty');
  if (key.length > MAX_KEY_BYTES)
    throw new RangeError(`key is ${key.length} bytes, the maximum is ${MAX_KEY_BYTES}`);
}
