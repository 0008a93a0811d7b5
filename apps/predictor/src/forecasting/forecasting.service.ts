import { Inject, Injectable } from '@nestjs/common';
import type { ForecastV1 } from '@shardcast/contracts';
import { JsonLogger, KafkaGateway } from '@shardcast/platform';
import { PREDICTOR_CONFIG } from '../config/predictor-config.module.js';
import type { PredictorConfig } from '../config/predictor.config.js';
import { assembleLoadSeries, completeSeriesEndMs } from '../history/domain/load-series.js';
import { HistoryRepository } from '../history/history.repository.js';
import type { ServingVersion } from '../models/serving-models.service.js';
import { ServingModels } from '../models/serving-models.service.js';
import { capacityPerInterval } from '../settings/domain/runtime-settings.js';
import { RuntimeSettingsService } from '../settings/runtime-settings.service.js';
import type { HoltWintersParameters, ShardForecast, UpdateWindowPrediction } from './domain/index.js';
import {
  forecastShard,
  pickServableModel,
  predictNextUpdateWindow,
  seasonLengthsFor,
} from './domain/index.js';
import type { ForecastModelName } from './forecast-model.catalog.js';
import { createForecastModel, FALLBACK_MODELS, minimumSeriesLength } from './forecast-model.catalog.js';
import type { StoredForecast } from './forecasting.repository.js';
import { ForecastingRepository } from './forecasting.repository.js';
import { HintsService } from './hints/hints.service.js';

const DAY_MS = 86_400_000;

/**
 * Each pass: for every shard with recent load, fit its serving model (the backtest's choice,
 * or a fallback while it has too little history), forecast the horizon, apply the hints in
 * force, score RRS against the shard's capacity, and publish on `forecast`; alongside, the
 * shard's pre-fetch prediction (next bulk-update window) when it is confident enough.
 */
@Injectable()
export class ForecastingService {
  constructor(
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(ForecastingRepository) private readonly forecasts: ForecastingRepository,
    @Inject(HintsService) private readonly hints: HintsService,
    @Inject(ServingModels) private readonly serving: ServingModels,
    @Inject(RuntimeSettingsService) private readonly settings: RuntimeSettingsService,
    @Inject(KafkaGateway) private readonly kafka: KafkaGateway,
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  async runPass(nowMs: number): Promise<number> {
    await this.serving.refresh();
    return this.serving.withServing(async (serving) => {
      const produced = await this.forecastAll(nowMs, serving);
      for (let i = 0; i < produced.length; i += 200) {
        await this.kafka.publishAll(
          'forecast',
          produced.slice(i, i + 200).map((p) => p.event),
        );
      }
      await this.forecasts.save(produced);
      return produced.length;
    });
  }

  list(shardId?: string): Promise<StoredForecast[]> {
    return this.forecasts.latest(shardId);
  }

  /** Stored predictions at or above the confidence threshold in force now. */
  async prefetchPredictions(
    shardId?: string,
  ): Promise<{ shardId: string; prediction: UpdateWindowPrediction }[]> {
    const minimum = this.settings.current().prefetchMinConfidence;
    return (await this.forecasts.latest(shardId)).flatMap((f) =>
      f.prefetch && f.prefetch.confidence >= minimum
        ? [{ shardId: f.event.shardId, prediction: f.prefetch }]
        : [],
    );
  }

  private async forecastAll(nowMs: number, serving: ServingVersion | undefined): Promise<StoredForecast[]> {
    const intervalMs = this.config.FORECAST_INTERVAL_MS;
    const horizon = this.config.FORECAST_HORIZON_STEPS;
    const settings = this.settings.current();
    const endMs = completeSeriesEndMs(nowMs, intervalMs);
    const buckets = await this.history.loadBuckets(
      endMs - this.config.FORECAST_HISTORY_STEPS * intervalMs,
      endMs,
    );
    if (buckets.size === 0) return [];
    const retired = new Set(
      (await this.history.placements()).filter((p) => p.status === 'retired').map((p) => p.shardId),
    );
    const heat = await this.history.shardHeat();
    const hints = await this.hints.inForce(nowMs);
    const seasonLengths = seasonLengthsFor(intervalMs);
    const version = serving ? String(serving.version) : '0';
    const produced: StoredForecast[] = [];
    for (const [shardId, rows] of buckets) {
      if (retired.has(shardId)) continue;
      const shardHeat = heat.get(shardId);
      if (!shardHeat) continue;
      await yieldToEventLoop();
      const series = assembleLoadSeries(rows, { fromMs: 0, toMs: endMs, intervalMs });
      const context = { intervalMs, startMs: series.startMs, seasonLengths };
      const choice = serving?.shardModels.get(shardId);
      const network = serving?.network;
      const name = pickServableModel(
        choice?.servingModel,
        series.loads.length,
        (n) => minimumSeriesLength(n, { network }),
        FALLBACK_MODELS,
      );
      if (name === undefined) continue;
      const capacity = capacityPerInterval(settings, shardId, intervalMs);
      const target = { range: shardHeat.range, sampledKeys: shardHeat.topKeys.map((k) => k.key) };
      const attempt = (model: ForecastModelName, parameters?: HoltWintersParameters): ShardForecast =>
        forecastShard({
          model: createForecastModel(model, { network, holtWintersParameters: parameters }),
          series: series.loads,
          context,
          horizon,
          capacity,
          hints,
          target,
        });
      let served: ForecastModelName = name;
      let forecast: ShardForecast;
      try {
        forecast = attempt(name, name === 'holt-winters' ? (choice?.holtWinters ?? undefined) : undefined);
      } catch (error) {
        // Fixed smoothing parameters stop fitting a series that gained a season since the last
        // retrain; Holt-Winters fitting its own parameters stands in for any model that fails.
        served = series.loads.length >= minimumSeriesLength('holt-winters') ? 'holt-winters' : 'naive';
        this.logger.event(
          'warn',
          'serving model could not forecast; falling back',
          { shardId, model: name, fallback: served, error: (error as Error).message },
          'Forecasting',
        );
        try {
          forecast = attempt(served);
        } catch (fallbackError) {
          this.logger.event(
            'error',
            'no forecast for shard',
            { shardId, error: (fallbackError as Error).message },
            'Forecasting',
          );
          continue;
        }
      }
      const event: ForecastV1 = {
        eventId: `forecast:${shardId}:${nowMs}`,
        shardId,
        model: { name: served, version },
        intervalMs,
        steps: forecast.steps,
        capacity,
        rrs: forecast.rrs,
        hintsUsed: forecast.hintsUsed,
        producedAtMs: nowMs,
      };
      // A week of writes: bulk loads that recur daily or weekly show up within it.
      const recentWrites = Math.min(series.writes.length, Math.ceil((7 * DAY_MS) / intervalMs));
      const prefetch = predictNextUpdateWindow(
        series.writes.slice(series.writes.length - recentWrites),
        { startMs: series.startMs + (series.writes.length - recentWrites) * intervalMs, intervalMs },
        { minConfidence: settings.prefetchMinConfidence },
      );
      produced.push({ event, prefetch });
    }
    return produced;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
