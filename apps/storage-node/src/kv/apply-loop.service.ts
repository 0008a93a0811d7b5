import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  AssignerProtocol,
  type Consumer,
  type EachBatchPayload,
  type KafkaMessage,
  type PartitionAssigner,
} from 'kafkajs';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { keyHash } from '@shardcast/contracts';
import { JsonLogger, KafkaGateway } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { type ApplyCursor, ReplicaSetService } from '../replicas/replica-set.service.js';
import { type Replica } from '../replicas/replica.js';
import { ApplyProgress, type WriteOutcome } from './apply-progress.js';
import {
  decideApply,
  decodeLogRecord,
  decodeStoredValue,
  encodeStoredKey,
  encodeStoredValue,
  LOG_META_HEADER,
  type LogRecord,
  planApplyBatch,
  StoredDataCorruptError,
} from './domain/index.js';
import { KvLogOffsets } from './kv-log.offsets.js';

/** A consumed kv.log message, decoded once per batch and shared by every replica it concerns. */
interface ConsumedRecord {
  readonly partition: number;
  readonly offset: bigint;
  /** Undefined when the message is not a valid log record: its offset still counts as consumed. */
  readonly record: LogRecord | undefined;
  readonly hash: bigint;
}

/**
 * Gives the node's own consumer group's single member every partition it needs. kafkajs
 * has no manual assign() (its issue #373), so a group of one with this assigner stands in
 * for it; where to read from comes from LMDB, never from the group's committed offsets.
 */
function allNeededPartitionsAssigner(topic: string, partitions: () => readonly number[]): PartitionAssigner {
  return () => ({
    name: 'shardcast-needed-partitions',
    version: 1,
    async assign({ members }) {
      // Every member gets all of them: there is one per node, and its LMDB offsets decide what it applies.
      return members.map((member) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: { [topic]: [...partitions()] },
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: 'shardcast-needed-partitions',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
      };
    },
  });
}

/**
 * The apply loop: consumes the kv.log partitions the node's replicas overlap and applies
 * each batch to every replica concerned in offset order, the records' effects and the new
 * applied offsets in one LMDB transaction per replica. A crash therefore never applies a
 * record twice or skips one: after a restart the replica resumes one past what LMDB says.
 */
@Injectable()
export class ApplyLoopService implements OnApplicationBootstrap, OnModuleDestroy, ApplyCursor {
  private consumer: Consumer | undefined;
  private assigned: readonly number[] = [];
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly lagByPartition = new Map<number, bigint>();
  private readonly groupId: string;
  private readonly lag: Gauge<'partition'>;
  private readonly appliedRecords: Counter;
  private readonly rejectedRecords: Counter;
  private readonly batchSeconds: Histogram;

