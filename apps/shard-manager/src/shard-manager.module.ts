import { type DynamicModule, Module } from '@nestjs/common';
import { type JsonLogger, PlatformModule } from '@shardcast/platform';
import type { ShardManagerConfig } from './config/shard-manager.config.js';

@Module({})
export class ShardManagerModule {
  static register(config: ShardManagerConfig, logger: JsonLogger): DynamicModule {
    return {
      module: ShardManagerModule,
      imports: [PlatformModule.forRoot({ service: 'shard-manager', config, logger })],
    };
  }
}
