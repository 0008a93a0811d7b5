import { Inject, Injectable } from '@nestjs/common';
import type { AccessSummaryV1, HeatV1 } from '@shardcast/contracts';
import { DataSource } from 'typeorm';
import type { HashRange, PartitionHeatState, ShardHeatState } from './domain/index.js';

/** One closed interval of one shard, as the time series keeps it. */
export interface SeriesRow {
  shardId: string;
  intervalStartMs: number;
  intervalMs: number;
  reads: number;
  writes: number;
  readBytes: number;
  writeBytes: number;
  readRate: number;
  writeRate: number;
  bytesRate: number;
  heatClass: string;
  splitPoint: string | null;
}

export interface Handoff {
  sourceShardId: string;
  range: HashRange;
  state: ShardHeatState;
}

export interface Claim {
  sourceShardId: string;
  targetShardId: string;
  range: HashRange;
}

/** What one flush of a partition makes durable, all in one transaction. */
export interface PartitionCheckpoint {
  /** Summaries before this offset are in `state`. */
  nextOffset: number;
  state: PartitionHeatState;
  /** Summaries held back because their shard is not known yet, kept with the state they belong to. */
  pending: AccessSummaryV1[];
  series: SeriesRow[];
  outbox: HeatV1[];
  handoffs: Handoff[];
  claims: Claim[];
}

export interface SavedPartition {
  nextOffset: number;
  state: PartitionHeatState;
  pending: AccessSummaryV1[];
  outbox: HeatV1[];
}

export interface OpenHandoff extends Handoff {
  claimed: HashRange[];
}

/** Thrown when a newer checkpoint of the partition is stored: another instance owns it now. */
export class StaleCheckpointError extends Error {
  override readonly name = 'StaleCheckpointError';
}

