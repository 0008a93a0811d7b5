import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ForecastMetrics, HoltWintersParameters } from '../forecasting/domain/index.js';
import type { ForecastModelName } from '../forecasting/forecast-model.catalog.js';
import type { SavedLstmNetwork } from '../forecasting/lstm/lstm-network.js';
import type { StoredFailureModel } from '../risk/failure-classifier.catalog.js';

export type ModelVersionStatus = 'training' | 'serving' | 'superseded' | 'failed';

/** One model's backtest on one shard, or why it was not run. */
export interface ShardBacktest {
  readonly model: ForecastModelName;
  readonly metrics?: ForecastMetrics;
  readonly folds?: number;
  readonly skipped?: string;
}

export interface ShardModelRecord {
  readonly shardId: string;
  readonly servingModel: ForecastModelName;
  readonly holtWinters: HoltWintersParameters | null;
  readonly backtests: readonly ShardBacktest[];
}

/** What a finished training run stores. */
export interface TrainedVersion {
  readonly backend: string | null;
  readonly lstm: SavedLstmNetwork | null;
  readonly lstmReport: Record<string, unknown>;
  readonly failureModel: StoredFailureModel | null;
  readonly failureReport: Record<string, unknown>;
  readonly summary: Record<string, unknown>;
  readonly shardModels: readonly ShardModelRecord[];
}

/** A version as listed: everything but the weights and the per-shard records. */
export interface ModelVersionSummary {
  version: number;
  status: ModelVersionStatus;
  trigger: string;
  createdAtMs: number;
  completedAtMs: number | null;
  backend: string | null;
  settings: Record<string, unknown>;
  lstm: Record<string, unknown> | null;
  failureRisk: Record<string, unknown> | null;
  summary: Record<string, unknown> | null;
  error: string | null;
}

/** What the serving side loads: weights, the failure classifier and each shard's choice. */
export interface LoadedVersion {
  version: number;
  lstm: SavedLstmNetwork | null;
  failureModel: StoredFailureModel | null;
  shardModels: Map<string, ShardModelRecord>;
}

interface VersionRow {
  version: number;
  status: ModelVersionStatus;
  trigger: string;
  created_at_ms: string;
  completed_at_ms: string | null;
  backend: string | null;
  settings: Record<string, unknown>;
  lstm_report: Record<string, unknown> | null;
  failure_report: Record<string, unknown> | null;
  summary: Record<string, unknown> | null;
  error: string | null;
}

/** A training run that has not reported for this long is taken to have died with its process. */
const STALE_TRAINING_MS = 10 * 60_000;

/**
 * Model versions in Postgres: one row per training run (the LSTM's weights, the failure
 * classifier, the summary) and one per shard and version (backtests and serving choice).
 * Partial unique indexes keep at most one version training and one serving.
 */
