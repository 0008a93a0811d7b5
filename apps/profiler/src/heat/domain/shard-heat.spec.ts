import { describe, expect, it } from 'vitest';
import { FULL_HASH_RANGE } from './hash-range.js';
import type { HeatConfig } from './heat-config.js';
import { ShardHeat, type AccessObservation } from './shard-heat.js';

const HALF_LIFE_MS = 60_000;
const BUCKET = 1n << 58n;
const CONFIG: HeatConfig = {
  halfLifeMs: HALF_LIFE_MS,
  thresholds: { hotEnter: 100, hotExit: 80, coldEnter: 10, coldExit: 20 },
  bucketCount: 64,
  topKeyCapacity: 4,
  minSplitSamples: 50,
  // Test keys name their bucket: "k40" hashes to the start of bucket 40.
  keyHash: (key) => BigInt(key.slice(1)) * BUCKET,
};

/** Rate right after the n-th of n observations of `count` one second apart. */
function steady(count: number, n: number): number {
  const d = 2 ** (-1000 / HALF_LIFE_MS);
  return (((count * (1 - d ** n)) / (1 - d)) * Math.LN2 * 1000) / HALF_LIFE_MS;
}

/** Decayed count that moves the rate by `rate` events per second. */
function countForRate(rate: number): number {
  return (rate * HALF_LIFE_MS) / (1000 * Math.LN2);
}

function centreOf(bucket: number): bigint {
  return BigInt(bucket) * BUCKET + BUCKET / 2n;
}

function observation(atMs: number, fields: Partial<AccessObservation> = {}): AccessObservation {
  return { atMs, reads: 0, writes: 0, readBytes: 0, writeBytes: 0, ...fields };
}

/** One hash per bucket in the lower half, two per bucket in the upper half: 2/3 of the load above 2^63. */
const SKEWED_SAMPLE = [
  ...Array.from({ length: 32 }, (_, b) => centreOf(b)),
  ...Array.from({ length: 64 }, (_, i) => centreOf(32 + Math.floor(i / 2))),
];

/** Ten minutes of 150 reads, 50 writes and 2000 bytes a second, with a skewed hash sample and two hot keys. */
function busyShard(): ShardHeat {
  const heat = ShardHeat.create(FULL_HASH_RANGE, CONFIG);
  for (let i = 0; i < 600; i++) {
    heat.apply(
      observation(i * 1000, {
        reads: 150,
        writes: 50,
        readBytes: 1500,
        writeBytes: 500,
        keyHashes: SKEWED_SAMPLE,
        topKeys: [
          { key: 'k3', count: 30 },
          { key: 'k40', count: 10 },
        ],
      }),
    );
  }
  return heat;
}

const LAST_MS = 599_000;

function expectNear(actual: bigint | null, expected: bigint, tolerance: bigint): void {
  expect(actual).not.toBeNull();
  const difference = actual! > expected ? actual! - expected : expected - actual!;
  expect(difference <= tolerance, `${actual} is not within ${tolerance} of ${expected}`).toBe(true);
}

describe('ShardHeat rates and class', () => {
  it('reports decayed read, write, ops and byte rates', () => {
    const snapshot = busyShard().snapshot(LAST_MS);
    expect(snapshot.readRate).toBeCloseTo(steady(150, 600), 9);
    expect(snapshot.writeRate).toBeCloseTo(steady(50, 600), 9);
    expect(snapshot.opsRate).toBeCloseTo(steady(200, 600), 9);
    expect(snapshot.bytesRate).toBeCloseTo(steady(2000, 600), 8);
    expect(snapshot.heatClass).toBe('hot');
    expect(snapshot.atMs).toBe(LAST_MS);
  });

  it('cools through warm to cold with hysteresis once traffic stops, and resists a small rebound', () => {
    const heat = busyShard();
    const rateAtStop = heat.snapshot(LAST_MS).opsRate;
    const whenRateIs = (rate: number): number => LAST_MS + HALF_LIFE_MS * Math.log2(rateAtStop / rate);

    // Given a hot shard, when its rate halves to ~100.5, then it stays hot (above hotExit 80).
    expect(heat.snapshot(LAST_MS + HALF_LIFE_MS).heatClass).toBe('hot');
    expect(heat.snapshot(whenRateIs(81)).heatClass).toBe('hot');
    expect(heat.snapshot(whenRateIs(79)).heatClass).toBe('warm');
    expect(heat.snapshot(whenRateIs(15)).heatClass).toBe('warm');
    const coldAt = whenRateIs(9);
    expect(heat.snapshot(coldAt).heatClass).toBe('cold');

    // A rebound to 15/s stays cold (≤ coldExit 20); to 21/s it turns warm.
    heat.apply(observation(coldAt, { reads: countForRate(6) }));
    expect(heat.snapshot(coldAt).opsRate).toBeCloseTo(15, 9);
    expect(heat.snapshot(coldAt).heatClass).toBe('cold');
    heat.apply(observation(coldAt, { reads: countForRate(6) }));
    expect(heat.snapshot(coldAt).heatClass).toBe('warm');
  });

  it('gives the same snapshot when taken twice at the same instant', () => {
    const heat = busyShard();
    expect(heat.snapshot(LAST_MS + 70_000)).toEqual(heat.snapshot(LAST_MS + 70_000));
  });
});

