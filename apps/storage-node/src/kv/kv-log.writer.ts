import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type Producer } from 'kafkajs';
import { Histogram, Registry } from 'prom-client';
import { KafkaGateway } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { type LogPosition } from './domain/index.js';
import { KvLogOffsets } from './kv-log.offsets.js';
import { type AppendRequest, LogAppender } from './log-appender.js';

/**
 * The write path into kv.log: idempotent producers (acks=all) behind the group-commit
 * appender. Records carry an explicit partition (the static hash range of the key), so
 * the producers' own partitioner never decides where a key goes.
 */
@Injectable()
export class KvLogWriter implements OnApplicationShutdown {
  private readonly producers: Producer[];
  private readonly connected: (Promise<void> | undefined)[];
  private readonly appender: LogAppender;
  private readonly batchRecords: Histogram;

  constructor(
    @Inject(STORAGE_NODE_CONFIG) config: StorageNodeConfig,
    @Inject(KafkaGateway) gateway: KafkaGateway,
    @Inject(KvLogOffsets) offsets: KvLogOffsets,
    @Inject(Registry) registry: Registry,
  ) {
    this.producers = Array.from({ length: config.PRODUCERS }, () => gateway.createProducer());
    this.connected = this.producers.map(() => undefined);
    this.batchRecords = new Histogram({
      name: 'shardcast_storage_produce_batch_records',
      help: 'Records per kv.log produce request (group commit)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      registers: [registry],
    });
    this.appender = new LogAppender(
      async (lane, records) => {
        await this.connect(lane);
        this.batchRecords.observe(records.length);
        const metadata = await this.producers[lane]!.send({
          topic: offsets.topic,
          acks: -1,
          messages: records.map((record) => ({
            partition: record.partition,
            key: record.key,
            value: record.value,
            headers: record.headers,
          })),
        });
        return metadata.map((entry) => ({
          partition: entry.partition,
          baseOffset: entry.baseOffset ?? '-1',
        }));
      },
      {
        lanes: config.PRODUCERS,
        maxBatchRecords: config.PRODUCE_MAX_BATCH_RECORDS,
        lingerMs: config.PRODUCE_LINGER_MS,
      },
    );
  }

  append(request: AppendRequest, timeoutMs: number): Promise<LogPosition> {
    return this.appender.append(request, timeoutMs);
  }

  appendAll(requests: readonly AppendRequest[], timeoutMs: number): Promise<LogPosition[]> {
    return this.appender.appendAll(requests, timeoutMs);
  }

  /** Records per produce request so far, on average. */
  averageBatch(): number {
    return this.appender.stats.requests === 0
      ? 0
      : this.appender.stats.records / this.appender.stats.requests;
  }

  async onApplicationShutdown(): Promise<void> {
    this.appender.close();
    await Promise.allSettled(this.producers.map((producer) => producer.disconnect()));
  }

  private async connect(lane: number): Promise<void> {
    this.connected[lane] ??= this.producers[lane]!.connect().catch((error: unknown) => {
      this.connected[lane] = undefined;
      throw error;
    });
    await this.connected[lane];
  }
}
