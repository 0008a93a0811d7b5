import { z } from 'zod';
import { epochMs, eventId, nodeId, nonNegative, probability, shardId } from '../common.schema.js';

/** What a recovery of this node would need first, most urgent first. */
export const recoveryProfileV1 = z.object({
  eventId,
  nodeId,
  risk: probability,
  shards: z.array(z.object({ shardId, score: nonNegative, hotKeys: z.array(z.string()).max(100) })),
  producedAtMs: epochMs,
});
export type RecoveryProfileV1 = z.output<typeof recoveryProfileV1>;
