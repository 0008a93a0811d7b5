import { z } from 'zod';
import { epochMs, eventId, nodeId, nonNegative, shardId, u64String } from '../common.schema.js';

/**
 * One raw access, as outside producers send it (one event per access). Either the key
 * or its xxhash64 must be given; `ts` may be epoch milliseconds or an ISO-8601 string.
 */
export const rawAccessV1 = z
  .object({
    kind: z.literal('access').default('access').describe('raw single access (the default kind)'),
    eventId: eventId.optional(),
    ts: z
      .union([epochMs, z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))])
      .describe('when the access happened: epoch ms or ISO-8601'),
    key: z.string().min(1).max(4096).optional().describe('the key accessed (UTF-8)'),
    keyHash: u64String.optional().describe('xxhash64 of the key, when the key itself is not shared'),
    op: z.enum(['read', 'write']).describe('read or write'),
    bytes: z.number().int().nonnegative().default(0).describe('bytes read or written'),
    node: nodeId.optional(),
    client: z.string().max(256).optional().describe('client id, for attribution'),
    queryType: z.string().max(64).optional().describe('e.g. get, scan, put, batch'),
  })
  .refine((a) => a.key !== undefined || a.keyHash !== undefined, {
    message: 'one of key or keyHash is required',
    path: ['key'],
  });

/** A storage-node's per-shard summary of one second of reads and writes. */
export const accessSummaryV1 = z.object({
  kind: z.literal('summary'),
  eventId,
  node: nodeId,
  shardId,
  windowStartMs: epochMs,
  windowMs: z.number().int().positive().describe('length of the summarised window'),
  reads: z.number().int().nonnegative(),
  writes: z.number().int().nonnegative(),
  readBytes: z.number().int().nonnegative(),
  writeBytes: z.number().int().nonnegative(),
  sampleHashes: z.array(u64String).max(1024).describe('a uniform sample of accessed key hashes'),
  topKeys: z
    .array(z.object({ key: z.string(), count: nonNegative }))
    .max(100)
    .describe('the most accessed keys in the window'),
});

export const accessEventV1 = z.union([accessSummaryV1, rawAccessV1]);

export type RawAccessV1 = z.output<typeof rawAccessV1>;
export type AccessSummaryV1 = z.output<typeof accessSummaryV1>;
export type AccessEventV1 = z.output<typeof accessEventV1>;