  constructor(
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
    @Inject(KafkaGateway) private readonly gateway: KafkaGateway,
    @Inject(ReplicaSetService) private readonly replicaSet: ReplicaSetService,
    @Inject(ApplyProgress) private readonly progress: ApplyProgress,
    @Inject(KvLogOffsets) private readonly offsets: KvLogOffsets,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    @Inject(Registry) registry: Registry,
  ) {
    this.groupId = `${gateway.topicPrefix}storage-node.${config.NODE_ID}.apply`;
    this.lag = new Gauge({
      name: 'shardcast_storage_apply_lag_records',
      help: 'Records of kv.log not yet applied, per partition (log end − 1 − least applied offset)',
      labelNames: ['partition'],
      registers: [registry],
    });
    this.appliedRecords = new Counter({
      name: 'shardcast_storage_applied_records_total',
      help: 'kv.log records applied to a replica (summed over replicas)',
      registers: [registry],
    });
    this.rejectedRecords = new Counter({
      name: 'shardcast_storage_rejected_log_records_total',
      help: 'kv.log messages that do not decode as log records (skipped)',
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: 'shardcast_storage_apply_batch_seconds',
      help: 'Time to apply one consumed batch to every replica concerned',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    this.replicaSet.attachCursor(this);
    this.replicaSet.onChange(() => this.progress.changed());
    void this.reassign();
    void this.captureLogEndUntilDone();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.enqueue(() => this.stopConsumer());
  }

  /** Records behind the log end, summed over partitions (as of each partition's last batch). */
  totalLag(): number {
    let total = 0n;
    for (const lag of this.lagByPartition.values()) total += lag;
    return Number(total);
  }

  rewind(): void {
    const consumer = this.consumer;
    if (consumer === undefined) return;
    for (const partition of this.assigned) {
      if (this.replicaSet.applyTargets(partition).length === 0) continue;
      consumer.seek({
        topic: this.offsets.topic,
        partition,
        offset: this.replicaSet.startPosition(partition).toString(),
      });
    }
  }

  reassign(): Promise<void> {
    return this.enqueue(async () => {
      if (this.stopped) return;
      const needed = this.replicaSet.neededPartitions();
      if (this.consumer !== undefined && sameNumbers(needed, this.assigned)) return;
      await this.stopConsumer();
      if (needed.length > 0) await this.startConsumer(needed);
    });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task, task);
    this.chain = next.catch((error: unknown) => {
      this.logger.event(
        'error',
        'apply loop (re)start failed; retrying',
        { error: (error as Error).message },
        'Apply',
      );
      this.retryLater();
    });
    return this.chain;
  }

  private retryLater(): void {
    if (this.stopped) return;
    const timer = setTimeout(() => void this.reassignFresh(), 2_000);
    timer.unref();
  }

  /** Starts the consumer again even if the partitions did not change (after a crash). */
  private reassignFresh(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopConsumer();
    }).then(() => this.reassign());
  }

  private async startConsumer(partitions: readonly number[]): Promise<void> {
    const topic = this.offsets.topic;
    const actual = await this.offsets.partitionCount();
    if (actual !== this.config.KV_LOG_PARTITIONS) {
      throw new Error(
        `${topic} has ${actual} partitions but KV_LOG_PARTITIONS is ${this.config.KV_LOG_PARTITIONS}: the hash → partition map would disagree`,
      );
    }
    this.assigned = partitions;
    const consumer = this.gateway.createConsumer({
      groupId: this.groupId,
      partitionAssigners: [allNeededPartitionsAssigner(topic, () => this.assigned)],
      sessionTimeout: 30_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: this.config.APPLY_FETCH_MAX_WAIT_MS,
      minBytes: this.config.APPLY_FETCH_MIN_BYTES,
      maxBytesPerPartition: 4 * 1024 * 1024,
      retry: { retries: 5 },
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // On every (re)join: positions come from LMDB, not from the group's offsets.
      for (const partition of this.assigned) {
        consumer.seek({ topic, partition, offset: this.replicaSet.startPosition(partition).toString() });
      }
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || this.stopped || this.consumer !== consumer) return;
      this.logger.event(
        'warn',
        'apply consumer crashed; restarting',
        { error: event.payload.error.message },
        'Apply',
      );
      this.retryLater();
    });
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: Math.max(
          1,
          Math.min(this.config.APPLY_PARTITIONS_CONCURRENTLY, partitions.length),
        ),
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (error) {
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    this.logger.event('info', 'apply loop consuming', { topic, partitions: [...partitions] }, 'Apply');
  }

  private async stopConsumer(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer !== undefined) await consumer.disconnect().catch(() => undefined);
  }

  private async captureLogEndUntilDone(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      if (await this.replicaSet.captureLogEnd()) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * attempt)));
    }
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const release = await this.replicaSet.lock.acquireShared();
    const stopTimer = this.batchSeconds.startTimer();
    try {
      // A rewind may have happened while this batch waited for the lock: it is stale then.
      if (!payload.isRunning() || payload.isStale()) return;
      await this.apply(batch.partition, batch.messages);
    } finally {
      release();
      stopTimer();
    }
    const last = batch.messages.at(-1)!;
    payload.resolveOffset(last.offset);
    this.updateLag(batch.partition, BigInt(batch.highWatermark));
    this.progress.advanced(batch.partition);
    this.replicaSet.schedulePromotions();
    await payload.heartbeat();
  }

  private async apply(partition: number, messages: readonly KafkaMessage[]): Promise<void> {
    const targets = this.replicaSet.applyTargets(partition);
    if (targets.length === 0) return;
    const records = messages.map((message) => this.decode(partition, message));
    const commits: Promise<void>[] = [];
    for (const replica of targets) {
      if (replica.stalled !== undefined || replica.closed) continue;
      const plan = planApplyBatch(records, replica.applied, { onGap: replica.gapPolicy });
      if (plan.gaps.length > 0)
        this.onGap(replica, partition, plan.gaps[0]!.expectedOffset, plan.gaps[0]!.actualOffset);
      const newOffset = plan.newAppliedOffsets.get(partition);
      if (plan.toApply.length === 0 || newOffset === undefined) continue;
      commits.push(this.applyToReplica(replica, partition, plan.toApply, newOffset));
    }
    await Promise.all(commits);
  }

  private async applyToReplica(
    replica: Replica,
    partition: number,
    records: readonly ConsumedRecord[],
    newOffset: bigint,
  ): Promise<void> {
    const outcomes: { position: { partition: number; offset: bigint }; outcome: WriteOutcome }[] = [];
    let applied = 0;
    try {
      await replica.store.commit((txn) => {
        for (const consumed of records) {
          const record = consumed.record;
          if (record === undefined || !replica.contains(consumed.hash)) continue;
          const storedKey = encodeStoredKey(consumed.hash, record.key);
          const currentBytes = txn.get(storedKey);
          const current = currentBytes === undefined ? undefined : decodeStoredValue(currentBytes);
          const position = { partition, offset: consumed.offset };
          const decision = decideApply(record, current, position);
          if (decision.kind === 'applied') {
            if (decision.changed && decision.newValue !== undefined)
              txn.put(storedKey, encodeStoredValue(decision.newValue));
            applied += 1;
            if (record.condition.kind !== 'none') outcomes.push({ position, outcome: { kind: 'applied' } });
          } else if (decision.kind === 'conflict') {
            outcomes.push({
              position,
              outcome: { kind: 'conflict', reason: decision.reason, currentVersion: decision.currentVersion },
            });
          }
        }
        txn.setAppliedOffset(partition, newOffset);
      });
    } catch (error) {
      if (error instanceof StoredDataCorruptError) {
        this.replicaSet.markStalled(replica, `${error.message} (the replica must be rebuilt)`);
        return;
      }
      throw error;
    }
    replica.applied.set(partition, newOffset);
    replica.gapRetries.delete(partition);
    this.appliedRecords.inc(applied);
    for (const { position, outcome } of outcomes) this.progress.recordOutcome(position, outcome);
  }

  /**
   * A replica that must not build over a hole saw one. The first time, the partition is
   * read again from where the replica needs it (the batch may predate a rewind); a hole
   * that is still there is real (compacted away): the replica stops and says so.
   */
  private onGap(replica: Replica, partition: number, expected: bigint, actual: bigint): void {
    if (replica.gapPolicy !== 'stop') return;
    if (replica.gapRetries.get(partition) === expected) {
      this.replicaSet.markStalled(
        replica,
        `kv.log partition ${partition} has no records ${expected}..${actual - 1n} (compacted or truncated); restore from a newer checkpoint`,
      );
      return;
    }
    replica.gapRetries.set(partition, expected);
    this.consumer?.seek({
      topic: this.offsets.topic,
      partition,
      offset: this.replicaSet.startPosition(partition).toString(),
    });
  }

  private decode(partition: number, message: KafkaMessage): ConsumedRecord {
    const offset = BigInt(message.offset);
    const metaHeader = message.headers?.[LOG_META_HEADER];
    const meta = Array.isArray(metaHeader) ? metaHeader[0] : metaHeader;
    const decoded = decodeLogRecord({
      key: message.key ?? null,
      value: message.value ?? null,
      meta: meta === undefined ? undefined : typeof meta === 'string' ? Buffer.from(meta, 'latin1') : meta,
    });
    if (!decoded.ok) {
      this.rejectedRecords.inc();
      this.logger.event(
        'warn',
        'kv.log message is not a log record; skipped',
        { partition, offset: message.offset, reason: decoded.reason },
        'Apply',
      );
      return { partition, offset, record: undefined, hash: 0n };
    }
    return { partition, offset, record: decoded.value, hash: keyHash(decoded.value.key) };
  }

  private updateLag(partition: number, highWatermark: bigint): void {
    let least: bigint | undefined;
    for (const replica of this.replicaSet.applyTargets(partition)) {
      const applied = replica.applied.get(partition) ?? -1n;
      if (least === undefined || applied < least) least = applied;
    }
    const lag = least === undefined ? 0n : highWatermark - 1n - least;
    const clamped = lag < 0n ? 0n : lag;
    this.lagByPartition.set(partition, clamped);
    this.lag.set({ partition: String(partition) }, Number(clamped));
  }
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
