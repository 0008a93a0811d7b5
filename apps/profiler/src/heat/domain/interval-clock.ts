import { arrayOf, finiteNumber, nonNegativeNumber, positiveInteger, timeOrNull } from './state-fields.js';

export interface IntervalClockOptions {
  intervalMs: number;
  /** How far behind the watermark an event may arrive and still be counted. */
  allowedLatenessMs: number;
}

export interface AccessCounts {
  reads: number;
  writes: number;
  readBytes: number;
  writeBytes: number;
}

export interface TimedShardAccess extends AccessCounts {
  shardId: string;
  atMs: number;
}

export interface ShardIntervalCounts extends AccessCounts {
  shardId: string;
}

/** A finished interval `[startMs, endMs)`; a shard missing from `shards` had no accesses in it. */
export interface ClosedInterval {
  index: number;
  startMs: number;
  endMs: number;
  shards: ShardIntervalCounts[];
}

export type IntervalRecordResult =
  | { status: 'accepted'; index: number; closed: ClosedInterval[] }
  | { status: 'late'; index: number; lateByMs: number };

export interface IntervalClockState {
  intervalMs: number;
  allowedLatenessMs: number;
  watermarkMs: number | null;
  open: { index: number; shards: ShardIntervalCounts[] }[];
}

const COUNT_FIELDS = ['reads', 'writes', 'readBytes', 'writeBytes'] as const;

function zeroCounts(): AccessCounts {
  return { reads: 0, writes: 0, readBytes: 0, writeBytes: 0 };
}

/**
 * Event-time bucketing of access counts into fixed intervals: interval `i` is
 * `[i·intervalMs, (i+1)·intervalMs)`, so an event at `t` falls in `⌊t/intervalMs⌋`.
 *
 * The watermark W is the latest event time seen. An event older than `W − allowedLateness` is late:
 * it is rejected and returned as such so the caller can count it. Interval `i` closes, and is emitted
 * exactly once, when `W ≥ (i+1)·intervalMs + allowedLateness`. The two rules agree: every event that
 * would fall in a closed interval is late, so an emitted interval's counts are final.
 */
export class IntervalClock {
  readonly intervalMs: number;
  readonly allowedLatenessMs: number;
  private watermark: number | null = null;
  private readonly open = new Map<number, Map<string, AccessCounts>>();

  constructor(options: IntervalClockOptions) {
    this.intervalMs = positiveInteger(options.intervalMs, 'intervalMs');
    this.allowedLatenessMs = nonNegativeNumber(options.allowedLatenessMs, 'allowedLatenessMs');
  }

  static fromState(state: IntervalClockState): IntervalClock {
    const clock = new IntervalClock(state);
    clock.watermark = timeOrNull(state.watermarkMs, 'watermarkMs');
    for (const interval of arrayOf(state.open, 'open') as IntervalClockState['open']) {
      const shards = new Map<string, AccessCounts>();
      for (const { shardId, ...counts } of arrayOf(interval.shards, 'open.shards') as ShardIntervalCounts[]) {
        shards.set(shardId, IntervalClock.checkedCounts(counts));
      }
      clock.open.set(finiteNumber(interval.index, 'open.index'), shards);
    }
    return clock;
  }

  private static checkedCounts(counts: AccessCounts): AccessCounts {
    const checked = zeroCounts();
    for (const field of COUNT_FIELDS) checked[field] = nonNegativeNumber(counts[field], field);
    return checked;
  }

  /** Intervals holding counts that have not closed yet. */
  get openIntervals(): number {
    return this.open.size;
  }

  get watermarkMs(): number | null {
    return this.watermark;
  }

  indexOf(atMs: number): number {
    return Math.floor(atMs / this.intervalMs);
  }

  isLate(atMs: number): boolean {
    return this.watermark !== null && atMs < this.watermark - this.allowedLatenessMs;
  }

  record(access: TimedShardAccess): IntervalRecordResult {
    finiteNumber(access.atMs, 'atMs');
    const counts = IntervalClock.checkedCounts(access);
    const index = this.indexOf(access.atMs);
    if (this.watermark !== null && this.isLate(access.atMs)) {
      return { status: 'late', index, lateByMs: this.watermark - this.allowedLatenessMs - access.atMs };
    }
    let shards = this.open.get(index);
    if (!shards) {
      shards = new Map();
      this.open.set(index, shards);
    }
    const total = shards.get(access.shardId) ?? zeroCounts();
    for (const field of COUNT_FIELDS) total[field] += counts[field];
    shards.set(access.shardId, total);
    return { status: 'accepted', index, closed: this.advanceTo(access.atMs) };
  }

  /**
   * Moves the watermark forward to `atMs` (never back) and emits the intervals that closes, oldest
   * first. Called with processing time when no events arrive, so a quiet stream still closes intervals.
   */
  advanceTo(atMs: number): ClosedInterval[] {
    finiteNumber(atMs, 'atMs');
    if (this.watermark === null || atMs > this.watermark) this.watermark = atMs;
    const closed: ClosedInterval[] = [];
    for (const index of [...this.open.keys()].sort((a, b) => a - b)) {
      const endMs = (index + 1) * this.intervalMs;
      if (endMs + this.allowedLatenessMs > this.watermark) break;
      closed.push({ index, startMs: index * this.intervalMs, endMs, shards: this.shardCounts(index) });
      this.open.delete(index);
    }
    return closed;
  }

  toState(): IntervalClockState {
    return {
      intervalMs: this.intervalMs,
      allowedLatenessMs: this.allowedLatenessMs,
      watermarkMs: this.watermark,
      open: [...this.open.keys()]
        .sort((a, b) => a - b)
        .map((index) => ({ index, shards: this.shardCounts(index) })),
    };
  }

  private shardCounts(index: number): ShardIntervalCounts[] {
    return [...(this.open.get(index) ?? [])]
      .map(([shardId, counts]) => ({ shardId, ...counts }))
      .sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
  }
}
