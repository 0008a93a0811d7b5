import { describe, expect, it } from 'vitest';
import { FULL_HASH_RANGE } from './hash-range.js';
import { heatMapWithHalfLife } from './half-life.js';
import type { HeatConfig } from './heat-config.js';
import { HeatMap } from './heat-map.js';

const config = (halfLifeMs: number): HeatConfig => ({
  halfLifeMs,
  thresholds: { hotEnter: 100, hotExit: 80, coldEnter: 1, coldExit: 2 },
  bucketCount: 8,
  topKeyCapacity: 4,
  minSplitSamples: 1,
  keyHash: () => 1n,
});

describe('changing the half-life of persisted heat', () => {
  it('keeps every current rate, then decays at the new half-life', () => {
    const before = new HeatMap(config(60_000));
    before.track('s', FULL_HASH_RANGE);
    before.apply('s', {
      atMs: 0,
      reads: 600,
      writes: 60,
      readBytes: 6000,
      writeBytes: 0,
      keyHashes: Array.from({ length: 12 }, (_, i) => BigInt(i + 1) << 59n),
      topKeys: [{ key: 'k', count: 50 }],
    });
    const was = before.snapshotAll(0)[0]!;

    const after = HeatMap.fromState(heatMapWithHalfLife(before.toState(), 10_000), config(10_000));
    const now = after.snapshotAll(0)[0]!;
    expect(now.readRate).toBeCloseTo(was.readRate, 9);
    expect(now.writeRate).toBeCloseTo(was.writeRate, 9);
    expect(now.bytesRate).toBeCloseTo(was.bytesRate, 9);
    expect(now.topKeys[0]!.rate).toBeCloseTo(was.topKeys[0]!.rate, 9);
    expect(now.splitPoint).toBe(was.splitPoint);
    expect(after.snapshotAll(10_000)[0]!.readRate).toBeCloseTo(was.readRate / 2, 9);
  });

  it('changes nothing when the half-life stays', () => {
    const map = new HeatMap(config(60_000));
    map.track('s', FULL_HASH_RANGE);
    const state = map.toState();
    expect(heatMapWithHalfLife(state, 60_000)).toEqual(state);
  });
});
