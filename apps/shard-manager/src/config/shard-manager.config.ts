import { baseConfigShape, loadConfigOrExit } from '@shardcast/platform';
import type { z } from 'zod';

export const shardManagerConfigShape = {
  ...baseConfigShape({ name: 'shard-manager', defaultPort: 4003 }),
};

export type ShardManagerConfig = z.output<z.ZodObject<typeof shardManagerConfigShape>>;

export const loadShardManagerConfig = (): ShardManagerConfig => loadConfigOrExit(shardManagerConfigShape);
