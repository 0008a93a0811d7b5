import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JsonLogger, KafkaGateway } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import {
  AccessAggregator,
  DEFAULT_ACCESS_AGGREGATION,
  displayKey,
} from './domain/access-window.aggregator.js';

/**
 * Counts the reads and writes this node serves, per shard, and publishes one summary per
 * active shard to `access` every interval (the profiler turns them into heat).
 */
@Injectable()
export class AccessSummaryPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly aggregator = new AccessAggregator({ ...DEFAULT_ACCESS_AGGREGATION, random: Math.random });
  private windowStartMs = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
    @Inject(KafkaGateway) private readonly gateway: KafkaGateway,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  get enabled(): boolean {
    return this.config.ACCESS_SUMMARY_INTERVAL_MS > 0;
  }

  record(shardId: string, op: 'read' | 'write', hash: bigint, key: Buffer, bytes: number): void {
    if (this.enabled) this.aggregator.record(shardId, op, hash, displayKey(key), bytes);
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.windowStartMs = Date.now();
    this.timer = setInterval(() => void this.publish(), this.config.ACCESS_SUMMARY_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.enabled) await this.publish();
  }

  async publish(): Promise<void> {
    const nowMs = Date.now();
    const windowStartMs = this.windowStartMs;
    this.windowStartMs = nowMs;
    const summaries = this.aggregator.drain();
    if (summaries.size === 0) return;
    const events = [...summaries].map(([shardId, summary]) => ({
      kind: 'summary' as const,
      eventId: randomUUID(),
      node: this.config.NODE_ID,
      shardId,
      windowStartMs,
      windowMs: Math.max(1, nowMs - windowStartMs),
      ...summary,
      sampleHashes: [...summary.sampleHashes],
      topKeys: summary.topKeys.map((entry) => ({ ...entry })),
    }));
    try {
      await this.gateway.publishAll('access', events);
    } catch (error) {
      // A lost summary costs the profiler one second of one node's heat; serving goes on.
      this.logger.event(
        'warn',
        'access summaries not published',
        { shards: events.length, error: (error as Error).message },
        'Access',
      );
    }
  }
}
