import { keyHash } from '@shardcast/contracts';
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

  describe('counting keys from message bytes (addBytes)', () => {
    /** Adds `key` the hot path's way: its bytes inside a message, with its hash as halves. */
    function addBytes(
      agg: AccessAggregator,
      shardId: string,
      atMs: number,
      key: string,
      isWrite = false,
    ): void {
      const message = Buffer.from(`{"key":"${key}"}`);
      const hash = keyHash(key);
      agg.addBytes(
        shardId,
        atMs,
        Number(hash >> 32n),
        Number(hash & 0xffffffffn),
        message,
        8,
        8 + key.length,
        isWrite,
        2,
      );
    }

    it('counts exactly as add does, sample included', () => {
      const keys = ['hot', 'a', 'hot', 'b', 'hot', 'c', 'a', 'd', 'e', 'hot', 'f', 'g'];
      const byString = aggregator({ topKeyCount: 3, sampleSize: 3, random: seeded(5) });
      const byBytes = aggregator({ topKeyCount: 3, sampleSize: 3, random: seeded(5) });
      keys.forEach((key, n) => {
        byString.add('s', n * 100, keyHash(key), key, n % 3 === 0, 2);
        addBytes(byBytes, 's', n * 100, key, n % 3 === 0);
      });
      const expected = byString.drain();
      expect(expected[0]!.topKeys).toEqual([
        { key: 'hot', count: 4 },
        { key: 'a', count: 2 },
        { key: 'b', count: 1 },
      ]);
      expect(byBytes.drain()).toEqual(expected);
    });

    it('shares one count per key between the two paths', () => {
      const agg = aggregator({ topKeyCount: 2 });
      addBytes(agg, 's', 0, 'k');
      agg.add('s', 0, keyHash('k'), 'k', false, 0);
      addBytes(agg, 's', 0, 'k');
      agg.add('s', 0, keyHash('j'), 'j', false, 0);
      expect(agg.drain()[0]!.topKeys).toEqual([
        { key: 'k', count: 3 },
        { key: 'j', count: 1 },
      ]);
    });

    it('counts a key in each window and shard it is seen in, several open at once', () => {
      const agg = aggregator({ topKeyCount: 5 });
      for (const [shardId, atMs] of [
        ['s1', 0],
        ['s1', 1_000],
        ['s1', 0],
        ['s2', 1_500],
        ['s1', 1_200],
        ['s2', 1_000],
      ] as const) {
        addBytes(agg, shardId, atMs, 'k');
      }
      agg.add('s1', 1_999, keyHash('k'), 'k', false, 0);
      expect(
        agg.drain().map(({ shardId, windowStartMs, topKeys }) => [shardId, windowStartMs, topKeys]),
      ).toEqual([
        ['s1', 0, [{ key: 'k', count: 2 }]],
        ['s1', 1_000, [{ key: 'k', count: 3 }]],
        ['s2', 1_000, [{ key: 'k', count: 2 }]],
      ]);
    });

    it('tells apart keys whose hashes collide (the table is keyed by hash, confirmed by the text)', () => {
      const agg = aggregator({ topKeyCount: 3 });
      const message = Buffer.from('aaa|bbb|ccc');
      // The same (made-up) hash for three different keys.
      for (const start of [0, 4, 0, 8, 0, 4]) agg.addBytes('s', 0, 7, 9, message, start, start + 3, false, 0);
      expect(agg.drain()[0]!.topKeys).toEqual([
        { key: 'aaa', count: 3 },
        { key: 'bbb', count: 2 },
        { key: 'ccc', count: 1 },
      ]);
    });

    it('starts each drain from zero, keeping the keys it has seen', () => {
      const agg = aggregator({ topKeyCount: 2 });
      addBytes(agg, 's', 0, 'k');
      addBytes(agg, 's', 0, 'k');
      expect(agg.drain()[0]!.topKeys).toEqual([{ key: 'k', count: 2 }]);
      addBytes(agg, 's', 5_000, 'k');
      expect(agg.drain()[0]!.topKeys).toEqual([{ key: 'k', count: 1 }]);
    });

    it('keeps the keys of the last flush, and lets go of them once they are no longer seen', () => {
      const agg = aggregator();
      for (let i = 0; i < 3_000; i++) addBytes(agg, 's', 0, `k${i}`);
      agg.drain();
      expect(agg.trackedKeys).toBe(3_000);
      for (let i = 0; i < 2_000; i++) addBytes(agg, 's', 0, `k${i}`);
      agg.drain();
      expect(agg.trackedKeys).toBe(3_000);
      addBytes(agg, 's', 0, 'k1');
      agg.drain();
      expect(agg.trackedKeys).toBe(0);
      agg.drain();
      expect(agg.trackedKeys).toBe(0);
    });

    it('still counts exactly once the key table has been started afresh', () => {
      const agg = aggregator({ topKeyCount: 1 });
      for (let i = 0; i < (1 << 18) + 10; i++) agg.add('s', 0, 1n, `k${i}`, false, 0);
      agg.add('s', 0, 1n, 'k5', false, 0);
      expect(agg.drain()[0]!.topKeys).toEqual([{ key: 'k5', count: 2 }]);
      addBytes(agg, 's', 0, 'k5');
      addBytes(agg, 's', 0, 'x');
      addBytes(agg, 's', 0, 'k5');
      expect(agg.drain()[0]!.topKeys).toEqual([{ key: 'k5', count: 2 }]);
    });
  });
});
