import { Inject, Injectable } from '@nestjs/common';
import type { ForecastV1 } from '@shardcast/contracts';
import { DataSource } from 'typeorm';
import type { UpdateWindowPrediction } from './domain/index.js';

export interface StoredForecast {
  event: ForecastV1;
  /** The shard's next bulk-update window, when one was predicted with enough confidence. */
  prefetch: UpdateWindowPrediction | null;
}

/** The latest forecast of each shard, as published, for the admin API. */
@Injectable()
export class ForecastingRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async save(forecasts: readonly StoredForecast[]): Promise<void> {
    if (forecasts.length === 0) return;
    await this.db.query(
      `INSERT INTO shard_forecast (shard_id, event, prefetch, produced_at_ms)
       SELECT * FROM unnest($1::text[], $2::jsonb[], $3::jsonb[], $4::bigint[])
       ON CONFLICT (shard_id) DO UPDATE SET event = EXCLUDED.event, prefetch = EXCLUDED.prefetch,
         produced_at_ms = EXCLUDED.produced_at_ms`,
      [
        forecasts.map((f) => f.event.shardId),
        forecasts.map((f) => JSON.stringify(f.event)),
        forecasts.map((f) => (f.prefetch ? JSON.stringify(f.prefetch) : null)),
        forecasts.map((f) => f.event.producedAtMs),
      ],
    );
  }

  async latest(shardId?: string): Promise<StoredForecast[]> {
    return this.db.query(
      'SELECT event, prefetch FROM shard_forecast WHERE $1::text IS NULL OR shard_id = $1 ORDER BY shard_id',
      [shardId ?? null],
    );
  }
}
