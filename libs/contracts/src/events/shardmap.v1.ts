import { z } from 'zod';
import { epochMs, eventId, hashRangeSchema, nodeId, shardId, tier } from '../common.schema.js';

/**
 * The full state of one shard after a change (state-carried, keyed by shard id on a
 * compacted topic), so a node that reads only the latest message per shard knows
 * everything. Consumers ignore a message whose epoch is not above what they hold.
 */
export const shardStateV1 = z.object({
  eventId,
  shardId,
  epoch: z.number().int().nonnegative().describe('incremented by every change to this shard'),
  range: hashRangeSchema,
  status: z.enum(['active', 'retired']).describe('retired after a split or merge replaced it'),
  replicationFactor: z.number().int().positive(),
  replicas: z.array(
    z.object({
      nodeId,
      role: z.enum(['primary', 'replica', 'read-replica']),
      tier,
    }),
  ),
  cause: z.string().max(1024).describe('the decision that produced this state'),
  atMs: epochMs,
});
export type ShardStateV1 = z.output<typeof shardStateV1>;
