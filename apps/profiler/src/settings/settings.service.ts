import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@shardcast/platform';
import type { ProfilerConfig } from '../config/profiler.config.js';
import { thresholdsOf } from '../config/profiler.config.js';
import type { HeatSettings, VersionedSettings } from './heat-settings.js';
import { SettingsRepository } from './settings.repository.js';

/**
 * The heat settings in force: the environment's until an operator stores others, then the stored ones,
 * which every instance picks up on its next tick.
 */
@Injectable()
export class SettingsService {
  private current: VersionedSettings;

  constructor(
    @Inject(SERVICE_CONFIG) config: ProfilerConfig,
    @Inject(SettingsRepository) private readonly repository: SettingsRepository,
  ) {
    this.current = {
      version: 0,
      settings: {
        halfLifeMs: config.HEAT_HALF_LIFE_MS,
        intervalMs: config.HEAT_INTERVAL_MS,
        thresholds: thresholdsOf(config),
      },
      updatedAtMs: null,
    };
  }

  get settings(): VersionedSettings {
    return this.current;
  }

  /** Reads the stored settings; the result is what is in force from now on. */
  async refresh(): Promise<VersionedSettings> {
    const stored = await this.repository.load();
    if (stored && stored.version !== this.current.version) this.current = stored;
    return this.current;
  }

  async update(settings: HeatSettings): Promise<VersionedSettings> {
    this.current = await this.repository.save(settings);
    return this.current;
  }
}
