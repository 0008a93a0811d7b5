import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The predictor's own schema: the history it learns from (load per shard and interval,
 * health samples, lifecycle and restore events, the shard map), what it serves (latest
 * forecasts, risks and profiles, hints), and its model versions with their backtests.
 * Times are epoch milliseconds (bigint), as in the events.
 */
export class CreatePredictorSchema1732600000000 implements MigrationInterface {
  readonly name = 'CreatePredictorSchema1732600000000';

  async up(runner: QueryRunner): Promise<void> {
    const statements = [
      // Accesses per shard per forecast bucket, summed from heat events (deduped by event id).
      `CREATE TABLE shard_load (
        shard_id        text NOT NULL,
        bucket_start_ms bigint NOT NULL,
        reads           double precision NOT NULL,
        writes          double precision NOT NULL,
        bytes           double precision NOT NULL,
        PRIMARY KEY (shard_id, bucket_start_ms)
      )`,
      'CREATE INDEX shard_load_bucket_idx ON shard_load (bucket_start_ms)',
      // The newest heat snapshot of each shard: its range, rates and hot keys.
      `CREATE TABLE shard_heat (
        shard_id           text PRIMARY KEY,
        range_lo           text NOT NULL,
        range_hi           text NOT NULL,
        interval_start_ms  bigint NOT NULL,
        interval_ms        bigint NOT NULL,
        read_rate          double precision NOT NULL,
        write_rate         double precision NOT NULL,
        heat_class         text NOT NULL,
        recent_per_second  double precision NOT NULL,
        top_keys           jsonb NOT NULL,
        last_access_ms     bigint
      )`,
      // The shard map as the shard-manager publishes it (state-carried, newest epoch kept).
      `CREATE TABLE shard_placement (
        shard_id  text PRIMARY KEY,
        epoch     integer NOT NULL,
        status    text NOT NULL,
        replicas  jsonb NOT NULL,
        at_ms     bigint NOT NULL
      )`,
      `CREATE TABLE node (
        node_id         text PRIMARY KEY,
        zone            text,
        region          text,
        last_sample_ms  bigint,
        down_since_ms   bigint
      )`,
      `CREATE TABLE node_health_sample (
        node_id                  text NOT NULL,
        at_ms                    bigint NOT NULL,
        disk_read_p99_ms         double precision NOT NULL,
        disk_write_p99_ms        double precision NOT NULL,
        disk_io_errors           double precision NOT NULL,
        disk_queue_depth         double precision NOT NULL,
        cpu                      double precision NOT NULL,
        memory_bytes             double precision NOT NULL,
        event_loop_delay_p99_ms  double precision NOT NULL,
        apply_lag                double precision NOT NULL,
        error_log_rate           double precision NOT NULL,
        PRIMARY KEY (node_id, at_ms)
      )`,
      'CREATE INDEX node_health_sample_at_idx ON node_health_sample (at_ms)',
      `CREATE TABLE node_lifecycle_event (
        event_id  text PRIMARY KEY,
        node_id   text NOT NULL,
        at_ms     bigint NOT NULL,
        change    text NOT NULL,
        reason    text
      )`,
      'CREATE INDEX node_lifecycle_event_node_idx ON node_lifecycle_event (node_id, at_ms)',
      `CREATE TABLE restore_history (
        event_id     text PRIMARY KEY,
        recovery_id  text NOT NULL,
        failed_node  text NOT NULL,
        shard_id     text,
        phase        text NOT NULL,
        source       text,
        shards_total integer NOT NULL,
        shards_done  integer NOT NULL,
        bytes_total  double precision NOT NULL,
        bytes_done   double precision NOT NULL,
        verified     boolean,
        at_ms        bigint NOT NULL
      )`,
      'CREATE INDEX restore_history_node_idx ON restore_history (failed_node, at_ms)',
      `CREATE TABLE application_hint (
        hint_id        text PRIMARY KEY,
        scope          jsonb NOT NULL,
        time_window    jsonb NOT NULL,
        schedule       text,
        factor         double precision NOT NULL,
        description    text NOT NULL DEFAULT '',
        created_at_ms  bigint NOT NULL,
        ends_at_ms     bigint
      )`,
      `CREATE TABLE model_version (
        version          serial PRIMARY KEY,
        status           text NOT NULL CHECK (status IN ('training', 'serving', 'superseded', 'failed')),
        trigger          text NOT NULL,
        created_at_ms    bigint NOT NULL,
        heartbeat_ms     bigint NOT NULL,
        completed_at_ms  bigint,
        backend          text,
        settings         jsonb NOT NULL,
        lstm             jsonb,
        lstm_report      jsonb,
        failure_model    jsonb,
        failure_report   jsonb,
        summary          jsonb,
        error            text
      )`,
      // At most one training run at a time, across every instance sharing the schema.
      "CREATE UNIQUE INDEX model_version_one_training ON model_version ((true)) WHERE status = 'training'",
      "CREATE UNIQUE INDEX model_version_one_serving ON model_version ((true)) WHERE status = 'serving'",
      `CREATE TABLE shard_model (
        version        integer NOT NULL REFERENCES model_version (version) ON DELETE CASCADE,
        shard_id       text NOT NULL,
        serving_model  text NOT NULL,
        holt_winters   jsonb,
        backtests      jsonb NOT NULL,
        PRIMARY KEY (version, shard_id)
      )`,
      `CREATE TABLE shard_forecast (
        shard_id        text PRIMARY KEY,
        event           jsonb NOT NULL,
        prefetch        jsonb,
        produced_at_ms  bigint NOT NULL
      )`,
      `CREATE TABLE node_risk (
        node_id         text PRIMARY KEY,
        event           jsonb NOT NULL,
        detail          jsonb NOT NULL,
        produced_at_ms  bigint NOT NULL
      )`,
      `CREATE TABLE recovery_profile (
        node_id         text PRIMARY KEY,
        event           jsonb NOT NULL,
        entries         jsonb NOT NULL,
        produced_at_ms  bigint NOT NULL
      )`,
      `CREATE TABLE runtime_setting (
        id             boolean PRIMARY KEY DEFAULT true CHECK (id),
        settings       jsonb NOT NULL,
        updated_at_ms  bigint NOT NULL
      )`,
      // When each periodic task last ran, so several instances run each occurrence once.
      `CREATE TABLE scheduled_run (
        task             text PRIMARY KEY,
        last_started_ms  bigint NOT NULL
      )`,
    ];
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'scheduled_run',
      'runtime_setting',
      'recovery_profile',
      'node_risk',
      'shard_forecast',
      'shard_model',
      'model_version',
      'application_hint',
      'restore_history',
      'node_lifecycle_event',
      'node_health_sample',
      'node',
      'shard_placement',
      'shard_heat',
      'shard_load',
    ]) {
      await runner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
