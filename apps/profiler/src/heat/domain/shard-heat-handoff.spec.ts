import { describe, expect, it } from 'vitest';
import type { HeatConfig } from './heat-config.js';
import { ShardHeat, type AccessObservation } from './shard-heat.js';

const Q = 1n << 62n;
const CONFIG: HeatConfig = {
  halfLifeMs: 60_000,
  thresholds: { hotEnter: 100, hotExit: 80, coldEnter: 1, coldExit: 2 },
  bucketCount: 16,
  topKeyCapacity: 8,
  minSplitSamples: 1,
  // Keys name their quarter: "k2" hashes into [2Q, 3Q).
  keyHash: (key) => BigInt(key.slice(1)) * Q + 1n,
};

function reads(
  atMs: number,
  count: number,
  keyHashes: bigint[] = [],
  topKeys: { key: string; count: number }[] = [],
): AccessObservation {
  return { atMs, reads: count, writes: 0, readBytes: count, writeBytes: 0, keyHashes, topKeys };
}

/** Load spread evenly over the four quarters of the hash space. */
function wholeSpace(): ShardHeat {
  const heat = ShardHeat.create({ lo: 0n, hi: 4n * Q }, CONFIG);
  heat.apply(
    reads(
      0,
      400,
      [Q / 2n, Q + Q / 2n, 2n * Q + Q / 2n, 3n * Q + Q / 2n],
      [0, 1, 2, 3].map((i) => ({ key: `k${i}`, count: 10 })),
    ),
  );
  return heat;
}

describe('handing heat from a retired shard to the shards that replace it', () => {
  it('restricts heat to a range by its hash histogram', () => {
    const part = wholeSpace().restrictTo({ lo: Q, hi: 3n * Q });
    expect(part.range).toEqual({ lo: Q, hi: 3n * Q });
    expect(part.preview(0).readRate).toBeCloseTo(wholeSpace().preview(0).readRate / 2, 9);
    expect(
      part
        .preview(0)
        .topKeys.map((k) => k.key)
        .sort(),
    ).toEqual(['k1', 'k2']);
  });

  it('restricts to the overlap when the range reaches beyond the shard', () => {
    const half = ShardHeat.create({ lo: 0n, hi: 2n * Q }, CONFIG);
    expect(half.restrictTo({ lo: Q, hi: 4n * Q }).range).toEqual({ lo: Q, hi: 2n * Q });
    expect(() => half.restrictTo({ lo: 3n * Q, hi: 4n * Q })).toThrow(RangeError);
  });

  it('absorbs the pieces of a split parent into its children, conserving the total', () => {
    const parent = wholeSpace();
    const left = ShardHeat.create({ lo: 0n, hi: 2n * Q }, CONFIG);
    const right = ShardHeat.create({ lo: 2n * Q, hi: 4n * Q }, CONFIG);
    left.apply(reads(1000, 10, [1n]));
    const newLeft = left.absorb(parent.restrictTo(left.range));
    const newRight = right.absorb(parent.restrictTo(right.range));
    const total = newLeft.preview(1000).readRate + newRight.preview(1000).readRate;
    expect(total).toBeCloseTo(parent.preview(1000).readRate + left.preview(1000).readRate, 9);
    expect(
      newRight
        .preview(1000)
        .topKeys.map((k) => k.key)
        .sort(),
    ).toEqual(['k2', 'k3']);
  });

  it('absorbs a narrower piece into a wider shard (a merge), re-binning its histogram', () => {
    const merged = ShardHeat.create({ lo: 0n, hi: 4n * Q }, CONFIG);
    const piece = ShardHeat.create({ lo: 2n * Q, hi: 3n * Q }, CONFIG);
    piece.apply(reads(0, 100, [2n * Q + 5n]));
    const after = merged.absorb(piece);
    expect(after.preview(0).readRate).toBeCloseTo(piece.preview(0).readRate, 9);
    const weights = after.histogramAt(0).filter((b) => b.weight > 0);
    expect(weights.every((b) => b.lo >= 2n * Q && b.hi <= 3n * Q)).toBe(true);
    expect(after.preview(0).splitPoint! > 2n * Q && after.preview(0).splitPoint! < 3n * Q).toBe(true);
  });

  it('keeps the receiving shard’s class, and refuses a piece that is not inside it', () => {
    const shard = ShardHeat.create({ lo: 0n, hi: 2n * Q }, CONFIG);
    shard.apply(reads(0, 1_000_000));
    shard.snapshot(0);
    expect(shard.absorb(ShardHeat.create({ lo: 0n, hi: Q }, CONFIG)).heatClass).toBe('hot');
    expect(() => shard.absorb(ShardHeat.create({ lo: Q, hi: 3n * Q }, CONFIG))).toThrow(RangeError);
  });

  it('previews without moving the hysteresis state that snapshots advance', () => {
    const shard = ShardHeat.create({ lo: 0n, hi: Q }, CONFIG);
    shard.apply(reads(0, 1_000_000));
    expect(shard.preview(0).heatClass).toBe('hot');
    expect(shard.heatClass).toBeNull();
    shard.snapshot(0);
    expect(shard.heatClass).toBe('hot');
  });
});
