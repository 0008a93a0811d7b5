import { Inject, Injectable } from '@nestjs/common';
import type {
  HeatV1,
  NodeHealthEventV1,
  NodeHealthSampleV1,
  NodeLifecycleV1,
  RestoreProgressV1,
  ShardStateV1,
} from '@shardcast/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import type { HealthAggregate } from '../risk/domain/index.js';
import type { LoadBucket } from './domain/load-series.js';
import { sumIntoBuckets } from './domain/load-series.js';

export interface ShardHeatRow {
  shardId: string;
  range: { lo: bigint; hi: bigint };
  intervalStartMs: number;
  readRate: number;
  writeRate: number;
  heatClass: string;
  recentPerSecond: number;
  topKeys: { key: string; count: number }[];
  lastAccessMs: number | null;
}

export interface PlacementRow {
  shardId: string;
  epoch: number;
  status: string;
  replicas: { nodeId: string; role: string; tier: string }[];
}

export interface NodeRow {
  nodeId: string;
  zone: string | null;
  region: string | null;
  lastSampleMs: number | null;
  /** Set while the node is known to be down (failed or left, with no sample since). */
  downSinceMs: number | null;
}

/**
 * The predictor's history in its own schema. Every write deduplicates by event id in the
 * same transaction as its effect (Kafka delivers at least once), so a redelivered heat
 * event is never counted twice into a shard's load.
 */
