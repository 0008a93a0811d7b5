import { z } from 'zod';

const HEAT_CLASSES = ['hot', 'warm', 'cold'] as const;
export const HEATMAP_SORT_FIELDS = [
  'opsRate',
  'readRate',
  'writeRate',
  'bytesRate',
  'shardId',
  'range',
] as const;

const u64 = z.string().describe('unsigned 64-bit hash as a decimal string');
const rate = z.number().describe('per second, exponentially time-decayed');

/** `?class=hot,warm` or `?class=hot&class=warm`. */
const classFilter = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(HEAT_CLASSES)).min(1));

export const heatmapQuerySchema = z
  .object({
    sort: z.enum(HEATMAP_SORT_FIELDS).default('opsRate').describe('field to sort by'),
    order: z.enum(['asc', 'desc']).optional().describe('default: desc for rates, asc for shardId and range'),
    class: classFilter.optional().describe('only shards of these classes (comma-separated or repeated)'),
    limit: z.coerce.number().int().min(1).max(100_000).optional().describe('at most this many shards'),
  })
  .strict();
export type HeatmapQuery = z.output<typeof heatmapQuerySchema>;

export const profileQuerySchema = z
  .object({
    intervals: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .describe('latest time-series intervals returned'),
  })
  .strict();

const keyHeat = z.object({
  key: z.string(),
  rate: rate.describe('estimated accesses per second, never below the true decayed rate'),
  errorRate: z.number().describe('how much `rate` may overestimate (Space-Saving error bound)'),
});

export const shardHeatViewSchema = z.object({
  shardId: z.string(),
  range: z.object({ lo: u64, hi: u64 }).describe('half-open hash range [lo, hi)'),
  epoch: z.number().int().nullable().describe('the shard map epoch known here (−1: the static initial map)'),
  partition: z.number().int().nullable().describe('the `access` partition holding this shard’s heat'),
  readRate: rate,
  writeRate: rate,
  opsRate: rate.describe('reads + writes per second'),
  bytesRate: rate,
  class: z.enum(HEAT_CLASSES).describe('hot/warm/cold with hysteresis, as of the last closed interval'),
  splitPoint: u64.nullable().describe('load-weighted median hash, or null while too few hashes are sampled'),
  topKeys: z.array(keyHeat).describe('heaviest keys, heaviest first'),
  lastAccessMs: z.number().nullable().describe('event time of the latest access counted'),
  source: z
    .enum(['live', 'checkpoint', 'none'])
    .describe(
      'live: held by this instance; checkpoint: another instance’s last flush; none: no access seen yet',
    ),
  asOfMs: z.number().describe('when the values were current (rates are decayed to the request time)'),
});
export type ShardHeatView = z.output<typeof shardHeatViewSchema>;

export const heatmapResponseSchema = z.object({
  atMs: z.number(),
  halfLifeMs: z.number().int(),
  intervalMs: z.number().int(),
  count: z.number().int(),
  shards: z.array(shardHeatViewSchema),
});
export type HeatmapResponse = z.output<typeof heatmapResponseSchema>;

export const seriesPointSchema = z.object({
  intervalStartMs: z.number(),
  intervalMs: z.number().int(),
  reads: z.number(),
  writes: z.number(),
  readBytes: z.number(),
  writeBytes: z.number(),
  readRate: z.number(),
  writeRate: z.number(),
  bytesRate: z.number(),
  class: z.string(),
  splitPoint: u64.nullable(),
});

export const shardProfileSchema = shardHeatViewSchema.extend({
  status: z.enum(['active', 'retired', 'untracked']).describe('the shard’s status in the shard map'),
  histogram: z
    .array(z.object({ lo: u64, hi: u64, weight: z.number() }))
    .describe('decayed load per hash bucket (what the split point is read from)'),
  series: z.array(seriesPointSchema).describe('per-interval counts and rates, oldest first'),
});
export type ShardProfile = z.output<typeof shardProfileSchema>;

export const configResponseSchema = z.object({
  version: z.number().int().describe('0: from the environment; then +1 per PUT'),
  updatedAtMs: z.number().nullable(),
  halfLifeMs: z.number().int(),
  intervalMs: z.number().int(),
  thresholds: z.object({
    hotEnter: z.number(),
    hotExit: z.number(),
    coldEnter: z.number(),
    coldExit: z.number(),
  }),
  summaryWindowMs: z
    .number()
    .int()
    .describe('fixed at start-up (SUMMARY_WINDOW_MS); intervalMs must be a multiple of it'),
  allowedLatenessMs: z.number().int().describe('fixed at start-up (ALLOWED_LATENESS_MS)'),
});

export const statsResponseSchema = z.object({
  rawEvents: z
    .number()
    .int()
    .describe('raw access events this instance has taken in (stage 1) since it started'),
  accessesApplied: z
    .number()
    .int()
    .describe('accesses this instance has reflected in heat (stage 2) since it started'),
  lateAccessesDropped: z.number().int().describe('accesses dropped as later than the allowed lateness'),
  assignedPartitions: z.array(z.number().int()).describe('`access` partitions assigned to this instance'),
  restoredPartitions: z
    .array(z.number().int())
    .describe('assigned partitions whose state is restored and which are being consumed'),
  trackedShards: z.number().int().describe('shards whose heat this instance holds'),
  cpuSeconds: z.number().describe('CPU time of this process'),
  uptimeSeconds: z.number(),
});
export type StatsResponse = z.output<typeof statsResponseSchema>;

/** An OpenAPI 3.0 schema object from a zod schema, for `@nestjs/swagger` decorators. */
export function openApi(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}
