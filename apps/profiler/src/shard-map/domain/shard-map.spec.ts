import { describe, expect, it } from 'vitest';
import { ShardMap, type ShardRecord } from './shard-map.js';

const Q = 1n << 62n; // a quarter of the hash space
const initial = [
  { shardId: 'a', range: { lo: 0n, hi: 2n * Q } },
  { shardId: 'b', range: { lo: 2n * Q, hi: 4n * Q } },
];

function record(
  shardId: string,
  epoch: number,
  lo: bigint,
  hi: bigint,
  status: ShardRecord['status'] = 'active',
): ShardRecord {
  return { shardId, epoch, range: { lo, hi }, status };
}

describe('ShardMap', () => {
  it('starts from the static map and locates every hash in it', () => {
    const map = ShardMap.initial(initial);
    expect(map.locate(0n)).toBe('a');
    expect(map.locate(2n * Q - 1n)).toBe('a');
    expect(map.locate(2n * Q)).toBe('b');
    expect(map.locate(4n * Q - 1n)).toBe('b');
    expect(map.get('a')?.epoch).toBe(-1);
  });

  it('keeps the highest epoch per shard and ignores stale or repeated records', () => {
    const map = ShardMap.initial(initial);
    expect(map.apply(record('a', 3, 0n, 2n * Q))).toBe('applied');
    expect(map.apply(record('a', 3, 0n, 2n * Q, 'retired'))).toBe('stale');
    expect(map.apply(record('a', 2, 0n, 2n * Q, 'retired'))).toBe('stale');
    expect(map.get('a')).toMatchObject({ epoch: 3, status: 'active' });
    expect(map.version).toBe(1);
  });

  it('follows a split whichever order its records arrive in, the finer shard winning while both are active', () => {
    const map = ShardMap.initial(initial);
    map.apply(record('a1', 1, 0n, Q));
    expect(map.locate(0n)).toBe('a1');
    expect(map.locate(Q)).toBe('a');
    map.apply(record('a2', 1, Q, 2n * Q));
    map.apply(record('a', 1, 0n, 2n * Q, 'retired'));
    expect([map.locate(0n), map.locate(Q), map.locate(2n * Q)]).toEqual(['a1', 'a2', 'b']);
    expect(map.active().map((r) => r.shardId)).toEqual(['a1', 'a2', 'b']);
  });

  it('follows a merge: the parts keep their accesses until they retire', () => {
    const map = ShardMap.initial(initial);
    map.apply(record('ab', 1, 0n, 4n * Q));
    expect([map.locate(0n), map.locate(3n * Q)]).toEqual(['a', 'b']);
    map.apply(record('a', 1, 0n, 2n * Q, 'retired'));
    expect([map.locate(0n), map.locate(3n * Q)]).toEqual(['ab', 'b']);
    map.apply(record('b', 1, 2n * Q, 4n * Q, 'retired'));
    expect(map.locate(3n * Q)).toBe('ab');
  });

  it('locates nothing where no active shard covers the hash', () => {
    const map = ShardMap.initial(initial);
    map.apply(record('b', 1, 2n * Q, 4n * Q, 'retired'));
    expect(map.locate(3n * Q)).toBeUndefined();
  });

  it('refuses a record with an impossible range', () => {
    expect(() => ShardMap.initial(initial).apply(record('x', 1, 5n, 5n))).toThrow(RangeError);
  });

  it('locates a hash given as 32-bit halves exactly as locate does, boundaries and gaps included', () => {
    const map = ShardMap.initial(initial);
    // A split half-announced, a boundary inside a 32-bit half, and a gap at the top of the space.
    map.apply(record('a1', 0, 0n, Q + 5n));
    map.apply(record('a2', 0, Q + 5n, 2n * Q));
    map.apply(record('b', 0, 2n * Q, 4n * Q - (1n << 33n)));
    const top = (1n << 64n) - 1n;
    const probes = [0n, 1n, Q + 4n, Q + 5n, Q + 6n, 2n * Q - 1n, 2n * Q, 4n * Q - (1n << 33n) - 1n];
    probes.push(4n * Q - (1n << 33n), top, 0xffffffffn, 1n << 32n, (Q + 5n) & ~0xffffffffn);
    for (let k = 0n; k < 200n; k++) probes.push((k * 0x9e3779b97f4a7c15n) & top);
    for (const hash of probes) {
      expect(map.locateParts(Number(hash >> 32n), Number(hash & 0xffffffffn)), String(hash)).toBe(
        map.locate(hash),
      );
    }
    expect(map.locateParts(0xffffffff, 0xffffffff)).toBeUndefined();
  });
});
