import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { JsonLogger, KafkaGateway, SERVICE_CONFIG } from '@shardcast/platform';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { ProfilerConfig } from '../config/profiler.config.js';
import { HeatService } from '../heat/heat.service.js';
import { ShardMapService } from '../shard-map/shard-map.service.js';

/** How long routing waits for the shard map to catch up before starting anyway. */
const SHARD_MAP_WAIT_MS = 15_000;

/**
 * Reads `access` for the profiler's consumer group and hands each batch to the lane of its partition:
 * raw events are counted by stage 1, summaries by stage 2; undecodable ones go to the dead-letter topic.
 *
 * A kafkajs consumer of its own rather than `KafkaGateway.runConsumer`, for three things the gateway
 * does not offer: the partition assignment (`GROUP_JOIN`), which decides which heat this instance
 * holds; offsets committed only through the per-partition Kafka transactions (never by the consumer);
 * and stage 1 on a thread of its own (see `StageOneChannel`). Dead letters keep the gateway's headers and metric.
 */
@Injectable()
export class AccessConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private consumer: Consumer | undefined;
  private stopped = false;
  private restarting = false;
  private topicName = '';

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ProfilerConfig,
    @Inject(KafkaGateway) private readonly gateway: KafkaGateway,
    @Inject(HeatService) private readonly heat: HeatService,
    @Inject(ShardMapService) private readonly shardMap: ShardMapService,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  // Consumers start after the app is up, and in the background: /health must answer while Kafka is away.
  onApplicationBootstrap(): void {
    void this.startWhenReady();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    // Stop taking batches, make what was taken durable, then leave the group.
    await this.consumer?.stop().catch(() => undefined);
    await this.heat.flushAll().catch((error: unknown) => {
      this.logger.event(
        'warn',
        'final flush failed; the next owner replays from the last one',
        { error: (error as Error).message },
        'Access',
      );
    });
    await this.stopConsumer();
  }

  private async startWhenReady(): Promise<void> {
    const current = await this.shardMap.waitUntilCaughtUp(SHARD_MAP_WAIT_MS);
    if (!current)
      this.logger.event('warn', 'shard map not caught up in time; routing with what is known', {}, 'Access');
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.start();
        return;
      } catch (error) {
        await this.stopConsumer();
        this.logger.event(
          'warn',
          'access consumer could not start; retrying',
          { attempt, error: (error as Error).message },
          'Access',
        );
        await sleep(Math.min(5_000, 500 * attempt));
      }
    }
  }

  private async start(): Promise<void> {
    this.topicName = this.gateway.topic('access');
    const partitions = await this.partitionCount();
    const consumer = this.gateway.createConsumer({
      groupId: this.heat.groupId,
      // Stage 2 must see a stage-1 summary only once the transaction holding it (and its offset) commits.
      readUncommitted: false,
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
      maxWaitTimeInMs: 250,
      // Rebalances (an instance joining or leaving) are noticed on the next heartbeat.
      heartbeatInterval: 1_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.heat.assign(payload.memberAssignment[this.topicName] ?? []);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.restart(payload.error);
    });
    this.heat.attach({ name: this.topicName, partitions }, (error) => this.restart(error));
    await consumer.connect();
    await consumer.subscribe({ topic: this.topicName, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.logger.event(
      'info',
      'access consumer started',
      { topic: this.topicName, partitions, groupId: this.heat.groupId },
      'Access',
    );
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale()) return;
    // Stage 1 reads batches on its own thread; when it falls behind, the consumer waits for it.
    await this.heat.stageOneRoom();
    const lane = await this.heat.lane(batch.partition);
    if (!lane || !payload.isRunning() || payload.isStale()) return;
    try {
      // Raw events are counted by stage 1; summaries and dead letters come back to the lane, and are
      // applied and sent before the flush whose offset passes them.
      lane.take(batch.messages);
    } catch (error) {
      this.restart(error as Error);
      return;
    }
    payload.resolveOffset(batch.lastOffset());
    if (batch.offsetLag() === '0') this.heat.caughtUp(lane);
  }

  private restart(error: Error): void {
    if (this.restarting || this.stopped) return;
    this.restarting = true;
    this.logger.event('warn', 'restarting the access consumer', { error: error.message }, 'Access');
    void (async () => {
      await this.stopConsumer();
      await sleep(1_000);
      this.restarting = false;
      await this.startWhenReady();
    })();
  }

  private async stopConsumer(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
    await this.heat.releaseAll();
  }

  private async partitionCount(): Promise<number> {
    const admin = this.gateway.kafka.admin();
    try {
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: [this.topicName] });
      const count = topics[0]?.partitions.length ?? 0;
      if (count === 0) throw new Error(`topic ${this.topicName} has no partitions (does it exist?)`);
      return count;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
