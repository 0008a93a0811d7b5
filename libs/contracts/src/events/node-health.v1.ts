import { z } from 'zod';
import { epochMs, eventId, nodeId, nonNegative } from '../common.schema.js';

/** A storage-node's health sample (every few seconds), or a lifecycle change of the node. */
export const nodeHealthSampleV1 = z.object({
  kind: z.literal('sample').default('sample'),
  eventId,
  nodeId,
  zone: z.string().optional(),
  region: z.string().optional(),
  atMs: epochMs,
  disk: z.object({
    readP50Ms: nonNegative,
    readP99Ms: nonNegative,
    writeP50Ms: nonNegative,
    writeP99Ms: nonNegative,
    ioErrors: z.number().int().nonnegative().describe('I/O errors since the last sample'),
    queueDepth: nonNegative,
  }),
  cpu: nonNegative.describe('process CPU use, 1.0 = one core'),
  memoryBytes: nonNegative,
  eventLoopDelayP99Ms: nonNegative,
  applyLag: nonNegative.describe('records behind the log head, summed over partitions'),
  errorLogRate: nonNegative.default(0).describe('error log lines per second'),
});

export const nodeLifecycleV1 = z.object({
  kind: z.literal('lifecycle'),
  eventId,
  nodeId,
  atMs: epochMs,
  change: z.enum(['joined', 'failed', 'recovered', 'left']),
  reason: z.string().max(1024).optional(),
});

export const nodeHealthEventV1 = z.union([nodeLifecycleV1, nodeHealthSampleV1]);
export type NodeHealthSampleV1 = z.output<typeof nodeHealthSampleV1>;
export type NodeLifecycleV1 = z.output<typeof nodeLifecycleV1>;
export type NodeHealthEventV1 = z.output<typeof nodeHealthEventV1>;
