/** Exclusive upper end of the 64-bit key-hash space; a shard's `hi` may equal it. */
export const HASH_SPACE_END = 1n << 64n;

/** The half-open range `[lo, hi)` of unsigned 64-bit key hashes that one shard owns. */
export interface HashRange {
  readonly lo: bigint;
  readonly hi: bigint;
}

export const FULL_HASH_RANGE: HashRange = { lo: 0n, hi: HASH_SPACE_END };

export function assertHashRange(range: HashRange): void {
  if (!(0n <= range.lo && range.lo < range.hi && range.hi <= HASH_SPACE_END)) {
    throw new RangeError(`hash range [${range.lo}, ${range.hi}) must satisfy 0 ≤ lo < hi ≤ 2^64`);
  }
}

export function containsHash(range: HashRange, hash: bigint): boolean {
  return range.lo <= hash && hash < range.hi;
}

/** True when `at` can cut the range into two non-empty parts `[lo, at)` and `[at, hi)`. */
export function isInteriorPoint(range: HashRange, at: bigint): boolean {
  return range.lo < at && at < range.hi;
}

/** Share of the range's hashes below `at`: the split share to use when there is no load to weigh by. */
export function rangeShareBelow(range: HashRange, at: bigint): number {
  return Number(at - range.lo) / Number(range.hi - range.lo);
}

/** Bigints do not survive JSON, so persisted hashes are decimal strings. */
export function hashToState(hash: bigint): string {
  return hash.toString(10);
}

export function hashFromState(text: unknown, what: string): bigint {
  if (typeof text !== 'string' || !/^(0|[1-9][0-9]*)$/.test(text)) {
    throw new TypeError(`${what} must be an unsigned decimal string, got ${JSON.stringify(text)}`);
  }
  const hash = BigInt(text);
  if (hash > HASH_SPACE_END) throw new RangeError(`${what} ${text} is beyond 2^64`);
  return hash;
}
