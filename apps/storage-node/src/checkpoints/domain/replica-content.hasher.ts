import { createHash } from 'node:crypto';
import { encodeSnapshotEntry } from './snapshot.codec.js';

export interface ContentHasher {
  /** Feed entries in strictly increasing stored-key order (LMDB's order). */
  update(storedKey: Uint8Array, value: Uint8Array): void;
  /** SHA-256 hex; the hasher cannot be fed afterwards. */
  digest(): string;
  readonly entries: number;
}

/**
 * A canonical hash of a replica's content: SHA-256 over its (stored key, stored value)
 * pairs in key order, framed exactly as a snapshot stream. Two replicas at the same
 * applied offsets, a restored copy and the checkpoint's `contentHash` all agree when the
 * data does. Stored values include versions and tombstones, so replicas compare equal only
 * if tombstones are purged deterministically (by log offset, not by wall clock).
 */
export function contentHasher(): ContentHasher {
  const hash = createHash('sha256');
  let previousKey: Buffer | undefined;
  let entries = 0;
  let done = false;
  return {
    update(storedKey, value) {
      if (done) throw new Error('content hasher already digested');
      const key = Buffer.from(storedKey);
      if (previousKey !== undefined && Buffer.compare(previousKey, key) >= 0) {
        throw new RangeError('keys must be fed in strictly increasing order');
      }
      hash.update(encodeSnapshotEntry(key, value));
      previousKey = key;
      entries += 1;
    },
    digest() {
      if (done) throw new Error('content hasher already digested');
      done = true;
      return hash.digest('hex');
    },
    get entries() {
      return entries;
    },
  };
}
