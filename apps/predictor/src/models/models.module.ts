import { Module } from '@nestjs/common';
import { TfjsRuntime } from '../forecasting/lstm/tfjs-runtime.service.js';
import { HistoryModule } from '../history/history.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { ModelRepository } from './model.repository.js';
import { ModelTrainingService } from './model-training.service.js';
import { ModelsController } from './models.controller.js';
import { ServingModels } from './serving-models.service.js';

@Module({
  imports: [HistoryModule, SettingsModule],
  controllers: [ModelsController],
  providers: [TfjsRuntime, ModelRepository, ServingModels, ModelTrainingService],
  exports: [TfjsRuntime, ServingModels, ModelTrainingService],
})
export class ModelsModule {}
