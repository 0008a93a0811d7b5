import { baseConfigShape, loadConfigOrExit } from '@shardcast/platform';
import { z } from 'zod';

export const storageNodeConfigShape = {
  ...baseConfigShape({ name: 'storage-node', defaultPort: 4100 }),
  NODE_ID: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'a-z, 0-9 and "-", at most 64 characters')
    .default('node-1')
    .describe('this storage-node’s id, unique in the cluster'),
  FAST_TIER_DIR: z
    .string()
    .min(1)
    .default('.run/nodes/node-1/fast')
    .describe('directory of the fast tier (SSD/NVMe)'),
  SLOW_TIER_DIR: z
    .string()
    .min(1)
    .default('.run/nodes/node-1/slow')
    .describe('directory of the slow tier (HDD)'),
};

export type StorageNodeConfig = z.output<z.ZodObject<typeof storageNodeConfigShape>>;

export const loadStorageNodeConfig = (): StorageNodeConfig => loadConfigOrExit(storageNodeConfigShape);
