import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every service dedupes the events it handles by event id (Kafka delivers at least once):
 * a handler inserts the id in the same transaction as its effect and skips it on conflict.
 */
export class CreateProcessedEvents1732300000000 implements MigrationInterface {
  readonly name = 'CreateProcessedEvents1732300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS processed_event (
        event_id     text PRIMARY KEY,
        topic        text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX IF NOT EXISTS processed_event_processed_at_idx ON processed_event (processed_at)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS processed_event');
  }
}
