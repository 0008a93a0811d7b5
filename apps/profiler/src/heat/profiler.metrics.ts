import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type SummaryDropReason = 'duplicate' | 'retired-shard' | 'misrouted' | 'unknown-shard' | 'future';

/** The profiler's own Prometheus metrics, beside the shared messaging ones. */
export class ProfilerMetrics {
  readonly rawIngested: Counter;
  readonly rawUnroutable: Counter;
  readonly summariesApplied: Counter<'origin'>;
  readonly accessesApplied: Counter;
  readonly lateDropped: Counter;
  readonly summariesDropped: Counter<'reason'>;
  readonly heatPublished: Counter;
  readonly freshnessLag: Histogram;
  readonly flushSeconds: Histogram;
  readonly ownedPartitions: Gauge;
  readonly trackedShards: Gauge;
  readonly watermarkLag: Gauge<'partition'>;
  /**
   * The same counts as plain numbers, for `GET /v1/stats`: cheap enough to poll many times a second
   * (a Prometheus scrape renders every metric of the process).
   */
  readonly totals = { rawEvents: 0, accessesApplied: 0, lateAccessesDropped: 0 };

  constructor(registry: Registry) {
    const registers = [registry];
    this.rawIngested = new Counter({
      name: 'shardcast_profiler_raw_events_total',
      help: 'Raw access events taken in by stage 1 (aggregated into summaries)',
      registers,
    });
    this.rawUnroutable = new Counter({
      name: 'shardcast_profiler_raw_events_unroutable_total',
      help: 'Raw access events whose hash no active shard covered (a gap in the shard map); dropped',
      registers,
    });
    this.summariesApplied = new Counter({
      name: 'shardcast_profiler_summaries_applied_total',
      help: 'Access summaries applied to heat, by origin (profiler: made of raw events; storage-node)',
      labelNames: ['origin'],
      registers,
    });
    this.accessesApplied = new Counter({
      name: 'shardcast_profiler_accesses_applied_total',
      help: 'Accesses (reads + writes) reflected in the heat map',
      registers,
    });
    this.lateDropped = new Counter({
      name: 'shardcast_profiler_late_accesses_dropped_total',
      help: 'Accesses that arrived after their interval’s allowed lateness; counted here and dropped',
      registers,
    });
    this.summariesDropped = new Counter({
      name: 'shardcast_profiler_summaries_dropped_total',
      help: 'Summaries not applied, by reason (duplicate, retired-shard, misrouted, unknown-shard, future)',
      labelNames: ['reason'],
      registers,
    });
    this.heatPublished = new Counter({
      name: 'shardcast_profiler_heat_published_total',
      help: 'Heat snapshots published to the heat topic',
      registers,
    });
    this.freshnessLag = new Histogram({
      name: 'shardcast_profiler_freshness_lag_seconds',
      help: 'Time from the middle of a summary’s window to its accesses being reflected in the heat map',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers,
    });
    this.flushSeconds = new Histogram({
      name: 'shardcast_profiler_flush_seconds',
      help: 'Time to checkpoint one partition and publish its summaries (Postgres + Kafka transaction)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.ownedPartitions = new Gauge({
      name: 'shardcast_profiler_owned_partitions',
      help: 'access partitions this instance owns',
      registers,
    });
    this.trackedShards = new Gauge({
      name: 'shardcast_profiler_tracked_shards',
      help: 'Shards whose heat this instance holds',
      registers,
    });
    this.watermarkLag = new Gauge({
      name: 'shardcast_profiler_watermark_lag_seconds',
      help: 'Wall clock minus the event-time watermark of each owned partition',
      labelNames: ['partition'],
      registers,
    });
  }
}
