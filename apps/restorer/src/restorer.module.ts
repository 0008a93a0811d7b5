import { type DynamicModule, Module } from '@nestjs/common';
import { type JsonLogger, PlatformModule } from '@shardcast/platform';
import type { RestorerConfig } from './config/restorer.config.js';

@Module({})
export class RestorerModule {
  static register(config: RestorerConfig, logger: JsonLogger): DynamicModule {
    return {
      module: RestorerModule,
      imports: [PlatformModule.forRoot({ service: 'restorer', config, logger })],
    };
  }
}
