import { Registry } from 'prom-client';
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { HEADERS, encodeEvent, initialShards, type AccessSummaryV1 } from '@shardcast/contracts';
import { StageOneChannel } from '../access/stage-one-channel.js';
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

/**
 * Four shards of a quarter each; shard-00i's summaries go to partition i % 2. Stage 1 runs inline here
 * (answers come back at once); stage-one-channel.spec.ts runs it on its thread.
 */
function lane(
  partition: number,
  options: { rawFloor?: number; summaryFloor?: number; stageOne?: StageOneChannel } = {},
) {
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
    { map, home, metrics, stageOne: options.stageOne ?? new StageOneChannel('inline') },
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

function message(offset: number, value: Buffer | string | null, headers: IHeaders = {}): KafkaMessage {
  return {
    offset: String(offset),
    key: null,
    value: typeof value === 'string' ? Buffer.from(value) : value,
    headers,
    timestamp: String(T0),
    attributes: 0,
  };
}

const raw = (offset: number, key: string, op: 'read' | 'write' = 'read') =>
  message(offset, JSON.stringify({ ts: T0, key, op, bytes: 10 }));

function summaryMessage(offset: number, summary: AccessSummaryV1): KafkaMessage {
  const encoded = encodeEvent('access', summary);
  return message(offset, encoded.value, encoded.headers);
}

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

  it('summarises raw events per shard and window, and skips re-delivered offsets', async () => {
    const { lane: l } = lane(0, { rawFloor: 10 });
    l.take([raw(9, 'a')]); // below the committed offset: already published
    l.take([10, 11, 12, 13].map((offset) => raw(offset, `k${offset}`, offset % 2 ? 'write' : 'read')));
    l.take([raw(12, 'again'), raw(13, 'again')]); // a re-delivery after a rebalance
    const cut = await l.cut(T0);
    expect(cut.rawOffset).toBe(14);
    expect(cut.firstRawOffset).toBe(10);
    expect(cut.summaries.reduce((sum, s) => sum + s.reads + s.writes, 0)).toBe(4);
    expect(cut.summaries.reduce((sum, s) => sum + s.writes, 0)).toBe(2);
    expect(cut.deadLetters).toEqual([]);
  });

  it('summarises events read in place exactly as the same events decoded', async () => {
    // Keys spread over every shard, repeated, across windows open at once; Math.random replayed.
    const events = Array.from({ length: 3_000 }, (_, n) => ({
      ts: T0 + ((n * 37) % 700) - (n % 5 === 0 ? 300 : 0),
      key: n % 3 === 0 ? `hot-${n % 4}` : `user:${(n * 7919) % 500}`,
      op: n % 10 === 0 ? ('write' as const) : ('read' as const),
      bytes: n % 900,
    }));
    const summaries = async (encode: (event: (typeof events)[number]) => string) => {
      let state = 11;
      const random = vi.spyOn(Math, 'random').mockImplementation(() => {
        state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
        return state / 2 ** 31;
      });
      try {
        const { lane: l, metrics } = lane(0);
        l.take(events.map((event, offset) => message(offset, encode(event))));
        const cut = await l.cut(T0);
        expect(metrics.totals.rawEvents).toBe(events.length);
        return cut.summaries;
      } finally {
        random.mockRestore();
      }
    };
    const inPlace = await summaries((event) => JSON.stringify(event));
    // An ISO timestamp is outside the form read in place: the same events, by the general decoder.
    const decoded = await summaries((event) =>
      JSON.stringify({ ...event, ts: new Date(event.ts).toISOString() }),
    );
    expect(inPlace.length).toBeGreaterThan(4);
    expect(inPlace.some((s) => s.topKeys.length === 4)).toBe(true);
    expect(inPlace).toEqual(decoded);
  });

  it('hands back what is not a raw event, in order: summaries to stage 2, the rest as dead letters', async () => {
    const { lane: l, metrics } = lane(0);
    l.take([
      raw(0, 'a'),
      message(1, '{"ts":'),
      summaryMessage(2, summary('shard-000')),
      message(3, null),
      message(4, JSON.stringify({ ts: T0, key: 'b', op: 'read' }), { [HEADERS.event]: 'other.v1' }),
      raw(5, 'c'),
    ]);
    const cut = await l.cut(T0);
    expect(cut.rawOffset).toBe(6);
    expect(cut.deadLetters.map((letter) => letter.message.offset)).toEqual(['1', '3', '4']);
    expect(cut.deadLetters.every((letter) => letter.reason.length > 0)).toBe(true);
    expect(metrics.totals.rawEvents).toBe(2);
    expect(l.heat.previewAll(T0).find((s) => s.shardId === 'shard-000')!.readRate).toBeGreaterThan(0);
    // Taken out with the cut: the next one has none.
    expect((await l.cut(T0)).deadLetters).toEqual([]);
  });

  it('applies a summary once, and not at all below the checkpoint it was restored from', async () => {
    const { lane: l, metrics } = lane(0, { rawFloor: 0, summaryFloor: 5 });
    l.take([summaryMessage(3, summary('shard-000')), summaryMessage(5, summary('shard-000'))]); // 3: restored already
    expect(l.heat.previewAll(T0).find((s) => s.shardId === 'shard-000')!.readRate).toBeGreaterThan(0);
    const cut = await l.cut(T0);
    expect([cut.summaryOffset, cut.rawOffset]).toEqual([6, 6]);
    expect(cut.changed).toBe(true);
    expect(cut.state).toBeDefined();
    expect((await metrics.accessesApplied.get()).values[0]!.value).toBe(5);
  });

  it('drops summaries for retired or misrouted shards, and holds those of shards not announced yet', async () => {
    const { lane: l, map, metrics } = lane(0);
    map.apply({ shardId: 'shard-002', epoch: 1, range: { lo: 2n * Q, hi: 3n * Q }, status: 'retired' });
    l.reconcile(T0);
    l.take([
      summaryMessage(0, summary('shard-002')),
      summaryMessage(1, summary('shard-001')),
      summaryMessage(2, summary('shard-100')),
    ]);
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

  it('hands a retired shard’s heat over once, and takes each piece of a hand-over once', async () => {
    const source = lane(0);
    source.lane.take([
      summaryMessage(
        0,
        summary('shard-002', { reads: 100, sampleHashes: [String(2n * Q + 1n), String(3n * Q - 1n)] }),
      ),
    ]);
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
    const { handoffs } = await source.lane.cut(T0);
    expect(handoffs.map((h) => h.sourceShardId)).toEqual(['shard-002']);
    expect((await source.lane.cut(T0)).handoffs).toEqual([]);

    const open = handoffs.map((h) => ({ ...h, claimed: [] }));
    source.lane.claim(open, HEAT);
    source.lane.claim(open, HEAT); // the next tick sees the same open hand-over: nothing more is taken
    const { claims } = await source.lane.cut(T0);
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
    expect((await source.lane.cut(T0)).claims).toEqual([]);
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
