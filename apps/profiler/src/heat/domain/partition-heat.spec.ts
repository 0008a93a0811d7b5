import { describe, expect, it } from 'vitest';
import type { HeatConfig } from './heat-config.js';
import { PartitionHeat, type AccessSummary, type PartitionHeatOptions } from './partition-heat.js';

const Q = 1n << 62n;
const HEAT: HeatConfig = {
  halfLifeMs: 60_000,
  thresholds: { hotEnter: 100, hotExit: 80, coldEnter: 1, coldExit: 2 },
  bucketCount: 16,
  topKeyCapacity: 8,
  minSplitSamples: 1,
  keyHash: () => 1n,
};
const OPTIONS: PartitionHeatOptions = {
  heat: HEAT,
  intervalMs: 1000,
  allowedLatenessMs: 500,
  maxFutureMs: 60_000,
};
const T0 = 1_700_000_000_000;

let ids = 0;
function summary(fields: Partial<AccessSummary> = {}): AccessSummary {
  return {
    eventId: `e${++ids}`,
    shardId: 'a',
    windowStartMs: T0,
    windowMs: 250,
    reads: 10,
    writes: 0,
    readBytes: 100,
    writeBytes: 0,
    sampleHashes: [],
    topKeys: [],
    ...fields,
  };
}

function partition(options: PartitionHeatOptions = OPTIONS): PartitionHeat {
  const heat = new PartitionHeat(options);
  heat.track('a', { lo: 0n, hi: 2n * Q });
  heat.track('b', { lo: 2n * Q, hi: 4n * Q });
  return heat;
}

