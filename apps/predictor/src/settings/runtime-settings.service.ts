import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { JsonLogger } from '@shardcast/platform';
import { PREDICTOR_CONFIG } from '../config/predictor-config.module.js';
import type { PredictorConfig } from '../config/predictor.config.js';
import type { RuntimeSettings, RuntimeSettingsUpdate } from './domain/runtime-settings.js';
import {
  mergeRuntimeSettings,
  mergeRuntimeSettingsUpdate,
  runtimeSettingsUpdateSchema,
} from './domain/runtime-settings.js';
import { SettingsRepository } from './settings.repository.js';

/**
 * The settings in force: the environment's values, overridden by what operators stored
 * with PUT /v1/config (only the settings they named, so a later change of the environment
 * still applies to the rest). Listeners (the scheduler) hear about every change, including
 * one another instance stored (seen at its next reload).
 */
@Injectable()
export class RuntimeSettingsService implements OnModuleInit {
  private readonly defaults: RuntimeSettings;
  private settings: RuntimeSettings;
  private overrides: RuntimeSettingsUpdate = {};
  private readonly listeners: ((settings: RuntimeSettings) => void)[] = [];

  constructor(
    @Inject(SettingsRepository) private readonly repository: SettingsRepository,
    @Inject(PREDICTOR_CONFIG) config: PredictorConfig,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {
    this.defaults = {
      capacityPerSecond: config.SHARD_CAPACITY_PER_SECOND,
      capacityOverrides: {},
      forecastEveryMs: config.FORECAST_EVERY_MS,
      riskEveryMs: config.RISK_EVERY_MS,
      retrainEveryMs: config.RETRAIN_EVERY_MS,
      prefetchMinConfidence: config.PREFETCH_MIN_CONFIDENCE,
      backtestFolds: config.BACKTEST_FOLDS,
      lstmEpochs: config.LSTM_EPOCHS,
      lstmMaxWindows: config.LSTM_MAX_WINDOWS,
      failureClassifier: config.FAILURE_CLASSIFIER,
    };
    this.settings = this.defaults;
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  /** Re-reads the stored settings; listeners hear when they differ from the ones in force. */
  async reload(): Promise<RuntimeSettings> {
    const stored = await this.repository.load();
    let overrides: RuntimeSettingsUpdate = {};
    if (stored !== undefined) {
      // A stored setting this version no longer knows, or no longer accepts, is ignored (and said so).
      const known = Object.fromEntries(Object.entries(stored).filter(([k]) => k in this.defaults));
      const parsed = runtimeSettingsUpdateSchema.safeParse(known);
      if (parsed.success) overrides = parsed.data;
      else
        this.logger.event(
          'warn',
          'stored runtime settings ignored',
          { error: parsed.error.message },
          'Settings',
        );
    }
    this.overrides = overrides;
    const next = mergeRuntimeSettings(this.defaults, overrides);
    if (JSON.stringify(next) !== JSON.stringify(this.settings)) this.apply(next);
    return next;
  }

  current(): RuntimeSettings {
    return this.settings;
  }

  async update(update: RuntimeSettingsUpdate, nowMs: number): Promise<RuntimeSettings> {
    const overrides = mergeRuntimeSettingsUpdate(this.overrides, update);
    await this.repository.save(overrides, nowMs);
    this.overrides = overrides;
    const next = mergeRuntimeSettings(this.defaults, overrides);
    this.logger.event('info', 'runtime settings changed', { changed: update }, 'Settings');
    this.apply(next);
    return next;
  }

  private apply(next: RuntimeSettings): void {
    this.settings = next;
    for (const listener of this.listeners) listener(next);
  }

  onChange(listener: (settings: RuntimeSettings) => void): void {
    this.listeners.push(listener);
  }
}
