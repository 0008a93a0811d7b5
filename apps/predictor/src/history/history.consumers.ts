import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type ConsumerHandle, KafkaGateway } from '@shardcast/platform';
import { PREDICTOR_CONFIG } from '../config/predictor-config.module.js';
import type { PredictorConfig } from '../config/predictor.config.js';
import { HistoryRepository } from './history.repository.js';

/**
 * The predictor's inputs: heat (load per shard), node health (samples and lifecycle),
 * the shard map (which node holds which shard) and restore progress (recoveries, which
 * also mark failures). Each consumer only hands its decoded batch to the repository.
 * They start once the app is up and read each topic from its beginning on first start, so a
 * new predictor learns from the history the topics still hold.
 */
@Injectable()
export class HistoryConsumers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly handles: ConsumerHandle[] = [];

  constructor(
    @Inject(KafkaGateway) private readonly kafka: KafkaGateway,
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
  ) {}

  onApplicationBootstrap(): void {
    const group = (name: string): string => `${this.config.TOPIC_PREFIX}predictor.${name}`;
    this.handles.push(
      this.kafka.runConsumer({
        topic: 'heat',
        groupId: group('heat'),
        handle: async (events) => {
          await this.history.recordHeat(
            events.map((e) => e.value),
            this.config.FORECAST_INTERVAL_MS,
          );
        },
      }),
      this.kafka.runConsumer({
        topic: 'nodeHealth',
        groupId: group('node-health'),
        handle: async (events) => {
          await this.history.recordNodeHealth(events.map((e) => e.value));
        },
      }),
      this.kafka.runConsumer({
        topic: 'shardmap',
        groupId: group('shardmap'),
        handle: async (events) => {
          await this.history.recordShardStates(events.map((e) => e.value));
        },
      }),
      this.kafka.runConsumer({
        topic: 'restoreProgress',
        groupId: group('restore-progress'),
        handle: async (events) => {
          await this.history.recordRestoreProgress(events.map((e) => e.value));
        },
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.stop()));
  }
}
