import { z } from 'zod';
import { epochMs, eventId, nodeId, nonNegative, shardId } from '../common.schema.js';

/** Progress of a recovery, per shard and overall. */
export const restoreProgressV1 = z.object({
  eventId,
  recoveryId: z.string().min(1),
  failedNode: nodeId,
  shardId: shardId.optional(),
  phase: z.enum(['planned', 'restoring', 'catching-up', 'verifying', 'done', 'failed']),
  source: z.enum(['fast-restore', 'shadow', 'standard', 'log-replay']).optional(),
  shardsTotal: z.number().int().nonnegative(),
  shardsDone: z.number().int().nonnegative(),
  bytesTotal: nonNegative,
  bytesDone: nonNegative,
  verified: z.boolean().optional().describe('content hash matched'),
  detail: z.string().max(2048).default(''),
  atMs: epochMs,
});
export type RestoreProgressV1 = z.output<typeof restoreProgressV1>;
