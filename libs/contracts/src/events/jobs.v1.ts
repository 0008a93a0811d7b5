import { z } from 'zod';
import { epochMs, eventId, nodeId, shardId } from '../common.schema.js';

export const jobType = z.enum(['split', 'merge', 'migrate', 'checkpoint', 'shadow', 'tier-move', 'restore']);

/** A job for a storage-node, issued by the shard-manager or the restorer. */
export const jobIssuedV1 = z.object({
  kind: z.literal('issued'),
  eventId,
  jobId: z.string().min(1),
  type: jobType,
  shardId,
  epoch: z.number().int().nonnegative().describe('the shard epoch the job was planned against'),
  targetNode: nodeId,
  params: z.record(z.string(), z.unknown()).default({}),
  reason: z.string().max(2048).default(''),
  issuedAtMs: epochMs,
});

/** What a storage-node reports back about a job. */
export const jobResultV1 = z.object({
  kind: z.literal('result'),
  eventId,
  jobId: z.string().min(1),
  node: nodeId,
  status: z.enum(['accepted', 'running', 'succeeded', 'failed', 'rejected']),
  detail: z.string().max(4096).default(''),
  atMs: epochMs,
});

export const jobEventV1 = z.discriminatedUnion('kind', [jobIssuedV1, jobResultV1]);
export type JobIssuedV1 = z.output<typeof jobIssuedV1>;
export type JobResultV1 = z.output<typeof jobResultV1>;
export type JobEventV1 = z.output<typeof jobEventV1>;
