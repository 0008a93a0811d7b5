import { describe, expect, it } from 'vitest';
import { AccessAggregator, displayKey } from './access-window.aggregator.js';

describe('per-shard access windows', () => {
  it('counts reads, writes and bytes per shard, keeps a bounded sample and the top keys, and starts over when drained', () => {
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const aggregator = new AccessAggregator({ sampleSize: 4, topKeys: 2, maxTrackedKeys: 3, random });
    for (let index = 0; index < 10; index += 1)
      aggregator.record('s1', 'read', BigInt(index), index < 6 ? 'hot' : `k${index}`, 10);
    aggregator.record('s1', 'write', 99n, 'warm', 5);
    aggregator.record('s1', 'write', 98n, 'warm', 5);
    aggregator.record('s2', 'write', 7n, 'other', 1);

    const drained = aggregator.drain();
    expect(drained.get('s1')).toMatchObject({ reads: 10, writes: 2, readBytes: 100, writeBytes: 10 });
    expect(drained.get('s1')?.sampleHashes).toHaveLength(4);
    expect(drained.get('s1')?.topKeys).toEqual([
      { key: 'hot', count: 6 },
      { key: 'k6', count: 1 },
    ]);
    expect(drained.get('s2')).toMatchObject({
      reads: 0,
      writes: 1,
      sampleHashes: ['7'],
      topKeys: [{ key: 'other', count: 1 }],
    });
    expect(aggregator.drain().size).toBe(0);
  });

  it('shows a key as text, or as hex when it is not UTF-8', () => {
    expect(displayKey(Buffer.from('user/42'))).toBe('user/42');
    expect(displayKey(Buffer.from([0xff, 0x00]))).toBe('hex:ff00');
  });
});
