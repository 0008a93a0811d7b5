import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ShardStateV1 } from '@shardcast/contracts';
import {
  type ConsumedEvent,
  type ConsumerHandle,
  JsonLogger,
  KafkaGateway,
  SERVICE_CONFIG,
} from '@shardcast/platform';
import type { ProfilerConfig } from '../config/profiler.config.js';
import { ShardMapService } from './shard-map.service.js';

/**
 * Follows `shardmap` from the beginning on every start: the topic is compacted and state-carried, so
 * reading it whole rebuilds the map. Each instance reads all of it, hence a group of its own per start.
 */
@Injectable()
export class ShardMapConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private handle: ConsumerHandle | undefined;
  private endOffsets = new Map<number, number>();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ProfilerConfig,
    @Inject(KafkaGateway) private readonly gateway: KafkaGateway,
    @Inject(ShardMapService) private readonly shardMap: ShardMapService,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.readEndOffsets();
    this.handle = this.gateway.runConsumer({
      topic: 'shardmap',
      groupId: `${this.config.TOPIC_PREFIX}${this.config.CONSUMER_GROUP}.shardmap.${randomUUID()}`,
      fromBeginning: true,
      handle: async (events) => this.handleEvents(events),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.handle?.stop();
  }

  private async handleEvents(events: ConsumedEvent<ShardStateV1>[]): Promise<void> {
    for (const event of events) {
      this.shardMap.apply(event.value);
      const end = this.endOffsets.get(event.partition);
      if (end !== undefined && Number(event.offset) + 1 >= end) this.endOffsets.delete(event.partition);
    }
    if (this.endOffsets.size === 0) this.shardMap.markCaughtUp();
  }

  /** What the topic holds now; the map counts as current once it has read that far. */
  private async readEndOffsets(): Promise<void> {
    const admin = this.gateway.kafka.admin();
    try {
      await admin.connect();
      for (let attempt = 1; ; attempt++) {
        try {
          const offsets = await admin.fetchTopicOffsets(this.gateway.topic('shardmap'));
          for (const { partition, high, low } of offsets) {
            if (Number(high) > Number(low)) this.endOffsets.set(partition, Number(high));
          }
          break;
        } catch (error) {
          // A topic created a moment ago may not have a leader yet.
          if (attempt >= END_OFFSET_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
        }
      }
      if (this.endOffsets.size === 0) this.shardMap.markCaughtUp();
    } catch (error) {
      this.logger.event(
        'warn',
        'could not read the shard map topic’s end; routing starts without waiting for it',
        { error: (error as Error).message },
        'ShardMap',
      );
      this.shardMap.markCaughtUp();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

const END_OFFSET_ATTEMPTS = 5;
