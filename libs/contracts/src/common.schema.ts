import { z } from 'zod';

const DECIMAL_U64 = /^(0|[1-9][0-9]{0,19})$/;

// zod runs every check even after one failed, so the range checks guard BigInt() themselves:
// BigInt("4s2") would throw out of the decoder instead of failing validation.
const fitsBelow = (limit: bigint) => (s: string) => DECIMAL_U64.test(s) && BigInt(s) < limit;

/** A u64 on the wire: decimal string, since JSON numbers lose precision above 2^53. */
export const u64String = z
  .string()
  .regex(DECIMAL_U64, 'must be a decimal u64 string')
  .refine(fitsBelow(1n << 64n), 'must be below 2^64')
  .describe('unsigned 64-bit integer as a decimal string');

export const hashRangeSchema = z
  .object({
    lo: u64String.describe('inclusive lower bound of the hash range'),
    hi: z
      .string()
      .regex(DECIMAL_U64, 'must be a decimal u64 string')
      .refine(fitsBelow((1n << 64n) + 1n), 'must be at most 2^64')
      .describe('exclusive upper bound of the hash range (up to 2^64)'),
  })
  .refine(
    (r) => !DECIMAL_U64.test(r.lo) || !DECIMAL_U64.test(r.hi) || BigInt(r.lo) < BigInt(r.hi),
    'lo must be below hi',
  )
  .describe('half-open range [lo, hi) of the 64-bit key-hash space');

export const eventId = z
  .string()
  .min(1)
  .max(128)
  .describe('unique id of this event; consumers dedupe on it (Kafka delivers at least once)');

export const epochMs = z.number().int().nonnegative().describe('milliseconds since the Unix epoch (UTC)');
export const nodeId = z.string().min(1).max(128).describe('storage-node id');
export const shardId = z.string().min(1).max(128).describe('shard id');
export const nonNegative = z.number().finite().nonnegative();
export const probability = z.number().min(0).max(1);
export const tier = z.enum(['fast', 'slow']).describe('storage tier: fast (SSD/NVMe) or slow (HDD)');
