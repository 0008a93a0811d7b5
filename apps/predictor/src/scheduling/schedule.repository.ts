import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** When each periodic task last started, shared by every instance of the predictor. */
@Injectable()
export class ScheduleRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /**
   * Claims this occurrence of a task: true when no instance started it within the last
   * `everyMs` (less a little slack for timer jitter), so each occurrence runs once, on
   * whichever instance gets there first.
   */
  async claim(task: string, nowMs: number, everyMs: number): Promise<boolean> {
    const slack = Math.min(everyMs / 10, 5_000);
    const rows: unknown[] = await this.db.query(
      `INSERT INTO scheduled_run (task, last_started_ms) VALUES ($1, $2)
       ON CONFLICT (task) DO UPDATE SET last_started_ms = EXCLUDED.last_started_ms
       WHERE scheduled_run.last_started_ms <= $3
       RETURNING task`,
      [task, nowMs, Math.floor(nowMs - everyMs + slack)],
    );
    return rows.length === 1;
  }
}
