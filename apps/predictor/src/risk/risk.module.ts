import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module.js';
import { ModelsModule } from '../models/models.module.js';
import { RiskController } from './risk.controller.js';
import { RiskRepository } from './risk.repository.js';
import { RiskService } from './risk.service.js';

@Module({
  imports: [HistoryModule, ModelsModule],
  controllers: [RiskController],
  providers: [RiskRepository, RiskService],
  exports: [RiskService],
})
export class RiskModule {}
