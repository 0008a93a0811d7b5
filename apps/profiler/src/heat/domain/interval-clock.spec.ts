import { describe, expect, it } from 'vitest';
import { IntervalClock, type TimedShardAccess } from './interval-clock.js';

function access(
  shardId: string,
  atMs: number,
  reads = 1,
  writes = 0,
  readBytes = 0,
  writeBytes = 0,
): TimedShardAccess {
  return { shardId, atMs, reads, writes, readBytes, writeBytes };
}

describe('IntervalClock', () => {
  it('puts an event at t into interval ⌊t/interval⌋', () => {
    const clock = new IntervalClock({ intervalMs: 1000, allowedLatenessMs: 0 });
    expect(clock.indexOf(0)).toBe(0);
    expect(clock.indexOf(999)).toBe(0);
    expect(clock.indexOf(1000)).toBe(1);
    expect(clock.indexOf(1_700_000_123_456)).toBe(1_700_000_123);
  });

  it('accepts out-of-order events within the allowed lateness and rejects older ones', () => {
    const clock = new IntervalClock({ intervalMs: 1000, allowedLatenessMs: 500 });
    expect(clock.record(access('s1', 100))).toEqual({ status: 'accepted', index: 0, closed: [] });
    expect(clock.record(access('s1', 1200))).toEqual({ status: 'accepted', index: 1, closed: [] });
    // W = 1200, so anything at or after 700 still counts.
    expect(clock.record(access('s1', 900, 2))).toEqual({ status: 'accepted', index: 0, closed: [] });
    expect(clock.record(access('s1', 699))).toEqual({ status: 'late', index: 0, lateByMs: 1 });
    expect(clock.watermarkMs).toBe(1200);
  });

  it('closes an interval once the watermark passes its end plus the lateness, and emits it once', () => {
    const clock = new IntervalClock({ intervalMs: 1000, allowedLatenessMs: 500 });
    clock.record(access('s1', 100, 1, 2, 30, 40));
    clock.record(access('s2', 400, 5));
    clock.record(access('s1', 900, 1, 0, 10, 0));
    const beforeEnd = clock.record(access('s2', 1499));
    expect(beforeEnd.status === 'accepted' && beforeEnd.closed).toEqual([]);
    // Still open at W = 1499: an event at 999 is within the lateness.
    expect(clock.record(access('s1', 999)).status).toBe('accepted');
    const atEnd = clock.record(access('s2', 1500));
    expect(atEnd.status === 'accepted' && atEnd.closed).toEqual([
      {
        index: 0,
        startMs: 0,
        endMs: 1000,
        shards: [
          { shardId: 's1', reads: 3, writes: 2, readBytes: 40, writeBytes: 40 },
          { shardId: 's2', reads: 5, writes: 0, readBytes: 0, writeBytes: 0 },
        ],
      },
    ]);
    expect(clock.record(access('s1', 999))).toEqual({ status: 'late', index: 0, lateByMs: 1 });
    const later = clock.record(access('s1', 1600));
    expect(later.status === 'accepted' && later.closed).toEqual([]);
  });

  it('emits several intervals oldest first when the watermark jumps, skipping empty ones', () => {
    const clock = new IntervalClock({ intervalMs: 100, allowedLatenessMs: 300 });
    clock.record(access('s1', 250));
    clock.record(access('s1', 50));
    clock.record(access('s1', 260));
    const jump = clock.record(access('s1', 1000));
    expect(jump.status === 'accepted' && jump.closed.map((c) => [c.index, c.shards[0]!.reads])).toEqual([
      [0, 1],
      [2, 2],
    ]);
  });

  it('closes intervals on processing time when events stop, and never moves the watermark back', () => {
    const clock = new IntervalClock({ intervalMs: 1000, allowedLatenessMs: 2000 });
    clock.record(access('s1', 500));
    expect(clock.advanceTo(2999)).toEqual([]);
    expect(clock.advanceTo(3000).map((c) => c.index)).toEqual([0]);
    expect(clock.advanceTo(100)).toEqual([]);
    expect(clock.watermarkMs).toBe(3000);
  });

  it('rejects negative counts', () => {
    const clock = new IntervalClock({ intervalMs: 1000, allowedLatenessMs: 0 });
    expect(() => clock.record(access('s1', 0, -1))).toThrow(RangeError);
    expect(() => new IntervalClock({ intervalMs: 0, allowedLatenessMs: 0 })).toThrow(RangeError);
  });

  it('continues identically after a JSON round trip of its state', () => {
    const clock = new IntervalClock({ intervalMs: 1000, allowedLatenessMs: 500 });
    clock.record(access('s1', 100, 1, 1, 8, 8));
    clock.record(access('s2', 1100));
    const restored = IntervalClock.fromState(JSON.parse(JSON.stringify(clock.toState())));
    expect(restored.toState()).toEqual(clock.toState());
    for (const event of [access('s1', 600), access('s1', 200), access('s2', 2600)]) {
      expect(restored.record(event)).toEqual(clock.record(event));
    }
  });
});
