import { type DynamicModule, Module } from '@nestjs/common';
import { type JsonLogger, PlatformModule } from '@shardcast/platform';
import { PredictorConfigModule } from './config/predictor-config.module.js';
import type { PredictorConfig } from './config/predictor.config.js';
import { CreatePredictorSchema1732600000000 } from './database/predictor-schema.migration.js';
import { ForecastingModule } from './forecasting/forecasting.module.js';
import { HistoryModule } from './history/history.module.js';
import { ModelsModule } from './models/models.module.js';
import { RiskModule } from './risk/risk.module.js';
import { SchedulingModule } from './scheduling/scheduling.module.js';
import { SettingsModule } from './settings/settings.module.js';

@Module({})
export class PredictorModule {
  static register(config: PredictorConfig, logger: JsonLogger): DynamicModule {
    return {
      module: PredictorModule,
      imports: [
        PlatformModule.forRoot({
          service: 'predictor',
          config,
          logger,
          migrations: [CreatePredictorSchema1732600000000],
        }),
        PredictorConfigModule.forRoot(config),
        HistoryModule,
        SettingsModule,
        ModelsModule,
        ForecastingModule,
        RiskModule,
        SchedulingModule,
      ],
    };
  }
}
