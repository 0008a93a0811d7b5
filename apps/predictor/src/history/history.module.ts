import { Module } from '@nestjs/common';
import { HistoryConsumers } from './history.consumers.js';
import { HistoryRepository } from './history.repository.js';
import { RetentionService } from './retention.service.js';

@Module({
  providers: [HistoryRepository, HistoryConsumers, RetentionService],
  exports: [HistoryRepository, RetentionService],
})
export class HistoryModule {}
