import { Inject, Injectable } from '@nestjs/common';
import { JsonLogger } from '@shardcast/platform';
import { PREDICTOR_CONFIG } from '../config/predictor-config.module.js';
import type { PredictorConfig } from '../config/predictor.config.js';
import { HistoryRepository } from './history.repository.js';

/** Deletes history past its retention (run hourly by the scheduler). */
@Injectable()
export class RetentionService {
  constructor(
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  async prune(nowMs: number): Promise<Record<string, number>> {
    const deleted = await this.history.deleteOlderThan(
      nowMs - this.config.HISTORY_RETENTION_MS,
      nowMs - this.config.HEALTH_RETENTION_MS,
    );
    if (Object.values(deleted).some((n) => n > 0)) {
      this.logger.event('info', 'history past retention deleted', { deleted }, 'Retention');
    }
    return deleted;
  }
}