describe('ShardHeat split point', () => {
  it('is the middle under a uniform hash sample', () => {
    const heat = ShardHeat.create(FULL_HASH_RANGE, CONFIG);
    const uniform = Array.from({ length: 64 }, (_, b) => centreOf(b));
    for (let i = 0; i < 60; i++) heat.apply(observation(i * 1000, { reads: 64, keyHashes: uniform }));
    expectNear(heat.snapshot(59_000).splitPoint, 1n << 63n, 1n << 30n);
  });

  it('moves into the hot region under a skewed sample', () => {
    // 96 equal shares: 32 below 2^63, then 2 per bucket, so half (48) is reached at the end of bucket 39.
    expectNear(busyShard().snapshot(LAST_MS).splitPoint, 40n * BUCKET, 1n << 30n);
  });

  it('is null while too few hashes have been sampled', () => {
    const heat = ShardHeat.create(FULL_HASH_RANGE, CONFIG);
    heat.apply(observation(0, { reads: 10, keyHashes: SKEWED_SAMPLE.slice(0, 40) }));
    expect(heat.snapshot(0).splitPoint).toBeNull();
    heat.apply(observation(0, { reads: 10, keyHashes: SKEWED_SAMPLE.slice(0, 40) }));
    expect(heat.snapshot(0).splitPoint).not.toBeNull();
    // 80 samples decay below 50 after log2(80/50) half-lives.
    expect(heat.snapshot(HALF_LIFE_MS).splitPoint).toBeNull();
  });

  it('counts sampled hashes outside the shard and leaves them out', () => {
    const heat = ShardHeat.create({ lo: 0n, hi: 1n << 63n }, { ...CONFIG, minSplitSamples: 1 });
    const result = heat.apply(observation(0, { reads: 3, keyHashes: [5n, 1n << 63n, (1n << 64n) - 1n] }));
    expect(result).toEqual({ outOfRangeHashes: 2 });
    expect(heat.toState().samples.decayedCount).toBe(1);
    expect(heat.toState().histogram.weights[0]).toBe(1);
  });
});

describe('ShardHeat hot keys', () => {
  it('reports each hot key’s decayed rate', () => {
    const { topKeys } = busyShard().snapshot(LAST_MS + HALF_LIFE_MS);
    expect(topKeys.map((k) => k.key)).toEqual(['k3', 'k40']);
    expect(topKeys[0]!.rate).toBeCloseTo(steady(30, 600) / 2, 9);
    expect(topKeys[1]!.rate).toBeCloseTo(steady(10, 600) / 2, 9);
    expect(topKeys.map((k) => k.errorRate)).toEqual([0, 0]);
  });

  it('adds out-of-order key counts decayed to the sketch clock', () => {
    const heat = ShardHeat.create(FULL_HASH_RANGE, CONFIG);
    heat.apply(observation(2 * HALF_LIFE_MS, { topKeys: [{ key: 'k1', count: 8 }] }));
    heat.apply(observation(0, { topKeys: [{ key: 'k1', count: 8 }] }));
    const [key] = heat.snapshot(2 * HALF_LIFE_MS).topKeys;
    expect(key!.rate).toBeCloseTo(((8 + 8 / 4) * Math.LN2) / 60, 12);
  });
});

