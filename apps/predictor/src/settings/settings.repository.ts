import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RuntimeSettingsUpdate } from './domain/runtime-settings.js';

/** The settings operators changed: one row, so every instance and every restart sees the same. */
@Injectable()
export class SettingsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async load(): Promise<Record<string, unknown> | undefined> {
    const rows: { settings: Record<string, unknown> }[] = await this.db.query(
      'SELECT settings FROM runtime_setting WHERE id',
    );
    return rows[0]?.settings;
  }

  async save(settings: RuntimeSettingsUpdate, nowMs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO runtime_setting (id, settings, updated_at_ms) VALUES (true, $1, $2)
       ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, updated_at_ms = EXCLUDED.updated_at_ms`,
      [JSON.stringify(settings), nowMs],
    );
  }
}
