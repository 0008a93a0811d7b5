import { Module } from '@nestjs/common';
import { ForecastingModule } from '../forecasting/forecasting.module.js';
import { HistoryModule } from '../history/history.module.js';
import { ModelsModule } from '../models/models.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { PredictorMetrics } from './predictor.metrics.js';
import { PredictorScheduler } from './predictor.scheduler.js';
import { ScheduleRepository } from './schedule.repository.js';

@Module({
  imports: [HistoryModule, SettingsModule, ModelsModule, ForecastingModule, RiskModule],
  providers: [ScheduleRepository, PredictorMetrics, PredictorScheduler],
})
export class SchedulingModule {}
