import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The profiler's tables. Hashes are u64, above Postgres' signed bigint, so ranges are numeric(20,0).
 *
 * - partition_heat: stage-2 state of one `access` partition and the offset it reflects (summaries
 *   below `next_offset` are in it), written at every flush and read back when a partition moves.
 * - shard_interval: the per-shard per-interval time series the predictor and the console read.
 * - heat_outbox: heat snapshots decided but not yet published, written with the state that closed
 *   their interval, so a crash in between publishes them later instead of never.
 * - heat_handoff / heat_handoff_claim: the heat of a retired shard, and which pieces of it the shards
 *   that replaced it have taken (a piece is taken once, in the taker's own state transaction).
 * - profiler_setting: the run-time settings of `PUT /v1/config`, shared by every instance.
 */
export class CreateHeatTables1732400000000 implements MigrationInterface {
  readonly name = 'CreateHeatTables1732400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE partition_heat (
        partition   int PRIMARY KEY,
        next_offset bigint NOT NULL,
        state       jsonb NOT NULL,
        pending     jsonb NOT NULL DEFAULT '[]',
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE shard_interval (
        shard_id          text NOT NULL,
        interval_start_ms bigint NOT NULL,
        interval_ms       int NOT NULL,
        reads             bigint NOT NULL,
        writes            bigint NOT NULL,
        read_bytes        bigint NOT NULL,
        write_bytes       bigint NOT NULL,
        read_rate         double precision NOT NULL,
        write_rate        double precision NOT NULL,
        bytes_rate        double precision NOT NULL,
        heat_class        text NOT NULL,
        split_point       numeric(20,0),
        recorded_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (shard_id, interval_start_ms, interval_ms)
      )`);
    await runner.query('CREATE INDEX shard_interval_start_idx ON shard_interval (interval_start_ms)');
    await runner.query(`
      CREATE TABLE heat_outbox (
        event_id   text PRIMARY KEY,
        partition  int NOT NULL,
        payload    jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX heat_outbox_partition_idx ON heat_outbox (partition)');
    await runner.query(`
      CREATE TABLE heat_handoff (
        source_shard_id text PRIMARY KEY,
        lo              numeric(20,0) NOT NULL,
        hi              numeric(20,0) NOT NULL,
        state           jsonb NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE heat_handoff_claim (
        source_shard_id text NOT NULL REFERENCES heat_handoff (source_shard_id) ON DELETE CASCADE,
        target_shard_id text NOT NULL,
        lo              numeric(20,0) NOT NULL,
        hi              numeric(20,0) NOT NULL,
        claimed_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source_shard_id, target_shard_id, lo)
      )`);
    await runner.query(`
      CREATE TABLE profiler_setting (
        id         int PRIMARY KEY CHECK (id = 1),
        version    int NOT NULL,
        settings   jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'profiler_setting',
      'heat_handoff_claim',
      'heat_handoff',
      'heat_outbox',
      'shard_interval',
      'partition_heat',
    ]) {
      await runner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
