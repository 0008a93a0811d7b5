import { Registry } from 'prom-client';
import type { Producer } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { initialShards, type AccessSummaryV1 } from '@shardcast/contracts';
import { ShardMap } from '../shard-map/domain/shard-map.js';
import { PartitionHeat, type HeatConfig } from './domain/index.js';
import { PartitionLane, subtract } from './partition-lane.js';
import { ProfilerMetrics } from './profiler.metrics.js';

const Q = 1n << 62n;
const HEAT: HeatConfig = {
  halfLifeMs: 60_000,
  thresholds: { hotEnter: 100, hotExit: 80, coldEnter: 1, coldExit: 2 },
  bucketCount: 16,
  topKeyCapacity: 8,
  minSplitSamples: 1,
  keyHash: () => 1n,
};
const T0 = 1_700_000_000_000;

/** Four shards of a quarter each; shard-00i's summaries go to partition i % 2. */
function lane(partition: number, options: { rawFloor?: number; summaryFloor?: number } = {}) {
  const map = ShardMap.initial(initialShards(4));
  const metrics = new ProfilerMetrics(new Registry());
  const home = (shardId: string) => Number(shardId.slice(-1)) % 2;
  const heat = new PartitionHeat({
    heat: HEAT,
    intervalMs: 1000,
    allowedLatenessMs: 500,
    maxFutureMs: 60_000,
  });
  const instance = new PartitionLane(
    partition,
    {} as Producer,
    heat,
    { map, home, metrics },
    {
      rawFloor: options.rawFloor ?? 0,
      summaryFloor: options.summaryFloor ?? 0,
      pending: [],
      outbox: [],
      windowMs: 250,
      sampleSize: 16,
      topKeyCount: 4,
    },
  );
  instance.reconcile(T0);
  return { lane: instance, map, metrics };
}

const raw = (key: string, op: 'read' | 'write' = 'read') =>
  Buffer.from(JSON.stringify({ ts: T0, key, op, bytes: 10 }));

function summary(shardId: string, fields: Partial<AccessSummaryV1> = {}): AccessSummaryV1 {
  return {
    kind: 'summary',
    eventId: `${shardId}-${Math.random()}`,
    node: 'node-1',
    shardId,
    windowStartMs: T0,
    windowMs: 1000,
    reads: 5,
    writes: 0,
    readBytes: 0,
    writeBytes: 0,
    sampleHashes: [],
    topKeys: [],
    ...fields,
  };
}