@Injectable()
export class ModelRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Opens a training run; undefined when another one (of any instance) is still running. */
  async startTraining(
    trigger: string,
    settings: Record<string, unknown>,
    nowMs: number,
  ): Promise<number | undefined> {
    await this.db.query(
      "UPDATE model_version SET status = 'failed', error = 'the training process stopped reporting' WHERE status = 'training' AND heartbeat_ms < $1",
      [nowMs - STALE_TRAINING_MS],
    );
    try {
      const rows: { version: number }[] = await this.db.query(
        `INSERT INTO model_version (status, trigger, created_at_ms, heartbeat_ms, settings)
         VALUES ('training', $1, $2, $2, $3) RETURNING version`,
        [trigger, nowMs, JSON.stringify(settings)],
      );
      return rows[0]?.version;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return undefined;
      throw error;
    }
  }

  async trainingVersion(): Promise<number | undefined> {
    const rows: { version: number }[] = await this.db.query(
      "SELECT version FROM model_version WHERE status = 'training'",
    );
    return rows[0]?.version;
  }

  async heartbeat(version: number, nowMs: number): Promise<void> {
    await this.db.query('UPDATE model_version SET heartbeat_ms = $2 WHERE version = $1', [version, nowMs]);
  }

  /** Stores the run's results and makes it the serving version, in one transaction. */
  async completeTraining(version: number, trained: TrainedVersion, nowMs: number): Promise<void> {
    await this.db.transaction(async (m) => {
      if (trained.shardModels.length > 0) {
        await m.query(
          `INSERT INTO shard_model (version, shard_id, serving_model, holt_winters, backtests)
           SELECT $1::int, * FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::jsonb[])`,
          [
            version,
            trained.shardModels.map((s) => s.shardId),
            trained.shardModels.map((s) => s.servingModel),
            trained.shardModels.map((s) => (s.holtWinters ? JSON.stringify(s.holtWinters) : null)),
            trained.shardModels.map((s) => JSON.stringify(s.backtests)),
          ],
        );
      }
      await m.query("UPDATE model_version SET status = 'superseded' WHERE status = 'serving'");
      await m.query(
        `UPDATE model_version SET status = 'serving', completed_at_ms = $2, heartbeat_ms = $2, backend = $3,
           lstm = $4, lstm_report = $5, failure_model = $6, failure_report = $7, summary = $8
         WHERE version = $1`,
        [
          version,
          nowMs,
          trained.backend,
          trained.lstm ? JSON.stringify(trained.lstm) : null,
          JSON.stringify(trained.lstmReport),
          trained.failureModel ? JSON.stringify(trained.failureModel) : null,
          JSON.stringify(trained.failureReport),
          JSON.stringify(trained.summary),
        ],
      );
    });
  }

  async failTraining(version: number, error: string, nowMs: number): Promise<void> {
    await this.db.query(
      "UPDATE model_version SET status = 'failed', error = $2, completed_at_ms = $3 WHERE version = $1 AND status = 'training'",
      [version, error.slice(0, 4000), nowMs],
    );
  }

  async servingVersionNumber(): Promise<number | undefined> {
    const rows: { version: number }[] = await this.db.query(
      "SELECT version FROM model_version WHERE status = 'serving'",
    );
    return rows[0]?.version;
  }

  async loadVersion(version: number): Promise<LoadedVersion | undefined> {
    const rows: { lstm: SavedLstmNetwork | null; failure_model: StoredFailureModel | null }[] =
      await this.db.query('SELECT lstm, failure_model FROM model_version WHERE version = $1', [version]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      version,
      lstm: row.lstm,
      failureModel: row.failure_model,
      shardModels: new Map((await this.shardModels(version)).map((s) => [s.shardId, s])),
    };
  }

  async shardModels(version: number): Promise<ShardModelRecord[]> {
    const rows: {
      shard_id: string;
      serving_model: ForecastModelName;
      holt_winters: HoltWintersParameters | null;
      backtests: ShardBacktest[];
    }[] = await this.db.query(
      'SELECT shard_id, serving_model, holt_winters, backtests FROM shard_model WHERE version = $1 ORDER BY shard_id',
      [version],
    );
    return rows.map((r) => ({
      shardId: r.shard_id,
      servingModel: r.serving_model,
      holtWinters: r.holt_winters,
      backtests: r.backtests,
    }));
  }

  async listVersions(limit: number): Promise<ModelVersionSummary[]> {
    const rows: VersionRow[] = await this.db.query(
      `SELECT version, status, trigger, created_at_ms, completed_at_ms, backend, settings, lstm_report,
              failure_report, summary, error
       FROM model_version ORDER BY version DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toSummary);
  }

  async version(version: number): Promise<ModelVersionSummary | undefined> {
    const rows: VersionRow[] = await this.db.query(
      `SELECT version, status, trigger, created_at_ms, completed_at_ms, backend, settings, lstm_report,
              failure_report, summary, error
       FROM model_version WHERE version = $1`,
      [version],
    );
    return rows[0] ? toSummary(rows[0]) : undefined;
  }

  /** Keeps the newest `keep` versions (and always the serving and training ones). */
  async prune(keep: number): Promise<void> {
    await this.db.query(
      `DELETE FROM model_version WHERE status IN ('superseded', 'failed')
         AND version < (SELECT coalesce(min(version), 0) FROM (SELECT version FROM model_version ORDER BY version DESC LIMIT $1) newest)`,
      [keep],
    );
  }
}

function toSummary(r: VersionRow): ModelVersionSummary {
  return {
    version: r.version,
    status: r.status,
    trigger: r.trigger,
    createdAtMs: Number(r.created_at_ms),
    completedAtMs: r.completed_at_ms === null ? null : Number(r.completed_at_ms),
    backend: r.backend,
    settings: r.settings,
    lstm: r.lstm_report,
    failureRisk: r.failure_report,
    summary: r.summary,
    error: r.error,
  };
}
