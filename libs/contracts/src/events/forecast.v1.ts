import { z } from 'zod';
import { epochMs, eventId, nonNegative, probability, shardId } from '../common.schema.js';

/** Per-shard forecast with its resharding score (RRS). */
export const forecastV1 = z.object({
  eventId,
  shardId,
  model: z.object({ name: z.string().min(1), version: z.string().min(1) }),
  intervalMs: z.number().int().positive(),
  steps: z
    .array(z.object({ startMs: epochMs, p10: nonNegative, p50: nonNegative, p90: nonNegative }))
    .min(1)
    .describe('one entry per future interval, in order'),
  capacity: nonNegative.describe('load per interval above which the shard is over capacity'),
  rrs: probability.describe('probability that load exceeds capacity within the horizon'),
  hintsUsed: z.array(z.string()).default([]).describe('ids of application hints applied'),
  producedAtMs: epochMs,
});
export type ForecastV1 = z.output<typeof forecastV1>;