describe('ShardHeat split and merge', () => {
  it('splits rates by the load on each side and hot keys by their hash', () => {
    const parent = busyShard();
    const before = parent.snapshot(LAST_MS);
    const [left, right] = parent.splitAt(1n << 63n);
    const l = left.snapshot(LAST_MS);
    const r = right.snapshot(LAST_MS);
    expect(l.range).toEqual({ lo: 0n, hi: 1n << 63n });
    expect(l.readRate).toBeCloseTo(before.readRate / 3, 9);
    expect(r.readRate).toBeCloseTo((2 * before.readRate) / 3, 9);
    expect(l.bytesRate + r.bytesRate).toBeCloseTo(before.bytesRate, 8);
    expect(l.topKeys.map((k) => k.key)).toEqual(['k3']);
    expect(r.topKeys.map((k) => k.key)).toEqual(['k40']);
    // Left: 67/s is below hotExit, so it leaves hot; right: 134/s stays hot.
    expect([l.heatClass, r.heatClass]).toEqual(['warm', 'hot']);
  });

  it('splits by hash-range share when nothing was sampled', () => {
    const heat = ShardHeat.create(FULL_HASH_RANGE, CONFIG);
    heat.apply(observation(0, { writes: 100 }));
    const [left] = heat.splitAt(1n << 62n);
    expect(left.snapshot(0).writeRate).toBeCloseTo(heat.snapshot(0).writeRate / 4, 12);
  });

  it('merging the two halves gives back the parent’s heat', () => {
    const parent = busyShard();
    const [left, right] = parent.splitAt(1n << 63n);
    const merged = ShardHeat.mergeAdjacent(left, right);
    const expected = parent.snapshot(LAST_MS + 5000);
    const actual = merged.snapshot(LAST_MS + 5000);
    expect(actual.range).toEqual(expected.range);
    expect(actual.readRate).toBeCloseTo(expected.readRate, 9);
    expect(actual.bytesRate).toBeCloseTo(expected.bytesRate, 8);
    expect(actual.splitPoint).toBe(expected.splitPoint);
    expect(actual.topKeys.map((k) => k.key)).toEqual(expected.topKeys.map((k) => k.key));
    expect(actual.topKeys[0]!.rate).toBeCloseTo(expected.topKeys[0]!.rate, 9);
    expect(actual.heatClass).toBe('hot');
  });

  it('refuses a split point outside the shard and shards that are not adjacent', () => {
    const heat = busyShard();
    expect(() => heat.splitAt(0n)).toThrow(RangeError);
    const a = ShardHeat.create({ lo: 0n, hi: 10n }, CONFIG);
    const b = ShardHeat.create({ lo: 11n, hi: 20n }, CONFIG);
    expect(() => ShardHeat.mergeAdjacent(a, b)).toThrow(RangeError);
  });
});

describe('ShardHeat validation and state', () => {
  it('refuses a bad config, listing every problem, and negative counts', () => {
    expect(() => ShardHeat.create(FULL_HASH_RANGE, { ...CONFIG, halfLifeMs: 0, bucketCount: 0 })).toThrow(
      /halfLifeMs must be > 0; bucketCount must be an integer ≥ 1/,
    );
    expect(() => ShardHeat.create(FULL_HASH_RANGE, CONFIG).apply(observation(0, { reads: -1 }))).toThrow(
      RangeError,
    );
  });

  it('survives a JSON round trip and then evolves identically', () => {
    const heat = busyShard();
    heat.snapshot(LAST_MS);
    const restored = ShardHeat.fromState(JSON.parse(JSON.stringify(heat.toState())), CONFIG);
    expect(restored.toState()).toEqual(heat.toState());
    expect(restored.heatClass).toBe('hot');
    const next = observation(LAST_MS + 1000, {
      reads: 7,
      keyHashes: [centreOf(9)],
      topKeys: [{ key: 'k9', count: 7 }],
    });
    restored.apply(next);
    heat.apply(next);
    expect(restored.snapshot(LAST_MS + 9000)).toEqual(heat.snapshot(LAST_MS + 9000));
  });

  it('refuses state with an unknown class', () => {
    const state = { ...ShardHeat.create(FULL_HASH_RANGE, CONFIG).toState(), heatClass: 'lukewarm' };
    expect(() => ShardHeat.fromState(state as never, CONFIG)).toThrow(TypeError);
  });
});
