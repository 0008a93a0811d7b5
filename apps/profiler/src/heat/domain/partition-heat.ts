import { heatMapWithHalfLife } from './half-life.js';
import type { HashRange } from './hash-range.js';
import type { HeatConfig } from './heat-config.js';
import { HeatMap, type HeatMapState, type ShardHeatReport } from './heat-map.js';
import type { AccessCounts, ClosedInterval } from './interval-clock.js';
import { IntervalSeries, type IntervalSeriesState } from './interval-series.js';
import type { ShardHeat, ShardHeatSnapshot } from './shard-heat.js';
import { arrayOf, finiteNumber, nonNegativeNumber } from './state-fields.js';

/** One summary of accesses to one shard over a window: a storage-node's, or the profiler's own of raw events. */
export interface AccessSummary {
  eventId: string;
  shardId: string;
  windowStartMs: number;
  windowMs: number;
  reads: number;
  writes: number;
  readBytes: number;
  writeBytes: number;
  sampleHashes: readonly bigint[];
  topKeys: readonly { key: string; count: number }[];
}

export type SummaryOutcome =
  | { status: 'applied'; accesses: number; outOfRangeHashes: number }
  | { status: 'duplicate' }
  | { status: 'late'; accesses: number; lateByMs: number }
  | { status: 'future'; accesses: number; aheadByMs: number }
  | { status: 'untracked-shard' };

export interface PartitionHeatOptions {
  heat: HeatConfig;
  intervalMs: number;
  /** How far behind the watermark a summary's window may start and still be counted. */
  allowedLatenessMs: number;
  /** A window starting further than this ahead of the local clock is refused: one bad clock must not make everything late. */
  maxFutureMs: number;
}

/** A shard's heat at the end of a closed interval, with what happened inside it. */
export interface IntervalHeatReport extends ShardHeatReport {
  intervalStartMs: number;
  intervalMs: number;
  counts: AccessCounts;
}

export interface PartitionHeatState {
  version: 1;
  heat: HeatMapState;
  series: IntervalSeriesState;
  /** Summaries applied recently, by event id, with their window start: the at-least-once dedupe set. */
  recent: [string, number][];
}

const NO_COUNTS: AccessCounts = { reads: 0, writes: 0, readBytes: 0, writeBytes: 0 };

/**
 * The heat of the shards whose summaries one `access` partition carries: stage 2 of the profiler.
 *
 * Everything here is a function of the summaries in partition order, the shard ranges it is told to
 * track and the times it is given, so the instance that owns the partition can persist it, and the one
 * that owns it after a rebalance can restore it and go on as if nothing had moved.
 *
 * - A summary counts in the interval holding its window start, and decays from its window's midpoint:
 *   for accesses spread over the window that is the unbiased time, and it does not depend on how the
 *   window's accesses were cut into summaries, so one or many stage-1 instances give the same rates.
 * - Duplicates (Kafka delivers at least once) are recognised by event id for as long as they could
 *   still be counted; after that they are late anyway.
 * - The watermark is the latest window start seen. When no summary has arrived for
 *   max(allowed lateness, interval) it moves with the clock instead, so a quiet partition still
 *   closes its intervals; a backlog being replayed keeps summaries arriving, so it is not cut short.
 * - When an interval closes, every tracked shard that has ever seen an access is classified (this is
 *   the one place hysteresis advances) and reported with the interval's counts.
 */
export class PartitionHeat {
  private heat: HeatMap;
  private series: IntervalSeries;
  private readonly recent = new Map<string, number>();
  /** When a summary last arrived, or when the partition was taken on; null until either. */
  private lastArrivalMs: number | null = null;
  private reports: IntervalHeatReport[] = [];
  private options: PartitionHeatOptions;

  constructor(options: PartitionHeatOptions) {
    this.options = PartitionHeat.checked(options);
    this.heat = new HeatMap(options.heat);
    this.series = new IntervalSeries({
      intervalMs: options.intervalMs,
      allowedLatenessMs: options.allowedLatenessMs,
    });
  }

  /** Restores persisted state under the current options (a changed half-life or interval applies from here on). */
  static fromState(state: PartitionHeatState, options: PartitionHeatOptions): PartitionHeat {
    if (state.version !== 1)
      throw new TypeError(`unsupported partition heat state version ${JSON.stringify(state.version)}`);
    const partition = new PartitionHeat(options);
    partition.heat = HeatMap.fromState(
      heatMapWithHalfLife(state.heat, options.heat.halfLifeMs),
      options.heat,
    );
    partition.series = IntervalSeries.fromState(state.series);
    partition.series.changeInterval(options.intervalMs);
    for (const entry of arrayOf(state.recent, 'recent') as [string, number][]) {
      partition.recent.set(String(entry[0]), finiteNumber(entry[1], 'recent.windowStartMs'));
    }
    return partition;
  }

  private static checked(options: PartitionHeatOptions): PartitionHeatOptions {
    nonNegativeNumber(options.allowedLatenessMs, 'allowedLatenessMs');
    nonNegativeNumber(options.maxFutureMs, 'maxFutureMs');
    return options;
  }

  get intervalMs(): number {
    return this.series.intervalMs;
  }

  get watermarkMs(): number | null {
    return this.series.watermarkMs;
  }

