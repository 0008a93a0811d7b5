import { describe, expect, it } from 'vitest';
import { StoredDataCorruptError } from './stored-data-corrupt.error.js';
import {
  decodeStoredKey,
  encodeStoredKey,
  HASH_SPACE_END,
  MAX_KEY_BYTES,
  rangeBounds,
  storedKeyHash,
} from './stored-key.codec.js';

const MAX_HASH = HASH_SPACE_END - 1n;

/** What an LMDB range scan with these bounds would return. */
function inRange(stored: Buffer, bounds: { start: Buffer; end: Buffer | undefined }): boolean {
  return (
    Buffer.compare(stored, bounds.start) >= 0 &&
    (bounds.end === undefined || Buffer.compare(stored, bounds.end) < 0)
  );
}

describe('stored key encoding', () => {
  it('is the 8-byte big-endian hash followed by the key bytes', () => {
    const stored = encodeStoredKey(0x0102030405060708n, Buffer.from('k1'));
    expect(stored.toString('hex')).toBe('0102030405060708' + Buffer.from('k1').toString('hex'));
  });

  it('round-trips, including the extreme hashes', () => {
    for (const hash of [0n, 1n, 1n << 63n, MAX_HASH]) {
      const key = Buffer.from([0, 255, 7]);
      const decoded = decodeStoredKey(encodeStoredKey(hash, key));
      expect(decoded.hash).toBe(hash);
      expect(decoded.key).toEqual(key);
      expect(storedKeyHash(encodeStoredKey(hash, key))).toBe(hash);
    }
  });

  it('orders stored keys by hash first, whatever the key bytes', () => {
    const low = encodeStoredKey(255n, Buffer.from([0xff, 0xff]));
    const high = encodeStoredKey(256n, Buffer.from([0x00]));
    expect(Buffer.compare(low, high)).toBe(-1);
  });

  it('rejects hashes outside [0, 2^64), empty keys and keys LMDB cannot hold', () => {
    expect(() => encodeStoredKey(-1n, Buffer.from('k'))).toThrow(RangeError);
    expect(() => encodeStoredKey(HASH_SPACE_END, Buffer.from('k'))).toThrow(RangeError);
    expect(() => encodeStoredKey(1n, Buffer.alloc(0))).toThrow('empty');
    expect(() => encodeStoredKey(1n, Buffer.alloc(MAX_KEY_BYTES + 1))).toThrow(RangeError);
    expect(encodeStoredKey(1n, Buffer.alloc(MAX_KEY_BYTES))).toHaveLength(1978);
  });

  it('reports a stored key too short to hold a hash and a key as corrupt', () => {
    expect(() => decodeStoredKey(Buffer.alloc(8))).toThrow(StoredDataCorruptError);
    expect(() => storedKeyHash(Buffer.alloc(3))).toThrow(StoredDataCorruptError);
  });
});

describe('rangeBounds', () => {
  it('covers every key whose hash is in [lo, hi) and nothing else', () => {
    const bounds = rangeBounds(1000n, 2000n);
    const longest = Buffer.alloc(MAX_KEY_BYTES, 0xff);
    expect(inRange(encodeStoredKey(1000n, Buffer.from([0])), bounds)).toBe(true);
    expect(inRange(encodeStoredKey(1999n, longest), bounds)).toBe(true);
    expect(inRange(encodeStoredKey(999n, longest), bounds)).toBe(false);
    expect(inRange(encodeStoredKey(2000n, Buffer.from([0])), bounds)).toBe(false);
  });

  it('leaves the end open when hi is 2^64', () => {
    const bounds = rangeBounds(1n << 63n, HASH_SPACE_END);
    expect(bounds.end).toBeUndefined();
    expect(inRange(encodeStoredKey(MAX_HASH, Buffer.alloc(MAX_KEY_BYTES, 0xff)), bounds)).toBe(true);
    expect(inRange(encodeStoredKey((1n << 63n) - 1n, Buffer.from('k')), bounds)).toBe(false);
  });

  it('covers the whole space for [0, 2^64)', () => {
    const bounds = rangeBounds(0n, HASH_SPACE_END);
    expect(bounds.start).toEqual(Buffer.alloc(8));
    expect(inRange(encodeStoredKey(0n, Buffer.from([0])), bounds)).toBe(true);
  });

  it('rejects empty, inverted and out-of-space ranges', () => {
    expect(() => rangeBounds(5n, 5n)).toThrow(RangeError);
    expect(() => rangeBounds(6n, 5n)).toThrow(RangeError);
    expect(() => rangeBounds(0n, HASH_SPACE_END + 1n)).toThrow(RangeError);
    expect(() => rangeBounds(-1n, 5n)).toThrow(RangeError);
  });
});
