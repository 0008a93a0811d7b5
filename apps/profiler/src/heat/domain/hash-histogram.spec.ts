import { describe, expect, it } from 'vitest';
import { HashHistogram } from './hash-histogram.js';
import { FULL_HASH_RANGE, HASH_SPACE_END } from './hash-range.js';

const BUCKET = 1n << 58n; // width of each of 64 buckets over the whole 2^64 space
const OPTIONS = { bucketCount: 64, halfLifeMs: 1000 };

/** Hash at `position` buckets from the start of the full space (fractions allowed), to within 2^-20 of a bucket. */
function at(position: number): bigint {
  return BigInt(Math.round(position * 2 ** 20)) * (BUCKET >> 20n);
}

function fullHistogram(): HashHistogram {
  return new HashHistogram(FULL_HASH_RANGE, OPTIONS);
}

function expectNear(actual: bigint | null, expected: bigint, tolerance: bigint): void {
  expect(actual).not.toBeNull();
  const difference = actual! > expected ? actual! - expected : expected - actual!;
  expect(difference <= tolerance, `${actual} is not within ${tolerance} of ${expected}`).toBe(true);
}

describe('HashHistogram buckets', () => {
  it('cuts the whole space into 2^58-wide buckets', () => {
    const histogram = fullHistogram();
    expect(histogram.bucketOf(0n)).toBe(0);
    expect(histogram.bucketOf(BUCKET - 1n)).toBe(0);
    expect(histogram.bucketOf(BUCKET)).toBe(1);
    expect(histogram.bucketOf(HASH_SPACE_END - 1n)).toBe(63);
  });

  it('agrees on bounds and membership when the width does not divide evenly', () => {
    const histogram = new HashHistogram({ lo: 10n, hi: 110n }, { bucketCount: 8, halfLifeMs: 1000 });
    // Bounds are 10 + ⌈12.5·i⌉.
    expect(histogram.bucketsAt(0).map((b) => b.lo)).toEqual([10n, 23n, 35n, 48n, 60n, 73n, 85n, 98n]);
    expect(histogram.bucketsAt(0).at(-1)!.hi).toBe(110n);
    for (const bucket of histogram.bucketsAt(0)) {
      const index = histogram.bucketOf(bucket.lo);
      expect(histogram.bucketOf(bucket.hi - 1n)).toBe(index);
      if (bucket.hi < 110n) expect(histogram.bucketOf(bucket.hi)).toBe(index + 1);
    }
  });

  it('ignores, and reports, hashes outside the shard', () => {
    const histogram = new HashHistogram({ lo: 100n, hi: 200n }, OPTIONS);
    expect(histogram.add(99n, 1, 0)).toBe(false);
    expect(histogram.add(200n, 1, 0)).toBe(false);
    expect(histogram.add(100n, 1, 0)).toBe(true);
    expect(histogram.totalAt(0)).toBe(1);
  });
});

describe('HashHistogram decay', () => {
  it('decays with its half-life and adds out-of-order weight already decayed', () => {
    const histogram = fullHistogram();
    histogram.add(at(1.5), 4, 1000);
    histogram.add(at(7.5), 4, 0);
    expect(histogram.bucketsAt(1000)[1]!.weight).toBe(4);
    expect(histogram.bucketsAt(1000)[7]!.weight).toBe(2);
    expect(histogram.totalAt(1000)).toBe(6);
    expect(histogram.totalAt(3000)).toBe(1.5);
  });

  it('decays and accumulates every bucket alike across observations', () => {
    const histogram = fullHistogram();
    for (const time of [0, 1000]) {
      for (let bucket = 0; bucket < 64; bucket++) histogram.add(at(bucket + 0.5), 1, time);
    }
    expect(histogram.bucketsAt(1000).map((b) => b.weight)).toEqual(new Array(64).fill(1.5));
  });
});

describe('HashHistogram.loadWeightedMedian', () => {
  it('is null without load, or when the range cannot be cut', () => {
    expect(fullHistogram().loadWeightedMedian()).toBeNull();
    const single = new HashHistogram({ lo: 5n, hi: 6n }, OPTIONS);
    single.add(5n, 1, 0);
    expect(single.loadWeightedMedian()).toBeNull();
  });

  it('is the middle of the range under uniform load', () => {
    const histogram = fullHistogram();
    for (let bucket = 0; bucket < 64; bucket++) histogram.add(at(bucket + 0.5), 1, 0);
    expect(histogram.loadWeightedMedian()).toBe(1n << 63n);

    const uneven = new HashHistogram({ lo: 10n, hi: 110n }, { bucketCount: 8, halfLifeMs: 1000 });
    for (let hash = 10n; hash < 110n; hash++) uneven.add(hash, 1, 0);
    expect(uneven.loadWeightedMedian()).toBe(60n);
  });

  it('interpolates inside the bucket where half the load is reached', () => {
    const histogram = fullHistogram();
    histogram.add(at(10.2), 3, 0);
    histogram.add(at(40.2), 1, 0);
    histogram.add(at(50.2), 1, 0);
    // Half of 5 is 2.5, reached 2.5/3 of the way through bucket 10.
    expectNear(histogram.loadWeightedMedian(), at(10 + 5 / 6), BUCKET >> 19n);
  });

  it('lies in the hot region under skewed load', () => {
    const histogram = fullHistogram();
    for (let bucket = 0; bucket < 64; bucket++) histogram.add(at(bucket + 0.5), 1, 0);
    histogram.add(at(45.5), 64, 0);
    // Total 128: 45 below bucket 45, which holds 65, so the median is 19/65 of the way into it.
    const median = histogram.loadWeightedMedian();
    expectNear(median, at(45 + 19 / 65), BUCKET >> 19n);
    expect(histogram.bucketOf(median!)).toBe(45);
  });

  it('stays strictly inside the range', () => {
    const tiny = new HashHistogram({ lo: 0n, hi: 2n }, OPTIONS);
    tiny.add(0n, 1, 0);
    expect(tiny.loadWeightedMedian()).toBe(1n);
  });

  it('does not move as the histogram decays', () => {
    const histogram = fullHistogram();
    histogram.add(at(3.5), 2, 0);
    histogram.add(at(60.5), 1, 0);
    const before = histogram.loadWeightedMedian();
    histogram.add(at(60.5), 0, 5000);
    expect(histogram.loadWeightedMedian()).toBe(before);
  });
});

