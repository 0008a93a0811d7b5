import { z } from 'zod';
import { epochMs, eventId, hashRangeSchema, nonNegative, shardId, u64String } from '../common.schema.js';

/** The profiler's view of one shard at the end of an interval. */
export const heatV1 = z.object({
  eventId,
  shardId,
  range: hashRangeSchema,
  intervalStartMs: epochMs,
  intervalMs: z.number().int().positive(),
  readRate: nonNegative.describe('time-decayed reads per second'),
  writeRate: nonNegative.describe('time-decayed writes per second'),
  bytesRate: nonNegative.describe('time-decayed bytes per second'),
  class: z.enum(['hot', 'warm', 'cold']).describe('classification with hysteresis'),
  splitPoint: u64String
    .nullable()
    .describe('load-weighted median hash, or null when there is too little data'),
  counts: z
    .object({ reads: nonNegative, writes: nonNegative, bytes: nonNegative })
    .describe('raw counts within this interval'),
  topKeys: z.array(z.object({ key: z.string(), count: nonNegative, error: nonNegative })).max(100),
  producedAtMs: epochMs,
});
export type HeatV1 = z.output<typeof heatV1>;