describe('PartitionHeat (stage 2)', () => {
  it('turns summaries into decayed rates, observed at the middle of their window', () => {
    const heat = partition();
    expect(heat.applySummary(summary({ reads: 30, writes: 6 }), T0)).toEqual({
      status: 'applied',
      accesses: 36,
      outOfRangeHashes: 0,
    });
    expect(heat.shard('a')!.lastObservedMs).toBe(T0 + 125);
    const rate = heat.previewAll(T0 + 125).find((s) => s.shardId === 'a')!;
    expect(rate.readRate).toBeCloseTo((30 * Math.LN2 * 1000) / HEAT.halfLifeMs, 9);
  });

  it('gives the same heat however a window’s accesses were cut into summaries', () => {
    const whole = partition();
    const cut = partition();
    const hashes = [1n, Q, Q + 7n, 3n * Q];
    whole.applySummary(
      summary({ reads: 10, sampleHashes: hashes.slice(0, 3), topKeys: [{ key: 'k', count: 4 }] }),
      T0,
    );
    cut.applySummary(
      summary({ reads: 6, sampleHashes: hashes.slice(0, 2), topKeys: [{ key: 'k', count: 3 }] }),
      T0,
    );
    cut.applySummary(
      summary({ reads: 4, sampleHashes: hashes.slice(2, 3), topKeys: [{ key: 'k', count: 1 }] }),
      T0,
    );
    const [a, b] = [whole.previewAll(T0 + 1000)[0]!, cut.previewAll(T0 + 1000)[0]!];
    expect(b.readRate).toBeCloseTo(a.readRate, 12);
    expect(b.topKeys[0]!.rate).toBeCloseTo(a.topKeys[0]!.rate, 12);
    // Weight per sampled hash differs (10/3 vs 6/2 and 4/1), so only the split side is compared.
    expect(b.splitPoint! < 2n * Q).toBe(a.splitPoint! < 2n * Q);
  });

  it('ignores a repeated summary, refuses untracked shards and windows from too far in the future', () => {
    const heat = partition();
    const once = summary();
    heat.applySummary(once, T0);
    expect(heat.applySummary(once, T0)).toEqual({ status: 'duplicate' });
    expect(heat.applySummary(summary({ shardId: 'zzz' }), T0)).toEqual({ status: 'untracked-shard' });
    expect(heat.applySummary(summary({ windowStartMs: T0 + 120_000 }), T0)).toMatchObject({
      status: 'future',
      accesses: 10,
    });
  });

  it('counts a summary that is late but within the allowed lateness, and drops an older one as late', () => {
    const heat = partition();
    heat.applySummary(summary({ windowStartMs: T0 + 2000 }), T0 + 2000);
    expect(heat.applySummary(summary({ windowStartMs: T0 + 1500 }), T0 + 2000).status).toBe('applied');
    expect(heat.applySummary(summary({ windowStartMs: T0 + 1250, reads: 7 }), T0 + 2000)).toMatchObject({
      status: 'late',
      accesses: 7,
    });
  });

  it('reports each closed interval for every shard that has seen accesses, with its counts and class', () => {
    const heat = partition();
    heat.applySummary(summary({ reads: 10 }), T0);
    heat.applySummary(
      summary({ windowStartMs: T0 + 500, reads: 5, writes: 1, readBytes: 50, writeBytes: 10 }),
      T0,
    );
    expect(heat.takeReports()).toEqual([]);
    // The watermark passes the end of [T0, T0 + 1000) plus the lateness.
    heat.applySummary(summary({ windowStartMs: T0 + 1500 }), T0);
    const reports = heat.takeReports();
    expect(reports.map((r) => [r.shardId, r.intervalStartMs, r.intervalMs, r.counts])).toEqual([
      ['a', T0, 1000, { reads: 15, writes: 1, readBytes: 150, writeBytes: 10 }],
    ]);
    expect(reports[0]!.heatClass).toBe('cold');
    expect(heat.takeReports()).toEqual([]);
  });

  it('closes intervals by the clock once the partition has been quiet, not before', () => {
    const heat = partition();
    heat.applySummary(summary(), T0);
    heat.advance(T0 + 999);
    expect(heat.takeReports()).toEqual([]);
    heat.advance(T0 + 5000);
    expect(heat.takeReports().map((r) => r.intervalStartMs)).toEqual([T0]);
  });

  it('gives a partition it just took on time to receive its backlog before closing by the clock', () => {
    const restored = PartitionHeat.fromState(partition().toState(), OPTIONS);
    restored.takenOn(T0 + 60_000);
    restored.advance(T0 + 60_100);
    expect(restored.applySummary(summary({ windowStartMs: T0 }), T0 + 60_100).status).toBe('applied');
  });

  it('carries on after a JSON round trip exactly as it would have', () => {
    const original = partition();
    original.applySummary(summary({ sampleHashes: [5n], topKeys: [{ key: 'x', count: 2 }] }), T0);
    const copy = PartitionHeat.fromState(JSON.parse(JSON.stringify(original.toState())), OPTIONS);
    const repeat = summary({ eventId: 'e1' });
    expect(copy.applySummary(repeat, T0)).toEqual(original.applySummary(repeat, T0));
    for (const heat of [original, copy])
      heat.applySummary(summary({ eventId: 'next', windowStartMs: T0 + 2000 }), T0);
    expect(copy.takeReports()).toEqual(original.takeReports());
    expect(copy.toState()).toEqual(original.toState());
  });

  it('takes new settings: current rates kept under a new half-life, thresholds from the next close', () => {
    const heat = partition();
    heat.applySummary(summary({ reads: 6000 }), T0);
    const before = heat.previewAll(T0)[0]!.readRate;
    heat.reconfigure({
      ...OPTIONS,
      heat: {
        ...HEAT,
        halfLifeMs: 30_000,
        thresholds: { hotEnter: 10, hotExit: 8, coldEnter: 1, coldExit: 2 },
      },
    });
    expect(heat.previewAll(T0)[0]!.readRate).toBeCloseTo(before, 9);
    expect(heat.previewAll(T0 + 125 + 30_000)[0]!.readRate).toBeCloseTo(before / 2, 9);
    heat.applySummary(summary({ windowStartMs: T0 + 2000 }), T0);
    expect(heat.takeReports().find((r) => r.shardId === 'a')!.heatClass).toBe('hot');
  });

  it('hands a retired shard’s heat over and takes pieces of others', () => {
    const heat = partition();
    heat.applySummary(summary({ shardId: 'b', reads: 100, sampleHashes: [3n * Q] }), T0);
    const retired = heat.retire('b')!;
    expect(heat.isTracked('b')).toBe(false);
    heat.track('b2', { lo: 3n * Q, hi: 4n * Q });
    expect(heat.absorb('b2', retired.restrictTo({ lo: 3n * Q, hi: 4n * Q }))).toBe(true);
    expect(heat.previewAll(T0).find((s) => s.shardId === 'b2')!.readRate).toBeCloseTo(
      retired.preview(T0).readRate,
      9,
    );
  });
});
