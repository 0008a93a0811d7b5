import { describe, expect, it } from 'vitest';
import {
  HASH_SPACE,
  evenRanges,
  initialShards,
  keyHash,
  partitionForHash,
  partitionRange,
  partitionsOverlapping,
} from './keyspace.js';

describe('keyspace', () => {
  it('hashes keys with xxhash64 seed 0 (reference vectors)', () => {
    expect(keyHash('')).toBe(0xef46db3751d8e999n);
    expect(keyHash('abc')).toBe(0x44bc2cf5ad770999n);
    expect(keyHash(Buffer.from('abc'))).toBe(keyHash('abc'));
  });

  it('maps a hash to the partition whose static range holds it, for P that does not divide 2^64', () => {
    for (const partitionCount of [1, 3, 7, 16, 64]) {
      for (let p = 0; p < partitionCount; p += 1) {
        const { lo, hi } = partitionRange(p, partitionCount);
        expect(partitionForHash(lo, partitionCount)).toBe(p);
        expect(partitionForHash(hi - 1n, partitionCount)).toBe(p);
        if (hi < HASH_SPACE) expect(partitionForHash(hi, partitionCount)).toBe(p + 1);
      }
    }
  });

  it('covers the hash space with adjacent ranges', () => {
    const ranges = evenRanges(7);
    expect(ranges[0]?.lo).toBe(0n);
    expect(ranges.at(-1)?.hi).toBe(HASH_SPACE);
    for (let i = 1; i < ranges.length; i += 1) expect(ranges[i]?.lo).toBe(ranges[i - 1]?.hi);
  });

  it('lists the partitions a shard range overlaps', () => {
    const q = HASH_SPACE / 4n;
    expect(partitionsOverlapping({ lo: 0n, hi: q }, 4)).toEqual([0]);
    expect(partitionsOverlapping({ lo: q - 1n, hi: q + 1n }, 4)).toEqual([0, 1]);
    expect(partitionsOverlapping({ lo: 0n, hi: HASH_SPACE }, 4)).toEqual([0, 1, 2, 3]);
  });

  it('names the initial shards and gives them the even ranges', () => {
    const shards = initialShards(16);
    expect(shards[0]).toEqual({ shardId: 'shard-000', range: { lo: 0n, hi: HASH_SPACE / 16n } });
    expect(shards[15]?.shardId).toBe('shard-015');
    expect(shards[15]?.range.hi).toBe(HASH_SPACE);
  });

  it('rejects out-of-range input', () => {
    expect(() => partitionForHash(HASH_SPACE, 4)).toThrow(RangeError);
    expect(() => partitionForHash(-1n, 4)).toThrow(RangeError);
    expect(() => partitionRange(4, 4)).toThrow(RangeError);
    expect(() => partitionsOverlapping({ lo: 5n, hi: 5n }, 4)).toThrow(RangeError);
  });
});
