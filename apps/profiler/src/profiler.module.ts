import { type DynamicModule, Module } from '@nestjs/common';
import { type JsonLogger, PlatformModule } from '@shardcast/platform';
import type { ProfilerConfig } from './config/profiler.config.js';

@Module({})
export class ProfilerModule {
  static register(config: ProfilerConfig, logger: JsonLogger): DynamicModule {
    return {
      module: ProfilerModule,
      imports: [PlatformModule.forRoot({ service: 'profiler', config, logger })],
    };
  }
}
