import { Inject, Injectable, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { encodeEvent, keyHash } from '@shardcast/contracts';
import {
  JsonLogger,
  KafkaGateway,
  MessagingMetrics,
  SERVICE_CONFIG,
  injectTraceHeaders,
} from '@shardcast/platform';
import { type Admin, Partitioners } from 'kafkajs';
import { StageOneChannel } from '../access/stage-one-channel.js';
import type { ProfilerConfig } from '../config/profiler.config.js';
import { ShardMapService } from '../shard-map/shard-map.service.js';
import { SettingsService } from '../settings/settings.service.js';
import { PartitionHeat, type HeatConfig, type PartitionHeatOptions } from './domain/index.js';
import { heatEvent, seriesRow, summaryEvent } from './heat-events.js';
import { HeatRepository } from './heat.repository.js';
import { PartitionLane, type LaneContext } from './partition-lane.js';
import { ProfilerMetrics } from './profiler.metrics.js';

export interface AccessTopic {
  /** Wire name (with the environment's prefix). */
  name: string;
  partitions: number;
}

const PRUNE_EVERY_MS = 60_000;

/**
 * Owns the heat of the `access` partitions assigned to this instance (one `PartitionLane` each) and
 * makes it durable on a fixed tick (and, for a partition read to its end, sooner: `caughtUp`). Each
 * flush takes the lane's cut (`PartitionLane.cut`), then, in this order:
 *
 *   0. the dead letters of messages below the cut, to the dead-letter topic;
 *   1. Postgres, one transaction: the stage-2 state and the offset it reflects, the time-series rows
 *      and heat events of intervals that closed, heat handed over by retired shards, pieces taken;
 *   2. Kafka, one transaction of the partition's own transactional producer: the stage-1 summaries
 *      of the raw events read since the last tick, and the consumer offset after them;
 *   3. the heat events, from the Postgres outbox to the `heat` topic.
 *
 * (1) before (2) keeps the checkpoint's offset at or beyond the committed one, so whoever restores the
 * partition never misses a summary. (2) makes stage 1 exactly-once: summaries and the offset that says
 * their raw events are done become visible together, or not at all. The transactional id is per
 * partition, so the instance that takes a partition over fences the one that had it (a late commit of
 * the old owner is refused by the broker). Any failure drops every lane and restarts the consumer,
 * which then resumes from what (1) and (2) made durable.
 */
@Injectable()
export class HeatService implements OnModuleDestroy, OnApplicationShutdown {
  readonly groupId: string;
  private readonly lanes = new Map<number, PartitionLane>();
  /** Restores under way, with the assignment generation they started in. */
  private readonly loading = new Map<number, { generation: number; promise: Promise<PartitionLane> }>();
  private assigned = new Set<number>();
  private generation = 0;
  private topic: AccessTopic | undefined;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private appliedSettingsVersion: number;
  private reconciledMapVersion = -1;
  private lanesChanged = false;
  private lastPruneMs = 0;
  private onFailure: ((error: Error) => void) | undefined;
  private readonly stageOne: StageOneChannel;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ProfilerConfig,
    @Inject(KafkaGateway) private readonly gateway: KafkaGateway,
    @Inject(HeatRepository) private readonly repository: HeatRepository,
    @Inject(ShardMapService) private readonly shardMap: ShardMapService,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(ProfilerMetrics) private readonly metrics: ProfilerMetrics,
    @Inject(MessagingMetrics) private readonly messaging: MessagingMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {
    this.groupId = `${config.TOPIC_PREFIX}${config.CONSUMER_GROUP}`;
    this.appliedSettingsVersion = settings.settings.version;
    this.stageOne = new StageOneChannel(config.STAGE_ONE_THREAD ? 'thread' : 'inline', (error) => {
      this.logger.event(
        'error',
        'stage 1 failed; restarting the access consumer',
        { error: error.message },
        'Heat',
      );
      this.onFailure?.(error);
    });
  }

  /** Undefined when stage 1 takes another batch now, else a promise of when it will. */
  stageOneRoom(): Promise<void> | undefined {
    return this.stageOne.room();
  }

  /** The access consumer is up: remember the topic's shape and start ticking. */
  attach(topic: AccessTopic, onFailure: (error: Error) => void): void {
    this.topic = topic;
    this.onFailure = onFailure;
    if (this.timer === undefined && !this.stopped) this.schedule();
  }

  /** The partition a shard's summaries are keyed to: murmur2 of its id, as every producer's default partitioner does. */
  homePartition(shardId: string): number {
    const partitions = this.topic?.partitions ?? 1;
    return this.partitioner({
      topic: this.topic?.name ?? '',
      partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
        partitionErrorCode: 0,
      })),
      message: { key: shardId, value: null },
    });
  }

  /**
   * The lane has read everything its partition holds: flush it now rather than on the tick, so the
   * end of a burst is fresh at once. No sooner than FLUSH_CAUGHT_UP_MS after its last flush, which
   * bounds the flushes of a lane that is always caught up (a steady trickle); only when it has taken
   * something in since the last one.
   */
  caughtUp(lane: PartitionLane): void {
    const { FLUSH_CAUGHT_UP_MS, FLUSH_INTERVAL_MS } = this.config;
    if (FLUSH_CAUGHT_UP_MS >= FLUSH_INTERVAL_MS || this.stopped) return;
    if (lane.caughtUpFlush !== undefined || !lane.takenSinceCommit) return;
    const waitMs = Math.max(0, lane.lastFlushMs + FLUSH_CAUGHT_UP_MS - Date.now());
    lane.caughtUpFlush = setTimeout(() => {
      lane.caughtUpFlush = undefined;
      // The tick may have flushed it meanwhile: then there is nothing to flush early.
      if (this.stopped || this.lanes.get(lane.partition) !== lane || !lane.takenSinceCommit) return;
      void this.flushLane(lane);
    }, waitMs);
  }

  /** A new assignment (the group rebalanced): lanes of partitions no longer ours are dropped at once. */
  assign(partitions: number[]): void {
    this.generation++;
    this.assigned = new Set(partitions);
    for (const [partition, lane] of this.lanes) {
      if (!this.assigned.has(partition)) {
        this.lanes.delete(partition);
        void this.close(lane);
      }
    }
    this.metrics.ownedPartitions.set(this.assigned.size);
    this.logger.event(
      'info',
      'access partitions assigned',
      { partitions: [...this.assigned].sort((a, b) => a - b) },
      'Heat',
    );
    // Restore now rather than on the first batch, so the first accesses after a rebalance are not held up.
    for (const partition of this.assigned) {
      this.lane(partition).catch((error: unknown) => {
        this.logger.event(
          'warn',
          'could not take a partition on yet',
          { partition, error: (error as Error).message },
          'Heat',
        );
      });
    }
  }

  /** Partitions assigned to this instance, restored or not yet. */
  assignedPartitions(): number[] {
    return [...this.assigned].sort((a, b) => a - b);
  }

  /**
   * Makes everything taken in durable (on a graceful shutdown, before leaving the group), so the next
   * owner of each partition resumes where this one stopped instead of replaying a flush.
   */
  async flushAll(): Promise<void> {
    await this.ticking;
    await Promise.all([...this.lanes.values()].map((lane) => this.flushLane(lane)));
  }

  /** Drops every lane (the consumer stopped); what was not flushed is replayed by the next owner. */
  async releaseAll(): Promise<void> {
    const lanes = [...this.lanes.values()];
    this.assign([]);
    await Promise.all(lanes.map((lane) => this.close(lane)));
  }

  /** The lane of an owned partition, restored on first use; undefined when the partition is not ours. */
  async lane(partition: number): Promise<PartitionLane | undefined> {
    if (!this.assigned.has(partition)) return undefined;
    const ready = this.lanes.get(partition);
    if (ready) return ready;
    let loading = this.loading.get(partition);
    if (!loading || loading.generation !== this.generation) {
      const promise: Promise<PartitionLane> = this.load(partition).finally(() => {
        if (this.loading.get(partition)?.promise === promise) this.loading.delete(partition);
      });
      loading = { generation: this.generation, promise };
      this.loading.set(partition, loading);
    }
    const lane = await loading.promise;
    if (this.lanes.get(partition) === lane) return lane;
    if (
      this.generation !== loading.generation ||
      !this.assigned.has(partition) ||
      this.lanes.has(partition)
    ) {
      // The group moved while restoring: what was read may already be someone else's past.
      await this.close(lane);
      return this.lanes.get(partition);
    }
    this.lanes.set(partition, lane);
    this.lanesChanged = true;
    return lane;
  }

  ownedLanes(): PartitionLane[] {
    return [...this.lanes.values()];
  }

  heatOptions(): PartitionHeatOptions {
    return {
      heat: this.heatConfig(),
      intervalMs: this.settings.settings.settings.intervalMs,
      allowedLatenessMs: this.config.ALLOWED_LATENESS_MS,
      maxFutureMs: this.config.MAX_FUTURE_MS,
    };
  }

  heatConfig(): HeatConfig {
    const { settings } = this.settings.settings;
    return {
      halfLifeMs: settings.halfLifeMs,
      thresholds: settings.thresholds,
      bucketCount: this.config.HASH_BUCKETS,
      topKeyCapacity: this.config.TOP_KEYS,
      minSplitSamples: this.config.MIN_SPLIT_SAMPLES,
      keyHash: (key) => keyHash(key),
    };
  }

  // The access consumer flushes and releases the lanes when it stops (it knows when batches have
  // stopped coming); here the tick stops, and whatever is left is let go once the app shuts down.
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.releaseAll();
    await this.stageOne.stop();
    await this.admin?.disconnect().catch(() => undefined);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        if (!this.stopped) this.schedule();
      });
    }, this.config.FLUSH_INTERVAL_MS);
  }

  private async tick(): Promise<void> {
    try {
      await this.followSettings();
      const nowMs = Date.now();
      const mapChanged = this.shardMap.map.version !== this.reconciledMapVersion;
      if (mapChanged || this.lanesChanged) {
        this.reconciledMapVersion = this.shardMap.map.version;
        this.lanesChanged = false;
        for (const lane of this.lanes.values()) lane.reconcile(nowMs);
      }
      if (this.shardMap.map.all().some((record) => record.status === 'retired') && this.lanes.size > 0) {
        const handoffs = await this.repository.openHandoffs();
        const config = this.heatConfig();
        for (const lane of this.lanes.values()) lane.claim(handoffs, config);
      }
      await Promise.all([...this.lanes.values()].map((lane) => this.flushLane(lane)));
      this.observe(nowMs);
      await this.pruneIfDue(nowMs);
    } catch (error) {
      this.logger.event('warn', 'heat tick failed', { error: (error as Error).message }, 'Heat');
    }
  }

  private async followSettings(): Promise<void> {
    const { version } = await this.settings.refresh();
    if (version === this.appliedSettingsVersion) return;
    this.appliedSettingsVersion = version;
    const options = this.heatOptions();
    for (const lane of this.lanes.values()) {
      lane.heat.reconfigure(options);
      lane.markDirty();
    }
    this.logger.event(
      'info',
      'heat settings applied',
      { version, settings: this.settings.settings.settings },
      'Heat',
    );
  }

  private async flushLane(lane: PartitionLane): Promise<void> {
    const flushing = lane.flushing.then(() => this.flush(lane));
    lane.flushing = flushing.catch(() => undefined);
    try {
      await flushing;
    } catch (error) {
      if (this.lanes.get(lane.partition) !== lane) return; // revoked meanwhile: its new owner resumes from the last durable cut
      this.logger.event(
        'error',
        'flush failed; restarting the access consumer',
        { partition: lane.partition, error: (error as Error).message },
        'Heat',
      );
      this.onFailure?.(error as Error);
    }
  }

  private async flush(lane: PartitionLane): Promise<void> {
    const topic = this.topic;
    if (!topic) return;
    const nowMs = Date.now();
    lane.lastFlushMs = nowMs;
    const stopTimer = this.metrics.flushSeconds.startTimer();
    const cut = await lane.cut(nowMs);
    // Before the offset that passes them commits: a crash in between sends them again, never loses them.
    if (cut.deadLetters.length > 0)
      await this.gateway.deadLetterAll('access', lane.partition, cut.deadLetters);
    if (cut.state !== undefined) {
      const events = cut.reports.map((report) => heatEvent(report, nowMs));
      await this.repository.checkpoint(lane.partition, {
        nextOffset: cut.summaryOffset,
        state: cut.state,
        pending: cut.pending,
        series: cut.reports.map(seriesRow),
        outbox: events,
        handoffs: cut.handoffs,
        claims: cut.claims,
      });
      lane.checkpointedNext = cut.summaryOffset;
      lane.outbox.push(...events);
    }
    if (cut.summaries.length > 0 || cut.rawOffset > lane.committedNext) {
      const messages = cut.summaries.map((summary) => {
        const encoded = encodeEvent(
          'access',
          summaryEvent(summary, lane.partition, cut.firstRawOffset ?? cut.rawOffset),
        );
        return { key: encoded.key, value: encoded.value, headers: injectTraceHeaders(encoded.headers) };
      });
      const transaction = await lane.producer.transaction();
      try {
        if (messages.length > 0) await transaction.send({ topic: topic.name, messages, acks: -1 });
        await transaction.sendOffsets({
          consumerGroupId: this.groupId,
          topics: [
            { topic: topic.name, partitions: [{ partition: lane.partition, offset: String(cut.rawOffset) }] },
          ],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
      lane.committedNext = cut.rawOffset;
      if (messages.length > 0) this.messaging.published.inc({ topic: 'access' }, messages.length);
    }
    if (lane.outbox.length > 0) {
      const events = lane.outbox;
      await this.gateway.publishAll('heat', events);
      await this.repository.deleteOutbox(events.map((event) => event.eventId));
      lane.outbox = lane.outbox.slice(events.length);
      this.metrics.heatPublished.inc(events.length);
    }
    stopTimer();
  }

  /** Takes a partition on: fence its previous owner, then read where both stages stopped. */
  private async load(partition: number): Promise<PartitionLane> {
    const producer = this.gateway.createProducer({
      transactionalId: `${this.groupId}.access.${partition}`,
      maxInFlightRequests: 1,
      idempotent: true,
      transactionTimeout: 30_000,
      // The broker answers CONCURRENT_TRANSACTIONS for a few ms after each commit; retry quickly.
      retry: { initialRetryTime: 10, maxRetryTime: 500, retries: 30 },
    });
    let lane: PartitionLane | undefined;
    try {
      await producer.connect();
      const committed = await this.committedOffset(partition);
      const saved = await this.repository.loadPartition(partition);
      const options = this.heatOptions();
      const heat = saved ? PartitionHeat.fromState(saved.state, options) : new PartitionHeat(options);
      const nowMs = Date.now();
      heat.takenOn(nowMs);
      const context: LaneContext = {
        map: this.shardMap.map,
        home: (shardId) => this.homePartition(shardId),
        metrics: this.metrics,
        stageOne: this.stageOne,
        consumed: (count) => this.messaging.consumed.inc({ topic: 'access' }, count),
      };
      lane = new PartitionLane(partition, producer, heat, context, {
        rawFloor: committed,
        summaryFloor: saved?.nextOffset ?? 0,
        pending: saved?.pending ?? [],
        outbox: saved?.outbox ?? [],
        windowMs: this.config.SUMMARY_WINDOW_MS,
        sampleSize: this.config.SUMMARY_SAMPLE_HASHES,
        topKeyCount: this.config.SUMMARY_TOP_KEYS,
      });
      lane.reconcile(nowMs);
      this.logger.event(
        'info',
        'access partition taken on',
        {
          partition,
          committedOffset: committed,
          checkpointOffset: saved?.nextOffset ?? null,
          shards: heat.size,
        },
        'Heat',
      );
      return lane;
    } catch (error) {
      lane?.release(); // its stage-1 lane, opened by the constructor
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** The group's committed offset for a partition, read after fencing so no late commit can follow it. */
  private async committedOffset(partition: number): Promise<number> {
    const topic = this.topic!;
    if (!this.admin) {
      const admin = this.gateway.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const [offsets] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [topic.name] });
    const offset = Number(offsets?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
    return offset >= 0 ? offset : 0;
  }

  private async close(lane: PartitionLane): Promise<void> {
    clearTimeout(lane.caughtUpFlush);
    await lane.flushing;
    lane.release();
    await lane.producer.disconnect().catch(() => undefined);
  }

  private observe(nowMs: number): void {
    let shards = 0;
    this.metrics.watermarkLag.reset();
    for (const lane of this.lanes.values()) {
      shards += lane.heat.size;
      const watermark = lane.heat.watermarkMs;
      if (watermark !== null)
        this.metrics.watermarkLag.set({ partition: String(lane.partition) }, (nowMs - watermark) / 1000);
    }
    this.metrics.trackedShards.set(shards);
  }

  private async pruneIfDue(nowMs: number): Promise<void> {
    if (nowMs - this.lastPruneMs < PRUNE_EVERY_MS) return;
    this.lastPruneMs = nowMs;
    const pruned = await this.repository.prune(nowMs - this.config.SERIES_RETENTION_MS);
    if (pruned.intervals > 0 || pruned.handoffs > 0)
      this.logger.event('info', 'retention applied', pruned, 'Heat');
  }
}
