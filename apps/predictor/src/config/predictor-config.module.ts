import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { PredictorConfig } from './predictor.config.js';

/** Injection token of the parsed PredictorConfig. */
export const PREDICTOR_CONFIG = Symbol('PREDICTOR_CONFIG');

@Global()
@Module({})
export class PredictorConfigModule {
  static forRoot(config: PredictorConfig): DynamicModule {
    return {
      module: PredictorConfigModule,
      providers: [{ provide: PREDICTOR_CONFIG, useValue: config }],
      exports: [PREDICTOR_CONFIG],
    };
  }
}