  /** True when an access at `atMs` could no longer be counted (see `IntervalClock.isLate`). */
  isLate(atMs: number): boolean {
    return this.series.isLate(atMs);
  }

  get size(): number {
    return this.heat.size;
  }

  shardIds(): string[] {
    return this.heat.shardIds();
  }

  shard(shardId: string): ShardHeat | undefined {
    return this.heat.get(shardId);
  }

  isTracked(shardId: string): boolean {
    return this.heat.get(shardId) !== undefined;
  }

  /** Starts tracking a shard over `range`; a shard already tracked over that range is left alone. */
  track(shardId: string, range: HashRange): void {
    this.heat.track(shardId, range);
  }

  /** Stops tracking a shard and returns its heat, to be handed to the shards that replace it. */
  retire(shardId: string): ShardHeat | undefined {
    const heat = this.heat.get(shardId);
    if (heat) this.heat.untrack(shardId);
    return heat;
  }

  absorb(shardId: string, part: ShardHeat): boolean {
    return this.heat.absorb(shardId, part);
  }

  /** New half-life, thresholds or interval; decayed state is re-expressed so current rates are kept. */
  reconfigure(options: PartitionHeatOptions): void {
    const state = this.heat.toState();
    this.options = PartitionHeat.checked(options);
    this.heat = HeatMap.fromState(heatMapWithHalfLife(state, options.heat.halfLifeMs), options.heat);
    this.series.changeInterval(options.intervalMs);
  }

  applySummary(summary: AccessSummary, nowMs: number): SummaryOutcome {
    const accesses = summary.reads + summary.writes;
    if (!this.heat.get(summary.shardId)) return { status: 'untracked-shard' };
    if (this.recent.has(summary.eventId)) return { status: 'duplicate' };
    const aheadByMs = summary.windowStartMs - nowMs;
    if (aheadByMs > this.options.maxFutureMs) return { status: 'future', accesses, aheadByMs };
    this.lastArrivalMs = nowMs;
    const recorded = this.series.record({
      shardId: summary.shardId,
      atMs: summary.windowStartMs,
      reads: summary.reads,
      writes: summary.writes,
      readBytes: summary.readBytes,
      writeBytes: summary.writeBytes,
    });
    if (recorded.status === 'late') return { status: 'late', accesses, lateByMs: recorded.lateByMs };
    this.report(recorded.closed);
    this.recent.set(summary.eventId, summary.windowStartMs);
    const applied = this.heat.apply(summary.shardId, {
      atMs: summary.windowStartMs + summary.windowMs / 2,
      reads: summary.reads,
      writes: summary.writes,
      readBytes: summary.readBytes,
      writeBytes: summary.writeBytes,
      keyHashes: summary.sampleHashes,
      topKeys: summary.topKeys,
    });
    return {
      status: 'applied',
      accesses,
      outOfRangeHashes: applied.status === 'applied' ? applied.outOfRangeHashes : 0,
    };
  }

  /**
   * Starts the quiet-time clock when an instance takes the partition on: a backlog that piled up while
   * nobody owned it must get the chance to arrive before intervals are closed by the clock.
   */
  takenOn(nowMs: number): void {
    this.lastArrivalMs = nowMs;
  }

  /**
   * Called on every tick: closes intervals by the clock when the partition has been quiet (see the
   * class comment), and forgets event ids that can no longer be counted.
   */
  advance(nowMs: number): void {
    const quietForMs = Math.max(this.series.allowedLatenessMs, this.series.intervalMs);
    if (this.lastArrivalMs !== null && nowMs - this.lastArrivalMs >= quietForMs) {
      this.report(this.series.advanceTo(nowMs));
    }
    this.forgetSettled();
  }

  /** Reports of the intervals closed since the last call, oldest first. */
  takeReports(): IntervalHeatReport[] {
    const reports = this.reports;
    this.reports = [];
    return reports;
  }

  /** Every tracked shard as of `nowMs`, without moving any class (see `ShardHeat.preview`). */
  previewAll(nowMs: number): (ShardHeatSnapshot & { shardId: string })[] {
    return this.heat.shardIds().map((shardId) => ({ shardId, ...this.heat.get(shardId)!.preview(nowMs) }));
  }

  toState(): PartitionHeatState {
    return {
      version: 1,
      heat: this.heat.toState(),
      series: this.series.toState(),
      recent: [...this.recent],
    };
  }

  private report(closed: ClosedInterval[]): void {
    for (const interval of closed) {
      const counts = new Map(interval.shards.map(({ shardId, ...rest }) => [shardId, rest]));
      for (const report of this.heat.snapshotAll(interval.endMs)) {
        const shardCounts = counts.get(report.shardId);
        if (!shardCounts && this.heat.get(report.shardId)?.lastObservedMs === null) continue;
        this.reports.push({
          ...report,
          intervalStartMs: interval.startMs,
          intervalMs: interval.endMs - interval.startMs,
          counts: shardCounts ?? { ...NO_COUNTS },
        });
      }
    }
  }

  /** Ids whose window is now late cannot be counted again anyway, so the dedupe set stays small. */
  private forgetSettled(): void {
    for (const [eventId, windowStartMs] of this.recent) {
      if (this.series.isLate(windowStartMs)) this.recent.delete(eventId);
    }
  }
}
