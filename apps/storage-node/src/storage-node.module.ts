import { type DynamicModule, Module } from '@nestjs/common';
import { HealthRegistry, type JsonLogger, PlatformModule } from '@shardcast/platform';
import type { StorageNodeConfig } from './config/storage-node.config.js';
import { TierDirectories } from './tiers/tier-directories.js';

@Module({})
export class StorageNodeModule {
  static register(config: StorageNodeConfig, logger: JsonLogger): DynamicModule {
    return {
      module: StorageNodeModule,
      imports: [PlatformModule.forRoot({ service: 'storage-node', config, logger })],
      providers: [
        {
          provide: TierDirectories,
          useFactory: (health: HealthRegistry) => {
            const tiers = new TierDirectories({ fast: config.FAST_TIER_DIR, slow: config.SLOW_TIER_DIR });
            health.addDetail('node', () => ({
              nodeId: config.NODE_ID,
              fastTier: tiers.fast,
              slowTier: tiers.slow,
            }));
            return tiers;
          },
          inject: [HealthRegistry],
        },
      ],
    };
  }
}
