import { ConfigError, baseConfigShape, configVars, loadConfig } from '@shardcast/platform';
import { z } from 'zod';
import { heatThresholdProblems } from '../heat/domain/index.js';

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

const { positiveInt, nonNegativeInt, nonNegativeNumber: rate, flag } = configVars;

export const profilerConfigShape = {
  ...baseConfigShape({ name: 'profiler', defaultPort: 4001 }),
  CONSUMER_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('profiler')
    .describe(
      'consumer group of the profiler instances on `access` (prefixed with TOPIC_PREFIX); instances in one group share the work',
    ),
  SHARD_COUNT: positiveInt(16).describe(
    'shards of the static initial map (initialShards), before the shard-manager changes anything',
  ),
  HEAT_INTERVAL_MS: positiveInt(10 * SECOND).describe(
    'length of a time-series interval; a heat snapshot is published per shard per interval (changeable at run time: PUT /v1/config)',
  ),
  HEAT_HALF_LIFE_MS: positiveInt(5 * 60 * SECOND).describe(
    'half-life of every decayed rate (changeable at run time)',
  ),
  HOT_ENTER_OPS: rate(1000).describe('ops/s at which a shard becomes hot'),
  HOT_EXIT_OPS: rate(800).describe('ops/s below which a hot shard stops being hot'),
  COLD_ENTER_OPS: rate(10).describe('ops/s at or below which a shard becomes cold'),
  COLD_EXIT_OPS: rate(20).describe('ops/s above which a cold shard stops being cold'),
  ALLOWED_LATENESS_MS: nonNegativeInt(5 * SECOND).describe(
    'how far behind the newest event time an access may arrive and still count in its interval; older ones are dropped and counted as late',
  ),
  MAX_FUTURE_MS: nonNegativeInt(60 * SECOND).describe(
    'accesses stamped further than this ahead of the local clock are refused',
  ),
  SUMMARY_WINDOW_MS: positiveInt(SECOND).describe(
    'window of the per-shard summaries the profiler makes of raw events; must divide HEAT_INTERVAL_MS',
  ),
  FLUSH_INTERVAL_MS: positiveInt(1000).describe(
    'how often raw-event summaries are published and each partition’s heat is checkpointed to Postgres; bounds the freshness lag',
  ),
  FLUSH_CAUGHT_UP_MS: nonNegativeInt(200).describe(
    'a partition read to its end flushes without waiting for FLUSH_INTERVAL_MS, at most this often (so a burst is fresh as soon as it is read); FLUSH_INTERVAL_MS or more: only on the interval',
  ),
  STAGE_ONE_THREAD: flag(true).describe(
    'read raw events (stage 1) on a worker thread beside the consumer thread, which then only decodes fetches; false reads them on the consumer thread (a one-core host)',
  ),
  HASH_BUCKETS: positiveInt(64).describe('buckets of each shard’s hash histogram (split points)'),
  TOP_KEYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(32)
    .describe('counters of each shard’s heavy-hitter sketch (Space-Saving k)'),
  SUMMARY_SAMPLE_HASHES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(64)
    .describe(
      'key hashes sampled per raw-event summary (each of the partitions sends one per shard per window and flush, so a shard gets many)',
    ),
  SUMMARY_TOP_KEYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(32)
    .describe('heaviest keys sent per raw-event summary'),
  MIN_SPLIT_SAMPLES: rate(100).describe(
    'decayed number of sampled hashes below which a shard gets no split point',
  ),
  SERIES_RETENTION_MS: positiveInt(7 * DAY).describe(
    'how long per-interval time-series rows (and heat hand-overs) are kept',
  ),
};

export type ProfilerConfig = z.output<z.ZodObject<typeof profilerConfigShape>>;

/** Rules that span variables, which a per-variable schema cannot state. */
export function profilerConfigProblems(config: ProfilerConfig): string[] {
  const problems: string[] = [];
  if (config.HEAT_INTERVAL_MS % config.SUMMARY_WINDOW_MS !== 0) {
    problems.push(
      `HEAT_INTERVAL_MS: must be a multiple of SUMMARY_WINDOW_MS (${config.SUMMARY_WINDOW_MS}), so no summary window straddles two intervals; got ${config.HEAT_INTERVAL_MS}`,
    );
  }
  const names = {
    hotEnter: 'HOT_ENTER_OPS',
    hotExit: 'HOT_EXIT_OPS',
    coldEnter: 'COLD_ENTER_OPS',
    coldExit: 'COLD_EXIT_OPS',
  };
  for (const problem of heatThresholdProblems(thresholdsOf(config))) {
    problems.push(
      Object.entries(names).reduce(
        (text, [field, name]) => text.replace(new RegExp(`(thresholds\\.)?\\b${field}\\b`, 'g'), name),
        problem,
      ),
    );
  }
  return problems;
}

export function thresholdsOf(config: ProfilerConfig) {
  return {
    hotEnter: config.HOT_ENTER_OPS,
    hotExit: config.HOT_EXIT_OPS,
    coldEnter: config.COLD_ENTER_OPS,
    coldExit: config.COLD_EXIT_OPS,
  };
}

/** Parses and cross-checks the environment; every problem is reported at once (ConfigError). */
export function parseProfilerConfig(env: Record<string, string | undefined> = process.env): ProfilerConfig {
  const config = loadConfig(profilerConfigShape, env);
  const problems = profilerConfigProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** As `parseProfilerConfig`, stopping the process with exit code 78 (EX_CONFIG) on a bad configuration. */
export function loadProfilerConfig(): ProfilerConfig {
  try {
    return parseProfilerConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