@Injectable()
export class HistoryRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Adds heat events to the load buckets and keeps each shard's newest snapshot; returns how many were new. */
  async recordHeat(events: readonly HeatV1[], intervalMs: number): Promise<number> {
    return this.db.transaction(async (m) => {
      const fresh = await this.onlyNew(m, 'heat', events);
      if (fresh.length === 0) return 0;
      await this.addLoad(m, sumIntoBuckets(fresh, intervalMs));
      const newest = new Map<string, HeatV1>();
      for (const e of fresh) {
        const held = newest.get(e.shardId);
        if (!held || held.intervalStartMs <= e.intervalStartMs) newest.set(e.shardId, e);
      }
      const rows = [...newest.values()];
      await m.query(
        `INSERT INTO shard_heat (shard_id, range_lo, range_hi, interval_start_ms, interval_ms, read_rate, write_rate,
                                 heat_class, recent_per_second, top_keys, last_access_ms)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::float8[], $7::float8[],
                              $8::text[], $9::float8[], $10::jsonb[], $11::bigint[])
         ON CONFLICT (shard_id) DO UPDATE SET
           range_lo = EXCLUDED.range_lo, range_hi = EXCLUDED.range_hi,
           interval_start_ms = EXCLUDED.interval_start_ms, interval_ms = EXCLUDED.interval_ms,
           read_rate = EXCLUDED.read_rate, write_rate = EXCLUDED.write_rate, heat_class = EXCLUDED.heat_class,
           recent_per_second = EXCLUDED.recent_per_second, top_keys = EXCLUDED.top_keys,
           last_access_ms = GREATEST(shard_heat.last_access_ms, EXCLUDED.last_access_ms)
         WHERE shard_heat.interval_start_ms <= EXCLUDED.interval_start_ms`,
        [
          rows.map((e) => e.shardId),
          rows.map((e) => e.range.lo),
          rows.map((e) => e.range.hi),
          rows.map((e) => e.intervalStartMs),
          rows.map((e) => e.intervalMs),
          rows.map((e) => e.readRate),
          rows.map((e) => e.writeRate),
          rows.map((e) => e.class),
          rows.map((e) => ((e.counts.reads + e.counts.writes) * 1000) / e.intervalMs),
          rows.map((e) => JSON.stringify(e.topKeys.map((k) => ({ key: k.key, count: k.count })))),
          rows.map((e) => (e.counts.reads + e.counts.writes > 0 ? e.intervalStartMs + e.intervalMs : null)),
        ],
      );
      return fresh.length;
    });
  }

  /** Stores health samples and lifecycle changes; a node counts as down from a failure until it reports again. */
  async recordNodeHealth(events: readonly NodeHealthEventV1[]): Promise<number> {
    return this.db.transaction(async (m) => {
      const fresh = await this.onlyNew(m, 'node-health', events);
      const samples = fresh.filter((e): e is NodeHealthSampleV1 => e.kind === 'sample');
      const lifecycle = fresh.filter((e): e is NodeLifecycleV1 => e.kind === 'lifecycle');
      if (samples.length > 0) {
        await m.query(
          `INSERT INTO node_health_sample (node_id, at_ms, disk_read_p99_ms, disk_write_p99_ms, disk_io_errors,
                                           disk_queue_depth, cpu, memory_bytes, event_loop_delay_p99_ms, apply_lag, error_log_rate)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::float8[], $5::float8[], $6::float8[],
                                $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::float8[])
           ON CONFLICT (node_id, at_ms) DO NOTHING`,
          [
            samples.map((s) => s.nodeId),
            samples.map((s) => s.atMs),
            samples.map((s) => s.disk.readP99Ms),
            samples.map((s) => s.disk.writeP99Ms),
            samples.map((s) => s.disk.ioErrors),
            samples.map((s) => s.disk.queueDepth),
            samples.map((s) => s.cpu),
            samples.map((s) => s.memoryBytes),
            samples.map((s) => s.eventLoopDelayP99Ms),
            samples.map((s) => s.applyLag),
            samples.map((s) => s.errorLogRate),
          ],
        );
        const latest = new Map<string, NodeHealthSampleV1>();
        for (const s of samples) {
          const held = latest.get(s.nodeId);
          if (!held || held.atMs <= s.atMs) latest.set(s.nodeId, s);
        }
        for (const s of latest.values()) {
          await m.query(
            `INSERT INTO node (node_id, zone, region, last_sample_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (node_id) DO UPDATE SET
               zone = COALESCE(EXCLUDED.zone, node.zone), region = COALESCE(EXCLUDED.region, node.region),
               last_sample_ms = GREATEST(node.last_sample_ms, EXCLUDED.last_sample_ms),
               down_since_ms = CASE WHEN node.down_since_ms < EXCLUDED.last_sample_ms THEN NULL ELSE node.down_since_ms END`,
            [s.nodeId, s.zone ?? null, s.region ?? null, s.atMs],
          );
        }
      }
      for (const e of lifecycle) {
        await m.query(
          'INSERT INTO node_lifecycle_event (event_id, node_id, at_ms, change, reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
          [e.eventId, e.nodeId, e.atMs, e.change, e.reason ?? null],
        );
        const down = e.change === 'failed' || e.change === 'left';
        await m.query(
          `INSERT INTO node (node_id, down_since_ms) VALUES ($1, $2)
           ON CONFLICT (node_id) DO UPDATE SET down_since_ms = CASE
             WHEN $3 AND (node.last_sample_ms IS NULL OR node.last_sample_ms < $4) THEN $4::bigint
             WHEN NOT $3 AND (node.down_since_ms IS NULL OR node.down_since_ms <= $4) THEN NULL
             ELSE node.down_since_ms END`,
          [e.nodeId, down ? e.atMs : null, down, e.atMs],
        );
      }
      return fresh.length;
    });
  }

  /** Keeps each shard's state at its highest epoch (the topic is state-carried and compacted). */
  async recordShardStates(events: readonly ShardStateV1[]): Promise<void> {
    const newest = new Map<string, ShardStateV1>();
    for (const e of events) {
      const held = newest.get(e.shardId);
      if (!held || held.epoch <= e.epoch) newest.set(e.shardId, e);
    }
    if (newest.size === 0) return;
    const rows = [...newest.values()];
    await this.db.query(
      `INSERT INTO shard_placement (shard_id, epoch, status, replicas, at_ms)
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::jsonb[], $5::bigint[])
       ON CONFLICT (shard_id) DO UPDATE SET epoch = EXCLUDED.epoch, status = EXCLUDED.status,
         replicas = EXCLUDED.replicas, at_ms = EXCLUDED.at_ms
       WHERE shard_placement.epoch <= EXCLUDED.epoch`,
      [
        rows.map((e) => e.shardId),
        rows.map((e) => e.epoch),
        rows.map((e) => e.status),
        rows.map((e) => JSON.stringify(e.replicas)),
        rows.map((e) => e.atMs),
      ],
    );
  }

  /** Restore events are their own dedupe: one row per event id. */
  async recordRestoreProgress(events: readonly RestoreProgressV1[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.query(
      `INSERT INTO restore_history (event_id, recovery_id, failed_node, shard_id, phase, source, shards_total,
                                    shards_done, bytes_total, bytes_done, verified, at_ms)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],
                            $8::int[], $9::float8[], $10::float8[], $11::boolean[], $12::bigint[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        events.map((e) => e.eventId),
        events.map((e) => e.recoveryId),
        events.map((e) => e.failedNode),
        events.map((e) => e.shardId ?? null),
        events.map((e) => e.phase),
        events.map((e) => e.source ?? null),
        events.map((e) => e.shardsTotal),
        events.map((e) => e.shardsDone),
        events.map((e) => e.bytesTotal),
        events.map((e) => e.bytesDone),
        events.map((e) => e.verified ?? null),
        events.map((e) => e.atMs),
      ],
    );
  }

  /** Every shard's load buckets in [fromMs, toMs), grouped by shard. */
  async loadBuckets(fromMs: number, toMs: number): Promise<Map<string, LoadBucket[]>> {
    const rows: {
      shard_id: string;
      bucket_start_ms: string;
      reads: number;
      writes: number;
      bytes: number;
    }[] = await this.db.query(
      `SELECT shard_id, bucket_start_ms, reads, writes, bytes FROM shard_load
         WHERE bucket_start_ms >= $1 AND bucket_start_ms < $2 ORDER BY shard_id, bucket_start_ms`,
      [fromMs, toMs],
    );
    const byShard = new Map<string, LoadBucket[]>();
    for (const r of rows) {
      const list = byShard.get(r.shard_id) ?? [];
      list.push({
        shardId: r.shard_id,
        bucketStartMs: Number(r.bucket_start_ms),
        reads: r.reads,
        writes: r.writes,
        bytes: r.bytes,
      });
      byShard.set(r.shard_id, list);
    }
    return byShard;
  }

  async shardHeat(): Promise<Map<string, ShardHeatRow>> {
    const rows: {
      shard_id: string;
      range_lo: string;
      range_hi: string;
      interval_start_ms: string;
      read_rate: number;
      write_rate: number;
      heat_class: string;
      recent_per_second: number;
      top_keys: { key: string; count: number }[];
      last_access_ms: string | null;
    }[] = await this.db.query('SELECT * FROM shard_heat');
    return new Map(
      rows.map((r) => [
        r.shard_id,
        {
          shardId: r.shard_id,
          range: { lo: BigInt(r.range_lo), hi: BigInt(r.range_hi) },
          intervalStartMs: Number(r.interval_start_ms),
          readRate: r.read_rate,
          writeRate: r.write_rate,
          heatClass: r.heat_class,
          recentPerSecond: r.recent_per_second,
          topKeys: r.top_keys,
          lastAccessMs: r.last_access_ms === null ? null : Number(r.last_access_ms),
        },
      ]),
    );
  }

  async placements(): Promise<PlacementRow[]> {
    const rows: { shard_id: string; epoch: number; status: string; replicas: PlacementRow['replicas'] }[] =
      await this.db.query('SELECT shard_id, epoch, status, replicas FROM shard_placement ORDER BY shard_id');
    return rows.map((r) => ({ shardId: r.shard_id, epoch: r.epoch, status: r.status, replicas: r.replicas }));
  }

  async nodes(): Promise<NodeRow[]> {
    const rows: {
      node_id: string;
      zone: string | null;
      region: string | null;
      last_sample_ms: string | null;
      down_since_ms: string | null;
    }[] = await this.db.query('SELECT * FROM node ORDER BY node_id');
    return rows.map((r) => ({
      nodeId: r.node_id,
      zone: r.zone,
      region: r.region,
      lastSampleMs: r.last_sample_ms === null ? null : Number(r.last_sample_ms),
      downSinceMs: r.down_since_ms === null ? null : Number(r.down_since_ms),
    }));
  }

  /**
   * Health per node per bucket in [fromMs, toMs): latency, queue, CPU, memory and error-log
   * rate averaged, I/O errors summed, with the number of samples that arrived.
   */
  async healthAggregates(
    fromMs: number,
    toMs: number,
    bucketMs: number,
    nodeId?: string,
  ): Promise<Map<string, HealthAggregate[]>> {
    const rows: {
      node_id: string;
      bucket: string;
      read: number;
      write: number;
      io_errors: number;
      queue: number;
      cpu: number;
      memory: number;
      loop: number;
      error_log: number;
      samples: string;
    }[] = await this.db.query(
      `SELECT node_id, (at_ms / $3) * $3 AS bucket, avg(disk_read_p99_ms) AS read, avg(disk_write_p99_ms) AS write,
              sum(disk_io_errors) AS io_errors, avg(disk_queue_depth) AS queue, avg(cpu) AS cpu,
              avg(memory_bytes) AS memory, avg(event_loop_delay_p99_ms) AS loop, avg(error_log_rate) AS error_log,
              count(*) AS samples
       FROM node_health_sample
       WHERE at_ms >= $1 AND at_ms < $2 AND ($4::text IS NULL OR node_id = $4)
       GROUP BY node_id, bucket ORDER BY node_id, bucket`,
      [fromMs, toMs, bucketMs, nodeId ?? null],
    );
    const byNode = new Map<string, HealthAggregate[]>();
    for (const r of rows) {
      const list = byNode.get(r.node_id) ?? [];
      list.push({
        atMs: Number(r.bucket),
        diskReadP99Ms: Number(r.read),
        diskWriteP99Ms: Number(r.write),
        diskIoErrors: Number(r.io_errors),
        diskQueueDepth: Number(r.queue),
        cpu: Number(r.cpu),
        memoryBytes: Number(r.memory),
        eventLoopDelayP99Ms: Number(r.loop),
        errorLogRate: Number(r.error_log),
        sampleCount: Number(r.samples),
      });
      byNode.set(r.node_id, list);
    }
    return byNode;
  }

  /**
   * When each node failed: lifecycle `failed` events, and the start of each recovery the
   * restorer ran for it (a failure it detected from missed heartbeats may have no event).
   */
  async failureTimes(): Promise<Map<string, number[]>> {
    const rows: { node_id: string; at_ms: string }[] = await this.db.query(
      `SELECT node_id, at_ms FROM node_lifecycle_event WHERE change = 'failed'
       UNION ALL
       SELECT failed_node, min(at_ms) FROM restore_history GROUP BY recovery_id, failed_node`,
    );
    const byNode = new Map<string, number[]>();
    for (const r of rows) byNode.set(r.node_id, [...(byNode.get(r.node_id) ?? []), Number(r.at_ms)]);
    return byNode;
  }

  /** Whether there is anything to train on yet: any load bucket or health sample. */
  async hasHistory(): Promise<boolean> {
    const rows: { any: boolean }[] = await this.db.query(
      'SELECT EXISTS (SELECT 1 FROM shard_load) OR EXISTS (SELECT 1 FROM node_health_sample) AS any',
    );
    return rows[0]?.any === true;
  }

  /** Deletes history older than its retention; returns rows deleted per table. */
  async deleteOlderThan(historyBeforeMs: number, healthBeforeMs: number): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    const run = async (table: string, sql: string, before: number): Promise<void> => {
      const result: [unknown[], number] = await this.db.query(sql, [before]);
      deleted[table] = result[1];
    };
    await run('shard_load', 'DELETE FROM shard_load WHERE bucket_start_ms < $1', historyBeforeMs);
    await run('node_health_sample', 'DELETE FROM node_health_sample WHERE at_ms < $1', healthBeforeMs);
    await run('node_lifecycle_event', 'DELETE FROM node_lifecycle_event WHERE at_ms < $1', historyBeforeMs);
    await run('restore_history', 'DELETE FROM restore_history WHERE at_ms < $1', historyBeforeMs);
    // Ids of events older than the oldest history kept can no longer be double-counted into it.
    await run(
      'processed_event',
      'DELETE FROM processed_event WHERE processed_at < to_timestamp($1 / 1000.0)',
      Math.min(historyBeforeMs, healthBeforeMs),
    );
    return deleted;
  }

  private async addLoad(m: EntityManager, buckets: readonly LoadBucket[]): Promise<void> {
    if (buckets.length === 0) return;
    await m.query(
      `INSERT INTO shard_load (shard_id, bucket_start_ms, reads, writes, bytes)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::float8[], $5::float8[])
       ON CONFLICT (shard_id, bucket_start_ms) DO UPDATE SET
         reads = shard_load.reads + EXCLUDED.reads,
         writes = shard_load.writes + EXCLUDED.writes,
         bytes = shard_load.bytes + EXCLUDED.bytes`,
      [
        buckets.map((b) => b.shardId),
        buckets.map((b) => b.bucketStartMs),
        buckets.map((b) => b.reads),
        buckets.map((b) => b.writes),
        buckets.map((b) => b.bytes),
      ],
    );
  }

  /**
   * The events of a batch not handled before, first occurrence only: one insert marks them
   * all in the platform's processed_event table (markProcessed does one event per round trip).
   */
  private async onlyNew<T extends { eventId: string }>(
    m: EntityManager,
    topic: string,
    events: readonly T[],
  ): Promise<T[]> {
    if (events.length === 0) return [];
    const inserted: { event_id: string }[] = await m.query(
      `INSERT INTO processed_event (event_id, topic) SELECT unnest($1::text[]), $2
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [events.map((e) => e.eventId), topic],
    );
    const fresh = new Set(inserted.map((r) => r.event_id));
    return events.filter((e) => fresh.delete(e.eventId));
  }
}
