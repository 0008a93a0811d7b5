import { z } from 'zod';

const u64 = z.string().regex(/^(0|[1-9][0-9]{0,19})$/, 'must be a decimal integer string');
const shardId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/);
const tier = z.enum(['fast', 'slow']);

/**
 * The `params` of each job type a storage-node runs (the jobs.v1 contract leaves them
 * free-form; these are what this node accepts, and the README lists them).
 */
export const JOB_PARAMS = {
  split: z.object({ at: u64, left: shardId, right: shardId }).strict(),
  merge: z.object({ with: shardId, into: shardId, tier: tier.optional() }).strict(),
  'tier-move': z.object({ tier }).strict(),
  checkpoint: z
    .object({ tier: tier.default('slow'), kind: z.enum(['fast-restore', 'standard']).default('standard') })
    .strict(),
  restore: z.object({ checkpointId: z.string().min(1).max(256), tier: tier.optional() }).strict(),
  migrate: z
    .object({
      checkpointId: z.string().min(1).max(256).optional(),
      lo: u64.optional(),
      hi: u64.optional(),
      tier: tier.default('fast'),
    })
    .strict(),
} as const;
