import { describe, expect, it } from 'vitest';
import { IntervalSeries } from './interval-series.js';

const access = (shardId: string, atMs: number, reads = 1) => ({
  shardId,
  atMs,
  reads,
  writes: 0,
  readBytes: 0,
  writeBytes: 0,
});

describe('IntervalSeries', () => {
  it('behaves as one interval clock while the length does not change', () => {
    const series = new IntervalSeries({ intervalMs: 1000, allowedLatenessMs: 0 });
    series.record(access('s', 100));
    const result = series.record(access('s', 1500));
    expect(
      result.status === 'accepted' && result.closed.map((c) => [c.startMs, c.endMs, c.shards[0]!.reads]),
    ).toEqual([[0, 1000, 1]]);
    expect(series.record(access('s', 900))).toMatchObject({ status: 'late' });
  });

  it('finishes the current interval under the old length, then cuts by the new one', () => {
    const series = new IntervalSeries({ intervalMs: 1000, allowedLatenessMs: 200 });
    series.record(access('s', 1100));
    series.changeInterval(400);
    expect(series.intervalMs).toBe(400);
    // Still before the boundary (2000): counted in the old [1000, 2000).
    series.record(access('s', 1900));
    const closed = series.advanceTo(3000);
    expect(closed.map((c) => [c.startMs, c.endMs])).toEqual([[1000, 2000]]);
    expect(closed[0]!.shards[0]!.reads).toBe(2);
    series.record(access('s', 3050));
    const next = series.advanceTo(3700);
    // The new intervals are aligned to 400 ms; the first one after the boundary holds events from 2000 on.
    expect(next.map((c) => [c.startMs, c.endMs])).toEqual([[2800, 3200]]);
    expect(series.toState().segments).toHaveLength(1);
  });

  it('treats an event before the boundary but past the lateness as late, in the old segment', () => {
    const series = new IntervalSeries({ intervalMs: 1000, allowedLatenessMs: 100 });
    series.record(access('s', 1500));
    series.changeInterval(500);
    series.record(access('s', 2600));
    expect(series.record(access('s', 1999))).toMatchObject({ status: 'late' });
  });

  it('just switches when nothing has been counted yet', () => {
    const series = new IntervalSeries({ intervalMs: 1000, allowedLatenessMs: 0 });
    series.changeInterval(250);
    expect(series.toState().segments).toHaveLength(1);
    series.record(access('s', 100));
    expect(series.advanceTo(300).map((c) => c.endMs)).toEqual([250]);
  });

  it('survives a JSON round trip in the middle of a change', () => {
    const series = new IntervalSeries({ intervalMs: 1000, allowedLatenessMs: 100 });
    series.record(access('s', 1200));
    series.changeInterval(500);
    const restored = IntervalSeries.fromState(JSON.parse(JSON.stringify(series.toState())));
    const closed = [access('s', 1800), access('s', 2100)].flatMap((a) => {
      const result = restored.record(a);
      return result.status === 'accepted' ? result.closed : [];
    });
    closed.push(...restored.advanceTo(2700));
    expect(closed.map((c) => [c.startMs, c.endMs, c.shards[0]!.reads])).toEqual([
      [1000, 2000, 2],
      [2000, 2500, 1],
    ]);
  });
});
