/**
 * A shard's load history as the models read it: accesses (reads + writes) per forecast
 * interval, on a UTC-aligned grid, built from the profiler's heat events whatever their own
 * interval (they are summed into the bucket their interval starts in).
 */

export interface HeatCounts {
  readonly eventId: string;
  readonly shardId: string;
  readonly intervalStartMs: number;
  readonly counts: { readonly reads: number; readonly writes: number; readonly bytes: number };
}

export interface LoadBucket {
  readonly shardId: string;
  readonly bucketStartMs: number;
  readonly reads: number;
  readonly writes: number;
  readonly bytes: number;
}

export interface LoadSeries {
  /** Start of the first step. */
  readonly startMs: number;
  readonly intervalMs: number;
  /** Reads + writes per step, oldest first. */
  readonly loads: number[];
  /** Writes alone per step: what pre-fetch predictions read. */
  readonly writes: number[];
}

export function bucketStart(timeMs: number, intervalMs: number): number {
  return Math.floor(timeMs / intervalMs) * intervalMs;
}

/** Sums heat counts into (shard, bucket) cells; the caller has dropped events it already counted. */
export function sumIntoBuckets(events: readonly HeatCounts[], intervalMs: number): LoadBucket[] {
  const cells = new Map<
    string,
    { shardId: string; bucketStartMs: number; reads: number; writes: number; bytes: number }
  >();
  for (const event of events) {
    const bucketStartMs = bucketStart(event.intervalStartMs, intervalMs);
    const key = `${event.shardId}\u0000${bucketStartMs}`;
    const cell = cells.get(key) ?? { shardId: event.shardId, bucketStartMs, reads: 0, writes: 0, bytes: 0 };
    cell.reads += event.counts.reads;
    cell.writes += event.counts.writes;
    cell.bytes += event.counts.bytes;
    cells.set(key, cell);
  }
  return [...cells.values()];
}

/**
 * End (exclusive) of the last bucket a forecast may use at `nowMs`: the current bucket is
 * still filling, and the one before counts as complete only once a grace period has passed
 * for its last heat events to arrive (a tenth of the interval, at most 30 s).
 */
export function completeSeriesEndMs(nowMs: number, intervalMs: number): number {
  const grace = Math.min(intervalMs / 10, 30_000);
  return bucketStart(nowMs - grace, intervalMs);
}

/**
 * The series on the grid from the shard's first bucket at or after `fromMs` up to `toMs`
 * (exclusive). A bucket without heat is a step without accesses: the profiler reports every
 * shard it saw traffic on, so silence means no traffic. Empty when no bucket is in range.
 */
export function assembleLoadSeries(
  buckets: readonly Pick<LoadBucket, 'bucketStartMs' | 'reads' | 'writes'>[],
  range: { readonly fromMs: number; readonly toMs: number; readonly intervalMs: number },
): LoadSeries {
  const { intervalMs } = range;
  const inRange = buckets.filter((b) => b.bucketStartMs >= range.fromMs && b.bucketStartMs < range.toMs);
  if (inRange.length === 0) return { startMs: range.toMs, intervalMs, loads: [], writes: [] };
  const startMs = Math.min(...inRange.map((b) => b.bucketStartMs));
  const length = Math.ceil((range.toMs - startMs) / intervalMs);
  const loads = new Array<number>(length).fill(0);
  const writes = new Array<number>(length).fill(0);
  for (const b of inRange) {
    const i = Math.round((b.bucketStartMs - startMs) / intervalMs);
    loads[i] = (loads[i] as number) + b.reads + b.writes;
    writes[i] = (writes[i] as number) + b.writes;
  }
  return { startMs, intervalMs, loads, writes };
}
