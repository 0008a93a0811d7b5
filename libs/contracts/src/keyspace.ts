import { xxh64 } from '@node-rs/xxhash';

/**
 * The keyspace of DESIGN.md: a key's position is h = xxhash64(key, seed 0), an unsigned
 * 64-bit integer. Partition i of a topic with P partitions owns the static hash range
 * [ceil(i·2⁶⁴/P), ceil((i+1)·2⁶⁴/P)); with ceilings the owner of h is exactly
 * floor(h·P / 2⁶⁴), so the range table and the fast formula can never disagree.
 */
export const HASH_SPACE = 1n << 64n;

export interface HashRange {
  /** Inclusive lower bound. */
  lo: bigint;
  /** Exclusive upper bound, at most 2⁶⁴. */
  hi: bigint;
}

export function keyHash(key: Uint8Array | string): bigint {
  return xxh64(typeof key === 'string' ? Buffer.from(key, 'utf8') : key, 0n);
}

export function partitionForHash(hash: bigint, partitionCount: number): number {
  assertPartitionCount(partitionCount);
  if (hash < 0n || hash >= HASH_SPACE) throw new RangeError(`hash ${hash} is outside [0, 2^64)`);
  return Number((hash * BigInt(partitionCount)) >> 64n);
}

export function partitionForKey(key: Uint8Array | string, partitionCount: number): number {
  return partitionForHash(keyHash(key), partitionCount);
}

export function partitionRange(partition: number, partitionCount: number): HashRange {
  assertPartitionCount(partitionCount);
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
    throw new RangeError(`partition ${partition} is outside [0, ${partitionCount})`);
  }
  return { lo: ceilBoundary(partition, partitionCount), hi: ceilBoundary(partition + 1, partitionCount) };
}

/** The partitions whose static ranges intersect [lo, hi): what a replica of that shard must consume. */
export function partitionsOverlapping(range: HashRange, partitionCount: number): number[] {
  assertRange(range);
  const first = partitionForHash(range.lo, partitionCount);
  const last = partitionForHash(range.hi - 1n, partitionCount);
  const partitions: number[] = [];
  for (let p = first; p <= last; p += 1) partitions.push(p);
  return partitions;
}

/** Splits the whole hash space into `count` equal adjacent ranges (the static map a node starts with). */
export function evenRanges(count: number): HashRange[] {
  assertPartitionCount(count);
  return Array.from({ length: count }, (_, i) => ({
    lo: ceilBoundary(i, count),
    hi: ceilBoundary(i + 1, count),
  }));
}

/**
 * The shard map a cluster starts with before the shard-manager has changed anything:
 * `count` equal shards named shard-000, shard-001, … Every service derives the same map
 * from the same count.
 */
export function initialShards(count: number): { shardId: string; range: HashRange }[] {
  return evenRanges(count).map((range, i) => ({ shardId: `shard-${String(i).padStart(3, '0')}`, range }));
}

export function rangeContains(range: HashRange, hash: bigint): boolean {
  return hash >= range.lo && hash < range.hi;
}

export function assertRange(range: HashRange): void {
  if (range.lo < 0n || range.hi > HASH_SPACE || range.lo >= range.hi) {
    throw new RangeError(`invalid hash range [${range.lo}, ${range.hi})`);
  }
}

/** A u64 as a fixed-width hex string: sorts like the number, readable in logs and JSON. */
export function hashToHex(hash: bigint): string {
  return hash.toString(16).padStart(16, '0');
}

function ceilBoundary(i: number, count: number): bigint {
  const numerator = BigInt(i) * HASH_SPACE;
  const n = BigInt(count);
  return (numerator + n - 1n) / n;
}

function assertPartitionCount(partitionCount: number): void {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partition count must be a positive integer, got ${partitionCount}`);
  }
}
