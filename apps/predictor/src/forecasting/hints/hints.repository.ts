import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { HintRequest, HintView } from './hint-request.schema.js';

interface HintRow {
  hint_id: string;
  scope: HintRequest['scope'];
  time_window: HintRequest['window'];
  factor: number;
  description: string;
  created_at_ms: string;
  ends_at_ms: string | null;
}

/** Application hints as posted (JSON-safe: hash bounds stay decimal strings). */
@Injectable()
export class HintsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async save(hint: HintView): Promise<void> {
    await this.db.query(
      `INSERT INTO application_hint (hint_id, scope, time_window, schedule, factor, description, created_at_ms, ends_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (hint_id) DO UPDATE SET scope = EXCLUDED.scope, time_window = EXCLUDED.time_window,
         schedule = EXCLUDED.schedule, factor = EXCLUDED.factor, description = EXCLUDED.description,
         created_at_ms = EXCLUDED.created_at_ms, ends_at_ms = EXCLUDED.ends_at_ms`,
      [
        hint.id,
        JSON.stringify(hint.scope),
        JSON.stringify(hint.window),
        hint.window.kind === 'recurring' ? hint.window.schedule : null,
        hint.factor,
        hint.description,
        hint.createdAtMs,
        hint.endsAtMs,
      ],
    );
  }

  /** Hints still in force or to come at `nowMs` (every recurring one, one-off ones not yet over). */
  async active(nowMs: number): Promise<HintView[]> {
    const rows: HintRow[] = await this.db.query(
      'SELECT * FROM application_hint WHERE ends_at_ms IS NULL OR ends_at_ms > $1 ORDER BY created_at_ms, hint_id',
      [nowMs],
    );
    return rows.map(toView);
  }

  async all(): Promise<HintView[]> {
    const rows: HintRow[] = await this.db.query(
      'SELECT * FROM application_hint ORDER BY created_at_ms, hint_id',
    );
    return rows.map(toView);
  }

  async delete(id: string): Promise<boolean> {
    const result: [unknown[], number] = await this.db.query(
      'DELETE FROM application_hint WHERE hint_id = $1',
      [id],
    );
    return result[1] > 0;
  }

  /** One-off hints that ended before `beforeMs` are of no further use. */
  async deleteEndedBefore(beforeMs: number): Promise<number> {
    const result: [unknown[], number] = await this.db.query(
      'DELETE FROM application_hint WHERE ends_at_ms < $1',
      [beforeMs],
    );
    return result[1];
  }
}

function toView(r: HintRow): HintView {
  return {
    id: r.hint_id,
    scope: r.scope,
    window: r.time_window,
    factor: r.factor,
    description: r.description,
    createdAtMs: Number(r.created_at_ms),
    endsAtMs: r.ends_at_ms === null ? null : Number(r.ends_at_ms),
  };
}
