import type { ForecastMetrics } from '../../forecasting/domain/index.js';
import { mean } from '../../forecasting/domain/index.js';

export interface ShardBacktestOutcome {
  readonly servingModel: string;
  readonly backtests: readonly { readonly model: string; readonly metrics?: ForecastMetrics }[];
}

export interface ModelScoreSummary {
  /** Shards this model was backtested on. */
  readonly shards: number;
  readonly mase: number;
  readonly smape: number;
  readonly coverage: number;
  readonly pinball: number;
}

export interface VersionSummary {
  readonly shards: number;
  /** How many shards each model serves. */
  readonly serving: Record<string, number>;
  /** Mean backtest metrics per model, over the shards it was backtested on. */
  readonly byModel: Record<string, ModelScoreSummary>;
  /** Mean MASE of each shard's serving choice, and of seasonal-naive on the same shards. */
  readonly servingMase: number | null;
  readonly seasonalNaiveMase: number | null;
}

/** What GET /v1/models shows of a version: per model, its mean backtest scores; per shard, what serves. */
export function summariseVersion(shards: readonly ShardBacktestOutcome[]): VersionSummary {
  const serving: Record<string, number> = {};
  const scores = new Map<string, ForecastMetrics[]>();
  const servingMase: number[] = [];
  const seasonalNaiveMase: number[] = [];
  for (const shard of shards) {
    serving[shard.servingModel] = (serving[shard.servingModel] ?? 0) + 1;
    for (const b of shard.backtests) {
      if (b.metrics) scores.set(b.model, [...(scores.get(b.model) ?? []), b.metrics]);
    }
    const chosen = shard.backtests.find((b) => b.model === shard.servingModel)?.metrics;
    const baseline = shard.backtests.find((b) => b.model === 'seasonal-naive')?.metrics;
    if (chosen && baseline && Number.isFinite(chosen.mase) && Number.isFinite(baseline.mase)) {
      servingMase.push(chosen.mase);
      seasonalNaiveMase.push(baseline.mase);
    }
  }
  const byModel: Record<string, ModelScoreSummary> = {};
  for (const [model, metrics] of scores) {
    const finite = (pick: (m: ForecastMetrics) => number): number =>
      mean(metrics.map(pick).filter(Number.isFinite));
    byModel[model] = {
      shards: metrics.length,
      mase: finite((m) => m.mase),
      smape: finite((m) => m.smape),
      coverage: finite((m) => m.coverage),
      pinball: finite((m) => m.pinball.mean),
    };
  }
  return {
    shards: shards.length,
    serving,
    byModel,
    servingMase: servingMase.length > 0 ? mean(servingMase) : null,
    seasonalNaiveMase: seasonalNaiveMase.length > 0 ? mean(seasonalNaiveMase) : null,
  };
}
