import { type DynamicModule, Module } from '@nestjs/common';
import { type JsonLogger, PlatformModule } from '@shardcast/platform';
import type { PredictorConfig } from './config/predictor.config.js';

@Module({})
export class PredictorModule {
  static register(config: PredictorConfig, logger: JsonLogger): DynamicModule {
    return {
      module: PredictorModule,
      imports: [PlatformModule.forRoot({ service: 'predictor', config, logger })],
    };
  }
}
