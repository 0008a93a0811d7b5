import { describe, expect, it } from 'vitest';
import { FULL_HASH_RANGE } from './hash-range.js';
import type { HeatConfig } from './heat-config.js';
import { HeatMap } from './heat-map.js';
import type { AccessObservation } from './shard-heat.js';

const HALF = 1n << 63n;
const CONFIG: HeatConfig = {
  halfLifeMs: 60_000,
  thresholds: { hotEnter: 100, hotExit: 80, coldEnter: 10, coldExit: 20 },
  bucketCount: 64,
  topKeyCapacity: 4,
  minSplitSamples: 1,
  keyHash: (key) => BigInt(key.slice(1)) << 58n,
};

function reads(atMs: number, count: number, keyHashes?: bigint[]): AccessObservation {
  return { atMs, reads: count, writes: 0, readBytes: 0, writeBytes: 0, ...(keyHashes ? { keyHashes } : {}) };
}

/** A decayed count that reads as `rate` per second. */
function countForRate(rate: number): number {
  return (rate * CONFIG.halfLifeMs) / (1000 * Math.LN2);
}

function twoShards(): HeatMap {
  const map = new HeatMap(CONFIG);
  map.track('b', { lo: HALF, hi: 1n << 64n });
  map.track('a', { lo: 0n, hi: HALF });
  map.apply('a', reads(0, countForRate(5)));
  map.apply('b', reads(0, countForRate(150), [HALF + 1n, HALF + 3n]));
  return map;
}

describe('HeatMap', () => {
  it('applies observations to tracked shards and reports unknown ones', () => {
    const map = twoShards();
    expect(map.apply('a', reads(0, 1, [1n, HALF]))).toEqual({ status: 'applied', outOfRangeHashes: 1 });
    expect(map.apply('zzz', reads(0, 1))).toEqual({ status: 'unknown-shard' });
  });

  it('tracks a shard again with the same range as a no-op, and refuses a different range', () => {
    const map = twoShards();
    map.track('a', { lo: 0n, hi: HALF });
    expect(map.size).toBe(2);
    expect(map.snapshotAll(0)[0]!.opsRate).toBeCloseTo(5, 9);
    expect(() => map.track('a', { lo: 0n, hi: HALF + 1n })).toThrow(RangeError);
  });

  it('snapshots every shard in hash order with its id and class', () => {
    const reports = twoShards().snapshotAll(0);
    expect(reports.map((r) => [r.shardId, r.heatClass])).toEqual([
      ['a', 'cold'],
      ['b', 'hot'],
    ]);
    expect(reports[1]!.readRate).toBeCloseTo(150, 9);
  });

  it('splits a shard once, dividing its heat, and treats a repeated split as done', () => {
    const map = twoShards();
    expect(map.splitShard('b', HALF + 2n, 'b1', 'b2')).toBe('split');
    const [a, b1, b2] = map.snapshotAll(0);
    expect([a!.shardId, b1!.shardId, b2!.shardId]).toEqual(['a', 'b1', 'b2']);
    expect(b1!.range).toEqual({ lo: HALF, hi: HALF + 2n });
    expect(b1!.readRate + b2!.readRate).toBeCloseTo(150, 9);
    expect(map.get('b')).toBeUndefined();
    expect(map.splitShard('b', HALF + 2n, 'b1', 'b2')).toBe('already-split');
    expect(map.size).toBe(3);
    expect(map.splitShard('nope', HALF, 'x', 'y')).toBe('unknown-shard');
  });

  it('refuses a split onto ids already in use or repeated', () => {
    const map = twoShards();
    expect(() => map.splitShard('b', HALF + 2n, 'a', 'b2')).toThrow(RangeError);
    expect(() => map.splitShard('b', HALF + 2n, 'b1', 'b1')).toThrow(RangeError);
    expect(map.get('b')).toBeDefined();
  });

  it('merges adjacent shards once, combining their heat, and treats a repeated merge as done', () => {
    const map = twoShards();
    expect(map.mergeShards('a', 'b', 'ab')).toBe('merged');
    const [merged] = map.snapshotAll(0);
    expect(merged!.shardId).toBe('ab');
    expect(merged!.range).toEqual(FULL_HASH_RANGE);
    expect(merged!.readRate).toBeCloseTo(155, 9);
    expect(map.mergeShards('a', 'b', 'ab')).toBe('already-merged');
    expect(map.size).toBe(1);
  });

  it('refuses to merge shards that are not adjacent, and reports a missing side', () => {
    const map = twoShards();
    expect(() => map.mergeShards('b', 'a', 'ba')).toThrow(RangeError);
    map.untrack('b');
    expect(map.mergeShards('a', 'b', 'ab')).toBe('unknown-shard');
  });

  it('survives a JSON round trip and then evolves identically', () => {
    const map = twoShards();
    map.snapshotAll(0);
    const restored = HeatMap.fromState(JSON.parse(JSON.stringify(map.toState())), CONFIG);
    expect(restored.toState()).toEqual(map.toState());
    for (const target of [map, restored]) {
      target.apply('a', reads(30_000, 40, [7n]));
      target.splitShard('b', HALF + 2n, 'b1', 'b2');
    }
    expect(restored.snapshotAll(90_000)).toEqual(map.snapshotAll(90_000));
  });

  it('refuses state of an unknown version or with repeated shard ids', () => {
    const state = twoShards().toState();
    expect(() => HeatMap.fromState({ ...state, version: 2 as never }, CONFIG)).toThrow(TypeError);
    expect(() =>
      HeatMap.fromState({ ...state, shards: [state.shards[0]!, state.shards[0]!] }, CONFIG),
    ).toThrow(TypeError);
  });
});
