/** A shard as a replica knows it: its id, its half-open hash range and the epoch it was created at. */
export interface ShardDescriptor {
  readonly shardId: string;
  readonly lo: bigint;
  /** Exclusive; at most 2^64. */
  readonly hi: bigint;
  readonly epoch: number;
}

export type Tier = 'fast' | 'slow';

export function rangeContainsHash(
  shard: { readonly lo: bigint; readonly hi: bigint },
  hash: bigint,
): boolean {
  return hash >= shard.lo && hash < shard.hi;
}

export function rangesOverlap(
  a: { readonly lo: bigint; readonly hi: bigint },
  b: { readonly lo: bigint; readonly hi: bigint },
): boolean {
  return a.lo < b.hi && b.lo < a.hi;
}

export function formatRange(range: { readonly lo: bigint; readonly hi: bigint }): string {
  return `[${range.lo}, ${range.hi})`;
}