describe('HashHistogram split and merge', () => {
  function loaded(): HashHistogram {
    const histogram = fullHistogram();
    for (let bucket = 0; bucket < 64; bucket++) histogram.add(at(bucket + 0.5), bucket + 1, 0);
    return histogram;
  }

  it('split at a bucket bound halves each bucket, and merging restores every bucket exactly', () => {
    const parent = loaded();
    const [left, right] = parent.splitAt(1n << 63n);
    expect(left.range).toEqual({ lo: 0n, hi: 1n << 63n });
    expect(right.range).toEqual({ lo: 1n << 63n, hi: HASH_SPACE_END });
    expect(
      left
        .bucketsAt(0)
        .slice(0, 4)
        .map((b) => b.weight),
    ).toEqual([0.5, 0.5, 1, 1]);
    expect(left.totalAt(0)).toBe((32 * 33) / 2);
    expect(right.totalAt(0)).toBe((64 * 65) / 2 - (32 * 33) / 2);
    const merged = HashHistogram.mergeAdjacent(left, right);
    expect(merged.bucketsAt(0).map((b) => b.weight)).toEqual(parent.bucketsAt(0).map((b) => b.weight));
    expect(merged.loadWeightedMedian()).toBe(parent.loadWeightedMedian());
  });

  it('split inside a bucket shares it in proportion to the hashes on each side', () => {
    const parent = loaded();
    const [left, right] = parent.splitAt(at(16.125));
    // Buckets 0..15 weigh 1..16 (136 in all), plus 1/8 of bucket 16's 17.
    expect(left.totalAt(0)).toBeCloseTo(136 + 17 / 8, 9);
    expect(left.totalAt(0) + right.totalAt(0)).toBeCloseTo(parent.totalAt(0), 9);
  });

  it('split then merge conserves the total and keeps the median within a bucket', () => {
    const parent = loaded();
    const [left, right] = parent.splitAt(at(37.3));
    const merged = HashHistogram.mergeAdjacent(left, right);
    expect(merged.totalAt(0)).toBeCloseTo(parent.totalAt(0), 9);
    expect(merged.range).toEqual(FULL_HASH_RANGE);
    expectNear(merged.loadWeightedMedian(), parent.loadWeightedMedian()!, BUCKET);
  });

  it('aligns two histograms to the later clock when merging', () => {
    const a = new HashHistogram({ lo: 0n, hi: 1000n }, OPTIONS);
    const b = new HashHistogram({ lo: 1000n, hi: 2000n }, OPTIONS);
    a.add(10n, 8, 0);
    b.add(1500n, 2, 1000);
    const merged = HashHistogram.mergeAdjacent(a, b);
    expect(merged.totalAt(1000)).toBe(6);
    expect(merged.totalAt(2000)).toBe(3);
  });

  it('rejects split points outside the range and histograms that are not adjacent', () => {
    const histogram = new HashHistogram({ lo: 100n, hi: 200n }, OPTIONS);
    expect(() => histogram.splitAt(100n)).toThrow(RangeError);
    expect(() => histogram.splitAt(200n)).toThrow(RangeError);
    expect(() =>
      HashHistogram.mergeAdjacent(histogram, new HashHistogram({ lo: 201n, hi: 300n }, OPTIONS)),
    ).toThrow(RangeError);
  });
});

describe('HashHistogram state', () => {
  it('survives a JSON round trip, bigints as decimal strings', () => {
    const histogram = fullHistogram();
    histogram.add(at(5.5), 3, 100);
    histogram.add(at(50.5), 1, 200);
    const json = JSON.parse(JSON.stringify(histogram.toState()));
    expect(json.hi).toBe('18446744073709551616');
    const restored = HashHistogram.fromState(json);
    expect(restored.toState()).toEqual(histogram.toState());
    expect(restored.loadWeightedMedian()).toBe(histogram.loadWeightedMedian());
    expect(restored.totalAt(1200)).toBe(histogram.totalAt(1200));
  });

  it('refuses state with a bad hash or weight', () => {
    const state = fullHistogram().toState();
    expect(() => HashHistogram.fromState({ ...state, lo: '-1' })).toThrow(TypeError);
    expect(() => HashHistogram.fromState({ ...state, weights: [1, -2] })).toThrow(RangeError);
  });
});
