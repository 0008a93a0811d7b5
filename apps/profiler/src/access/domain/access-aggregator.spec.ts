import { describe, expect, it } from 'vitest';
import { AccessAggregator } from './access-aggregator.js';

/** A deterministic stand-in for Math.random (a linear congruential generator). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function aggregator(
  options: Partial<ConstructorParameters<typeof AccessAggregator>[0]> = {},
): AccessAggregator {
  return new AccessAggregator({
    windowMs: 1000,
    sampleSize: 4,
    topKeyCount: 2,
    random: seeded(1),
    ...options,
  });
}

describe('AccessAggregator (stage 1)', () => {
  it('counts reads, writes and bytes per shard and per aligned window', () => {
    const agg = aggregator();
    agg.add('s1', 1_000, 10n, 'a', false, 100);
    agg.add('s1', 1_999, 11n, 'a', true, 7);
    agg.add('s1', 2_000, 12n, 'b', false, 1);
    agg.add('s0', 1_500, 13n, undefined, false, 5);
    expect(agg.pendingAccesses).toBe(4);
    expect(
      agg
        .drain()
        .map(({ shardId, windowStartMs, reads, writes, readBytes, writeBytes }) => [
          shardId,
          windowStartMs,
          reads,
          writes,
          readBytes,
          writeBytes,
        ]),
    ).toEqual([
      ['s0', 1_000, 1, 0, 5, 0],
      ['s1', 1_000, 1, 1, 100, 7],
      ['s1', 2_000, 1, 0, 1, 0],
    ]);
  });

  it('starts afresh after a drain', () => {
    const agg = aggregator();
    agg.add('s', 0, 1n, 'k', false, 0);
    agg.drain();
    expect(agg.pendingAccesses).toBe(0);
    expect(agg.drain()).toEqual([]);
  });

  it('keeps every hash while the window has no more accesses than the sample size', () => {
    const agg = aggregator({ sampleSize: 4 });
    for (const hash of [5n, 6n, 7n]) agg.add('s', 0, hash, undefined, false, 0);
    expect(agg.drain()[0]!.sampleHashes).toEqual([5n, 6n, 7n]);
  });

  it('samples uniformly (reservoir) beyond it, never holding more than the sample size', () => {
    const hits = new Map<bigint, number>();
    for (let trial = 0; trial < 2_000; trial++) {
      const agg = aggregator({ sampleSize: 2, random: seeded(trial + 1) });
      for (let hash = 0n; hash < 8n; hash++) agg.add('s', 0, hash, undefined, false, 0);
      const [summary] = agg.drain();
      expect(summary!.sampleHashes).toHaveLength(2);
      for (const hash of summary!.sampleHashes) hits.set(hash, (hits.get(hash) ?? 0) + 1);
    }
    // Each of 8 hashes is kept with probability 2/8: 500 of 2000 trials, give or take sampling noise.
    for (let hash = 0n; hash < 8n; hash++) {
      expect(hits.get(hash)).toBeGreaterThan(400);
      expect(hits.get(hash)).toBeLessThan(600);
    }
  });

  it('reports the heaviest keys, ties broken by key whatever the arrival order', () => {
    const first = aggregator({ topKeyCount: 3 });
    const second = aggregator({ topKeyCount: 3 });
    const keys = ['d', 'hot', 'c', 'hot', 'b', 'a', 'hot', 'warm', 'warm'];
    for (const key of keys) first.add('s', 0, 1n, key, false, 0);
    for (const key of [...keys].reverse()) second.add('s', 0, 1n, key, false, 0);
    const expected = [
      { key: 'hot', count: 3 },
      { key: 'warm', count: 2 },
      { key: 'a', count: 1 },
    ];
    expect(first.drain()[0]!.topKeys).toEqual(expected);
    expect(second.drain()[0]!.topKeys).toEqual(expected);
  });

  it('picks the smallest keys among many tied ones', () => {
    const agg = aggregator({ topKeyCount: 5 });
    for (let i = 999; i >= 0; i--) agg.add('s', 0, 1n, `k${String(i).padStart(4, '0')}`, false, 0);
    expect(agg.drain()[0]!.topKeys.map((k) => k.key)).toEqual(['k0000', 'k0001', 'k0002', 'k0003', 'k0004']);
  });

  it('refuses sizes that are not positive integers', () => {
    expect(() => aggregator({ windowMs: 0 })).toThrow(RangeError);
    expect(() => aggregator({ sampleSize: 1.5 })).toThrow(RangeError);
  });
});
