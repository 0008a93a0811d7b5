import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The checkpoint catalog: every checkpoint's manifest and where each of its chunks is
 * stored. Storage-nodes sharing the schema share the catalog, so any node can restore any
 * checkpoint by id.
 */
export class CreateCheckpointCatalog1732400000000 implements MigrationInterface {
  readonly name = 'CreateCheckpointCatalog1732400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS checkpoint (
        checkpoint_id  text PRIMARY KEY,
        shard_id       text NOT NULL,
        node_id        text NOT NULL,
        created_at_ms  bigint NOT NULL,
        tier           text NOT NULL,
        kind           text NOT NULL,
        content_hash   text NOT NULL,
        manifest       jsonb NOT NULL,
        locations      jsonb NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX IF NOT EXISTS checkpoint_shard_idx ON checkpoint (shard_id, created_at_ms DESC)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS checkpoint');
  }
}
