import {
  IntervalClock,
  type ClosedInterval,
  type IntervalClockOptions,
  type IntervalClockState,
  type IntervalRecordResult,
  type TimedShardAccess,
} from './interval-clock.js';
import { arrayOf, positiveInteger, timeOrNull } from './state-fields.js';

export interface IntervalSeriesState {
  segments: { fromMs: number | null; clock: IntervalClockState }[];
}

interface Segment {
  /** First event time this segment takes; null for the oldest, which takes everything before the next. */
  fromMs: number | null;
  clock: IntervalClock;
}

/**
 * Event-time intervals whose length can be changed while running (an operator's `PUT /v1/config`).
 *
 * Changing the length never re-cuts counts already taken: the current interval, the one holding the
 * watermark, is finished under the old length, and the new length applies to events from its end B
 * on. Intervals are aligned to multiples of their length, so the first new interval may start before
 * B; it then holds only the events from B, and its row overlaps the last old one in time (rows carry
 * their length, so readers can tell). Each segment is an `IntervalClock` that sees the same watermark,
 * which keeps the lateness rule and the "closed means final" guarantee of a single clock.
 */
export class IntervalSeries {
  private segments: Segment[];

  constructor(options: IntervalClockOptions) {
    this.segments = [{ fromMs: null, clock: new IntervalClock(options) }];
  }

  static fromState(state: IntervalSeriesState): IntervalSeries {
    const segments = arrayOf(state.segments, 'segments') as IntervalSeriesState['segments'];
    if (segments.length === 0) throw new RangeError('an interval series needs at least one segment');
    const series = new IntervalSeries(segments[0]!.clock);
    series.segments = segments.map((segment, index) => ({
      fromMs: index === 0 ? null : timeOrNull(segment.fromMs, 'fromMs'),
      clock: IntervalClock.fromState(segment.clock),
    }));
    return series;
  }

  get intervalMs(): number {
    return this.current.clock.intervalMs;
  }

  get allowedLatenessMs(): number {
    return this.current.clock.allowedLatenessMs;
  }

  get watermarkMs(): number | null {
    return this.current.clock.watermarkMs;
  }

  isLate(atMs: number): boolean {
    return this.current.clock.isLate(atMs);
  }

  record(access: TimedShardAccess): IntervalRecordResult {
    const segment = this.segmentFor(access.atMs);
    const result = segment.clock.record(access);
    if (result.status === 'late') return result;
    const watermark = segment.clock.watermarkMs ?? access.atMs;
    const closed = [...result.closed, ...this.advanceOthers(segment, watermark)];
    this.prune();
    return { status: 'accepted', index: result.index, closed: IntervalSeries.oldestFirst(closed) };
  }

  /** Moves the watermark of every segment to `atMs` (never back); returns what that closes, oldest first. */
  advanceTo(atMs: number): ClosedInterval[] {
    const closed = this.segments.flatMap((segment) => segment.clock.advanceTo(atMs));
    this.prune();
    return IntervalSeries.oldestFirst(closed);
  }

  /** Switches to intervals of `intervalMs` from the end of the interval that holds the watermark. */
  changeInterval(intervalMs: number): void {
    positiveInteger(intervalMs, 'intervalMs');
    const { clock } = this.current;
    if (intervalMs === clock.intervalMs) return;
    const watermark = clock.watermarkMs;
    const fresh = IntervalClock.fromState({
      intervalMs,
      allowedLatenessMs: clock.allowedLatenessMs,
      watermarkMs: watermark,
      open: [],
    });
    if (watermark === null && this.segments.length === 1 && clock.openIntervals === 0) {
      this.segments = [{ fromMs: null, clock: fresh }];
      return;
    }
    const boundary =
      watermark === null ? 0 : (Math.floor(watermark / clock.intervalMs) + 1) * clock.intervalMs;
    this.segments.push({ fromMs: boundary, clock: fresh });
  }

  toState(): IntervalSeriesState {
    return { segments: this.segments.map(({ fromMs, clock }) => ({ fromMs, clock: clock.toState() })) };
  }

  private get current(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  private segmentFor(atMs: number): Segment {
    for (let index = this.segments.length - 1; index > 0; index--) {
      const segment = this.segments[index]!;
      if (segment.fromMs === null || atMs >= segment.fromMs) return segment;
    }
    return this.segments[0]!;
  }

  private advanceOthers(except: Segment, watermark: number): ClosedInterval[] {
    return this.segments.filter((s) => s !== except).flatMap((s) => s.clock.advanceTo(watermark));
  }

  /** An older segment is done once it holds nothing and no event can still fall into it without being late. */
  private prune(): void {
    while (this.segments.length > 1) {
      const [oldest, next] = this.segments as [Segment, Segment];
      const watermark = oldest.clock.watermarkMs;
      const doneBy = (next.fromMs ?? 0) + oldest.clock.allowedLatenessMs;
      if (oldest.clock.openIntervals > 0 || watermark === null || watermark < doneBy) return;
      this.segments.shift();
      next.fromMs = null;
    }
  }

  private static oldestFirst(closed: ClosedInterval[]): ClosedInterval[] {
    return closed.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  }
}
