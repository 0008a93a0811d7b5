import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module.js';
import { ModelsModule } from '../models/models.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { ForecastingRepository } from './forecasting.repository.js';
import { ForecastingService } from './forecasting.service.js';
import { ForecastsController } from './forecasts.controller.js';
import { HintsController } from './hints/hints.controller.js';
import { HintsRepository } from './hints/hints.repository.js';
import { HintsService } from './hints/hints.service.js';

@Module({
  imports: [HistoryModule, SettingsModule, ModelsModule],
  controllers: [ForecastsController, HintsController],
  providers: [ForecastingRepository, ForecastingService, HintsRepository, HintsService],
  exports: [ForecastingService, HintsRepository],
})
export class ForecastingModule {}
