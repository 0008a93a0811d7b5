import { type DynamicModule, Module } from '@nestjs/common';
import { type JsonLogger, PlatformModule } from '@shardcast/platform';
import type { StorageNodeConfig } from './config/storage-node.config.js';

@Module({})
export class StorageNodeModule {
  static register(config: StorageNodeConfig, logger: JsonLogger): DynamicModule {
    return {
      module: StorageNodeModule,
      imports: [PlatformModule.forRoot({ service: 'storage-node', config, logger })],
    };
  }
}
