import { describe, expect, it } from 'vitest';
import { assembleLoadSeries, completeSeriesEndMs, sumIntoBuckets } from './load-series.js';

const MINUTE = 60_000;
const heat = (shardId: string, intervalStartMs: number, reads: number, writes = 0) => ({
  eventId: `${shardId}:${intervalStartMs}`,
  shardId,
  intervalStartMs,
  counts: { reads, writes, bytes: 10 * (reads + writes) },
});

describe('sumIntoBuckets', () => {
  it('sums heat intervals into the forecast bucket each one starts in, per shard', () => {
    const buckets = sumIntoBuckets(
      [heat('a', 0, 5, 1), heat('a', 10_000, 7), heat('a', 15 * MINUTE, 2), heat('b', 20_000, 3, 3)],
      15 * MINUTE,
    );
    expect(buckets).toEqual([
      { shardId: 'a', bucketStartMs: 0, reads: 12, writes: 1, bytes: 130 },
      { shardId: 'a', bucketStartMs: 15 * MINUTE, reads: 2, writes: 0, bytes: 20 },
      { shardId: 'b', bucketStartMs: 0, reads: 3, writes: 3, bytes: 60 },
    ]);
  });
});

describe('completeSeriesEndMs', () => {
  it('leaves out the bucket still filling, and the last one until its grace period has passed', () => {
    const interval = 15 * MINUTE;
    expect(completeSeriesEndMs(2 * interval + 5 * MINUTE, interval)).toBe(2 * interval);
    // 10 s after the bucket ended: its last heat events may still be on their way (grace 30 s).
    expect(completeSeriesEndMs(2 * interval + 10_000, interval)).toBe(interval);
    expect(completeSeriesEndMs(2 * interval + 30_000, interval)).toBe(2 * interval);
  });
});

describe('assembleLoadSeries', () => {
  it('lays buckets on the grid from the first one, a missing bucket counting as no traffic', () => {
    const series = assembleLoadSeries(
      [
        { bucketStartMs: 2 * MINUTE, reads: 4, writes: 1 },
        { bucketStartMs: 5 * MINUTE, reads: 6, writes: 0 },
        { bucketStartMs: 9 * MINUTE, reads: 100, writes: 0 },
      ],
      { fromMs: 0, toMs: 7 * MINUTE, intervalMs: MINUTE },
    );
    expect(series).toEqual({
      startMs: 2 * MINUTE,
      intervalMs: MINUTE,
      loads: [5, 0, 0, 6, 0],
      writes: [1, 0, 0, 0, 0],
    });
  });

  it('is empty when no bucket falls in the range', () => {
    expect(assembleLoadSeries([], { fromMs: 0, toMs: MINUTE, intervalMs: MINUTE }).loads).toEqual([]);
  });
});