describe('PartitionLane', () => {
  it('tracks the shards whose summaries come to its partition', () => {
    expect(lane(0).lane.heat.shardIds().sort()).toEqual(['shard-000', 'shard-002']);
    expect(lane(1).lane.heat.shardIds().sort()).toEqual(['shard-001', 'shard-003']);
  });

  it('summarises raw events per shard and window, and skips re-delivered offsets', () => {
    const { lane: l } = lane(0, { rawFloor: 10 });
    expect(l.rawBytes(9, raw('a'))).toBe(true); // below the committed offset: already published
    for (let offset = 10; offset < 14; offset++)
      l.rawBytes(offset, raw(`k${offset}`, offset % 2 ? 'write' : 'read'));
    l.rawBytes(12, raw('again')); // a re-delivery after a rebalance
    const cut = l.cut(T0);
    expect(cut.rawOffset).toBe(14);
    expect(cut.firstRawOffset).toBe(10);
    expect(cut.summaries.reduce((sum, s) => sum + s.reads + s.writes, 0)).toBe(4);
    expect(cut.summaries.reduce((sum, s) => sum + s.writes, 0)).toBe(2);
  });

  it('summarises events read in place exactly as the same events decoded', () => {
    // Keys spread over every shard, repeated, across windows open at once; Math.random replayed.
    const events = Array.from({ length: 3_000 }, (_, n) => ({
      ts: T0 + ((n * 37) % 700) - (n % 5 === 0 ? 300 : 0),
      key: n % 3 === 0 ? `hot-${n % 4}` : `user:${(n * 7919) % 500}`,
      op: n % 10 === 0 ? ('write' as const) : ('read' as const),
      bytes: n % 900,
    }));
    const summaries = (read: (l: PartitionLane, offset: number, event: (typeof events)[number]) => void) => {
      let state = 11;
      const random = vi.spyOn(Math, 'random').mockImplementation(() => {
        state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
        return state / 2 ** 31;
      });
      try {
        const { lane: l } = lane(0);
        events.forEach((event, offset) => read(l, offset, event));
        return l.cut(T0).summaries;
      } finally {
        random.mockRestore();
      }
    };
    const inPlace = summaries((l, offset, event) => {
      expect(l.rawBytes(offset, Buffer.from(JSON.stringify(event)))).toBe(true);
    });
    const decoded = summaries((l, offset, event) => l.raw(offset, { kind: 'access', ...event }));
    expect(inPlace.length).toBeGreaterThan(4);
    expect(inPlace.some((s) => s.topKeys.length === 4)).toBe(true);
    expect(inPlace).toEqual(decoded);
  });

  it('leaves messages it cannot read in place to the general decoder', () => {
    const { lane: l } = lane(0);
    expect(l.rawBytes(0, Buffer.from('{"ts":"2016-01-15T10:00:00Z","key":"k","op":"read"}'))).toBe(false);
    expect(l.floor).toBe(0);
  });

  it('applies a summary once, and not at all below the checkpoint it was restored from', () => {
    const { lane: l, metrics } = lane(0, { rawFloor: 0, summaryFloor: 5 });
    l.summary(3, summary('shard-000'), T0); // already in the restored state
    l.summary(5, summary('shard-000'), T0);
    expect(l.heat.previewAll(T0).find((s) => s.shardId === 'shard-000')!.readRate).toBeGreaterThan(0);
    const cut = l.cut(T0);
    expect([cut.summaryOffset, cut.rawOffset]).toEqual([6, 6]);
    expect(cut.changed).toBe(true);
    return metrics.accessesApplied.get().then((m) => expect(m.values[0]!.value).toBe(5));
  });

  it('drops summaries for retired or misrouted shards, and holds those of shards not announced yet', async () => {
    const { lane: l, map, metrics } = lane(0);
    map.apply({ shardId: 'shard-002', epoch: 1, range: { lo: 2n * Q, hi: 3n * Q }, status: 'retired' });
    l.reconcile(T0);
    l.summary(0, summary('shard-002'), T0);
    l.summary(1, summary('shard-001'), T0);
    l.summary(2, summary('shard-100'), T0);
    expect(l.pendingCount).toBe(1);
    const dropped = (await metrics.summariesDropped.get()).values.map((v) => [v.labels.reason, v.value]);
    expect(dropped.sort()).toEqual([
      ['misrouted', 1],
      ['retired-shard', 1],
    ]);
    // Announced now, and at home here (id ends in 0): the held summary counts.
    map.apply({ shardId: 'shard-100', epoch: 1, range: { lo: 2n * Q, hi: 3n * Q }, status: 'active' });
    l.reconcile(T0);
    expect(l.pendingCount).toBe(0);
    expect(l.heat.previewAll(T0).find((s) => s.shardId === 'shard-100')!.opsRate).toBeGreaterThan(0);
  });

  it('hands a retired shard’s heat over once, and takes each piece of a hand-over once', () => {
    const source = lane(0);
    source.lane.summary(
      0,
      summary('shard-002', { reads: 100, sampleHashes: [String(2n * Q + 1n), String(3n * Q - 1n)] }),
      T0,
    );
    source.map.apply({
      shardId: 'shard-002',
      epoch: 1,
      range: { lo: 2n * Q, hi: 3n * Q },
      status: 'retired',
    });
    source.map.apply({
      shardId: 'shard-010',
      epoch: 1,
      range: { lo: 2n * Q, hi: 2n * Q + Q / 2n },
      status: 'active',
    });
    source.lane.reconcile(T0);
    const { handoffs } = source.lane.cut(T0);
    expect(handoffs.map((h) => h.sourceShardId)).toEqual(['shard-002']);
    expect(source.lane.cut(T0).handoffs).toEqual([]);

    const open = handoffs.map((h) => ({ ...h, claimed: [] }));
    source.lane.claim(open, HEAT);
    source.lane.claim(open, HEAT); // the next tick sees the same open hand-over: nothing more is taken
    const { claims } = source.lane.cut(T0);
    expect(claims).toEqual([
      { sourceShardId: 'shard-002', targetShardId: 'shard-010', range: { lo: 2n * Q, hi: 2n * Q + Q / 2n } },
    ]);
    const taken = source.lane.heat.previewAll(T0).find((s) => s.shardId === 'shard-010')!.readRate;
    expect(taken).toBeGreaterThan(0);
    // Another instance, which knows of the piece already taken, takes nothing more.
    source.lane.claim(
      open.map((h) => ({ ...h, claimed: claims.map((c) => c.range) })),
      HEAT,
    );
    expect(source.lane.cut(T0).claims).toEqual([]);
  });

  it('subtracts taken pieces from a range', () => {
    expect(
      subtract({ lo: 0n, hi: 100n }, [
        { lo: 10n, hi: 20n },
        { lo: 50n, hi: 200n },
      ]),
    ).toEqual([
      { lo: 0n, hi: 10n },
      { lo: 20n, hi: 50n },
    ]);
    expect(subtract(undefined, [])).toEqual([]);
    expect(subtract({ lo: 0n, hi: 10n }, [{ lo: 0n, hi: 10n }])).toEqual([]);
  });
});
