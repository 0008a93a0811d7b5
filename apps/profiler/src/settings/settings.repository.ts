import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { HeatSettings, VersionedSettings } from './heat-settings.js';

@Injectable()
export class SettingsRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async load(): Promise<VersionedSettings | undefined> {
    const rows: { version: number; settings: HeatSettings; updated_at: Date }[] = await this.dataSource.query(
      'SELECT version, settings, updated_at FROM profiler_setting WHERE id = 1',
    );
    const row = rows[0];
    return row && { version: row.version, settings: row.settings, updatedAtMs: row.updated_at.getTime() };
  }

  /** Stores the settings as the next version; the version orders concurrent writers, the last one wins. */
  async save(settings: HeatSettings): Promise<VersionedSettings> {
    const rows: { version: number; updated_at: Date }[] = await this.dataSource.query(
      `INSERT INTO profiler_setting (id, version, settings, updated_at) VALUES (1, 1, $1, now())
       ON CONFLICT (id) DO UPDATE SET version = profiler_setting.version + 1, settings = EXCLUDED.settings, updated_at = now()
       RETURNING version, updated_at`,
      [JSON.stringify(settings)],
    );
    const row = rows[0]!;
    return { version: row.version, settings, updatedAtMs: row.updated_at.getTime() };
  }
}
