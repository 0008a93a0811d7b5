import { baseConfigShape, loadConfigOrExit } from '@shardcast/platform';
import type { z } from 'zod';

export const storageNodeConfigShape = {
  ...baseConfigShape({ name: 'storage-node', defaultPort: 4100 }),
};

export type StorageNodeConfig = z.output<z.ZodObject<typeof storageNodeConfigShape>>;

export const loadStorageNodeConfig = (): StorageNodeConfig => loadConfigOrExit(storageNodeConfigShape);