@Injectable()
export class HeatRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async loadPartition(partition: number): Promise<SavedPartition | undefined> {
    const rows: { next_offset: string; state: PartitionHeatState; pending: AccessSummaryV1[] }[] =
      await this.dataSource.query(
        'SELECT next_offset, state, pending FROM partition_heat WHERE partition = $1',
        [partition],
      );
    const row = rows[0];
    if (!row) return undefined;
    const outbox: { payload: HeatV1 }[] = await this.dataSource.query(
      'SELECT payload FROM heat_outbox WHERE partition = $1 ORDER BY created_at, event_id',
      [partition],
    );
    return {
      nextOffset: Number(row.next_offset),
      state: row.state,
      pending: row.pending,
      outbox: outbox.map((r) => r.payload),
    };
  }

  /** Every partition's last checkpoint, for reads about partitions another instance owns. */
  async loadAllStates(): Promise<{ partition: number; state: PartitionHeatState; updatedAtMs: number }[]> {
    const rows: { partition: number; state: PartitionHeatState; updated_at: Date }[] =
      await this.dataSource.query(
        'SELECT partition, state, updated_at FROM partition_heat ORDER BY partition',
      );
    return rows.map((r) => ({ partition: r.partition, state: r.state, updatedAtMs: r.updated_at.getTime() }));
  }

  /**
   * Stores a flush atomically. The state only ever moves forward (a checkpoint at a lower offset than
   * the stored one comes from an instance that lost the partition, and is refused as a whole).
   */
  async checkpoint(partition: number, checkpoint: PartitionCheckpoint): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const updated: unknown[] = await manager.query(
        `INSERT INTO partition_heat (partition, next_offset, state, pending, updated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (partition) DO UPDATE
           SET next_offset = EXCLUDED.next_offset, state = EXCLUDED.state, pending = EXCLUDED.pending, updated_at = now()
           WHERE partition_heat.next_offset <= EXCLUDED.next_offset
         RETURNING partition`,
        [
          partition,
          checkpoint.nextOffset,
          JSON.stringify(checkpoint.state),
          JSON.stringify(checkpoint.pending),
        ],
      );
      if (updated.length === 0) {
        throw new StaleCheckpointError(
          `partition ${partition} has a checkpoint beyond offset ${checkpoint.nextOffset}`,
        );
      }
      if (checkpoint.series.length > 0) await this.insertSeries(manager, checkpoint.series);
      for (const event of checkpoint.outbox) {
        await manager.query(
          'INSERT INTO heat_outbox (event_id, partition, payload) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING',
          [event.eventId, partition, JSON.stringify(event)],
        );
      }
      for (const handoff of checkpoint.handoffs) {
        await manager.query(
          `INSERT INTO heat_handoff (source_shard_id, lo, hi, state) VALUES ($1, $2, $3, $4)
           ON CONFLICT (source_shard_id) DO NOTHING`,
          [
            handoff.sourceShardId,
            handoff.range.lo.toString(),
            handoff.range.hi.toString(),
            JSON.stringify(handoff.state),
          ],
        );
      }
      for (const claim of checkpoint.claims) {
        await manager.query(
          `INSERT INTO heat_handoff_claim (source_shard_id, target_shard_id, lo, hi) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [claim.sourceShardId, claim.targetShardId, claim.range.lo.toString(), claim.range.hi.toString()],
        );
      }
    });
  }

  async deleteOutbox(eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.dataSource.query('DELETE FROM heat_outbox WHERE event_id = ANY($1)', [eventIds]);
  }

  /** Hand-overs still kept, with the pieces already taken. */
  async openHandoffs(): Promise<OpenHandoff[]> {
    const rows: {
      source_shard_id: string;
      lo: string;
      hi: string;
      state: ShardHeatState;
      claimed: [string, string][] | null;
    }[] = await this.dataSource.query(
      `SELECT h.source_shard_id, h.lo::text AS lo, h.hi::text AS hi, h.state,
                (SELECT json_agg(json_build_array(c.lo::text, c.hi::text)) FROM heat_handoff_claim c
                  WHERE c.source_shard_id = h.source_shard_id) AS claimed
           FROM heat_handoff h ORDER BY h.source_shard_id`,
    );
    return rows.map((r) => ({
      sourceShardId: r.source_shard_id,
      range: { lo: BigInt(r.lo), hi: BigInt(r.hi) },
      state: r.state,
      claimed: (r.claimed ?? []).map(([lo, hi]) => ({ lo: BigInt(lo), hi: BigInt(hi) })),
    }));
  }

  /** The latest `limit` intervals of a shard, oldest first. */
  async series(shardId: string, limit: number): Promise<SeriesRow[]> {
    const rows: Record<string, string | number | null>[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT shard_id, interval_start_ms, interval_ms, reads, writes, read_bytes, write_bytes,
                read_rate, write_rate, bytes_rate, heat_class, split_point::text AS split_point
           FROM shard_interval WHERE shard_id = $1 ORDER BY interval_start_ms DESC, interval_ms LIMIT $2
       ) latest ORDER BY interval_start_ms, interval_ms`,
      [shardId, limit],
    );
    return rows.map((r) => ({
      shardId: String(r.shard_id),
      intervalStartMs: Number(r.interval_start_ms),
      intervalMs: Number(r.interval_ms),
      reads: Number(r.reads),
      writes: Number(r.writes),
      readBytes: Number(r.read_bytes),
      writeBytes: Number(r.write_bytes),
      readRate: Number(r.read_rate),
      writeRate: Number(r.write_rate),
      bytesRate: Number(r.bytes_rate),
      heatClass: String(r.heat_class),
      splitPoint: r.split_point === null ? null : String(r.split_point),
    }));
  }

  /** Drops time-series rows and hand-overs older than the retention. */
  async prune(beforeMs: number): Promise<{ intervals: number; handoffs: number }> {
    const [intervals] = await this.dataSource.query<{ n: number }[]>(
      'WITH gone AS (DELETE FROM shard_interval WHERE interval_start_ms < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone',
      [beforeMs],
    );
    const [handoffs] = await this.dataSource.query<{ n: number }[]>(
      `WITH gone AS (DELETE FROM heat_handoff WHERE created_at < to_timestamp($1 / 1000.0) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [beforeMs],
    );
    return { intervals: intervals?.n ?? 0, handoffs: handoffs?.n ?? 0 };
  }

  private async insertSeries(manager: { query: DataSource['query'] }, rows: SeriesRow[]): Promise<void> {
    const column = <T>(pick: (row: SeriesRow) => T): T[] => rows.map(pick);
    await manager.query(
      `INSERT INTO shard_interval (shard_id, interval_start_ms, interval_ms, reads, writes, read_bytes, write_bytes,
                                   read_rate, write_rate, bytes_rate, heat_class, split_point)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
                            $8::float8[], $9::float8[], $10::float8[], $11::text[], $12::numeric[])
       ON CONFLICT DO NOTHING`,
      [
        column((r) => r.shardId),
        column((r) => r.intervalStartMs),
        column((r) => r.intervalMs),
        column((r) => Math.round(r.reads)),
        column((r) => Math.round(r.writes)),
        column((r) => Math.round(r.readBytes)),
        column((r) => Math.round(r.writeBytes)),
        column((r) => r.readRate),
        column((r) => r.writeRate),
        column((r) => r.bytesRate),
        column((r) => r.heatClass),
        column((r) => r.splitPoint),
      ],
    );
  }
}
