import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ZodError } from 'zod';
import { type JobIssuedV1, type JobResultV1 } from '@shardcast/contracts';
import { type ConsumerHandle, JsonLogger, KafkaGateway, markProcessed } from '@shardcast/platform';
import { CheckpointService } from '../checkpoints/checkpoint.service.js';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import {
  type OperationView,
  ReplicaOperationError,
  ReplicaSetService,
} from '../replicas/replica-set.service.js';
import { JOB_PARAMS } from './job-params.schema.js';

/** Jobs older than this when first seen (a node reading old history) are refused, not run. */
const MAX_JOB_AGE_MS = 60 * 60 * 1000;
const OPERATION_WAIT_MS = 10 * 60 * 1000;

type Outcome = { status: 'succeeded' | 'failed' | 'rejected'; detail: string };

/**
 * Runs the jobs the control plane addresses to this node (split, merge, tier move,
 * checkpoint, restore, migrate) through the same local operations as the admin API, and
 * reports `accepted`, then `succeeded`, `failed` or `rejected` on `jobs`. A job planned
 * against an older epoch than the replica's is rejected. Each job runs once per node
 * (deduplicated by event id in Postgres, Kafka delivering at least once).
 */
@Injectable()
export class JobsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private handle: ConsumerHandle | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
    @Inject(KafkaGateway) private readonly gateway: KafkaGateway,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ReplicaSetService) private readonly replicaSet: ReplicaSetService,
    @Inject(CheckpointService) private readonly checkpoints: CheckpointService,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.handle = this.gateway.runConsumer({
      topic: 'jobs',
      groupId: `${this.gateway.topicPrefix}storage-node.${this.config.NODE_ID}.jobs`,
      fromBeginning: true,
      handle: async (events) => {
        for (const { value } of events) {
          if (value.kind !== 'issued' || value.targetNode !== this.config.NODE_ID) continue;
          const fresh = await this.dataSource.transaction((manager) =>
            markProcessed(manager, 'jobs', value.eventId),
          );
          if (!fresh) continue;
          // Jobs can take minutes (a restore catching up): they run beside the consumer, not in it.
          const run = this.run(value).finally(() => this.running.delete(run));
          this.running.add(run);
        }
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.handle?.stop();
  }

  private async run(job: JobIssuedV1): Promise<void> {
    let outcome: Outcome;
    try {
      const refusal = this.refusal(job);
      if (refusal !== undefined) outcome = { status: 'rejected', detail: refusal };
      else {
        await this.report(job, 'accepted', '');
        outcome = await this.execute(job);
      }
    } catch (error) {
      if (error instanceof ZodError)
        outcome = {
          status: 'rejected',
          detail: `invalid params for ${job.type}: ${error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`,
        };
      else if (error instanceof ReplicaOperationError)
        outcome = { status: 'rejected', detail: error.message };
      else outcome = { status: 'failed', detail: (error as Error).message };
    }
    await this.report(job, outcome.status, outcome.detail).catch((error: unknown) =>
      this.logger.event(
        'error',
        'job result not published',
        { jobId: job.jobId, error: (error as Error).message },
        'Jobs',
      ),
    );
  }

  private refusal(job: JobIssuedV1): string | undefined {
    if (Date.now() - job.issuedAtMs > MAX_JOB_AGE_MS)
      return `issued ${Math.round((Date.now() - job.issuedAtMs) / 1000)} s ago; too old to run`;
    const held = this.replicaSet
      .all()
      .find((replica) => replica.shardId === job.shardId && replica.state === 'serving');
    if (held !== undefined && job.epoch < held.epoch)
      return `stale epoch: planned against ${job.epoch}, ${job.shardId} is at ${held.epoch} here`;
    return undefined;
  }

  private async execute(job: JobIssuedV1): Promise<Outcome> {
    switch (job.type) {
      case 'split': {
        const params = JOB_PARAMS.split.parse(job.params);
        return this.finish(
          this.replicaSet.split(job.shardId, BigInt(params.at), {
            left: params.left,
            right: params.right,
            epoch: job.epoch + 1,
          }),
        );
      }
      case 'merge': {
        const params = JOB_PARAMS.merge.parse(job.params);
        return this.finish(
          this.replicaSet.merge(job.shardId, params.with, {
            shardId: params.into,
            epoch: job.epoch + 1,
            ...(params.tier === undefined ? {} : { tier: params.tier }),
          }),
        );
      }
      case 'tier-move':
        return this.finish(
          this.replicaSet.moveTier(job.shardId, JOB_PARAMS['tier-move'].parse(job.params).tier),
        );
      case 'checkpoint': {
        const params = JOB_PARAMS.checkpoint.parse(job.params);
        const created = await this.checkpoints.create(job.shardId, params);
        return {
          status: 'succeeded',
          detail: JSON.stringify({
            checkpointId: created.manifest.checkpointId,
            contentHash: created.manifest.contentHash,
            chunks: created.manifest.chunks.length,
          }),
        };
      }
      case 'restore':
      case 'migrate': {
        const params =
          job.type === 'restore'
            ? JOB_PARAMS.restore.parse(job.params)
            : JOB_PARAMS.migrate.parse(job.params);
        if (params.checkpointId !== undefined) {
          const restored = await this.checkpoints.restore(params.checkpointId, {
            tier: params.tier,
            waitMs: OPERATION_WAIT_MS,
          });
          if (restored.status === 'failed')
            return {
              status: 'failed',
              detail: restored.error?.message ?? restored.operation.detail ?? 'restore failed',
            };
          return {
            status: 'succeeded',
            detail: JSON.stringify({ operationId: restored.operation.operationId, state: restored.status }),
          };
        }
        const known = this.replicaSet.shardMapView().get(job.shardId);
        const migrate = JOB_PARAMS.migrate.parse(job.params);
        const lo = migrate.lo ?? known?.lo.toString();
        const hi = migrate.hi ?? known?.hi.toString();
        if (lo === undefined || hi === undefined)
          return { status: 'rejected', detail: `no checkpointId and no range for ${job.shardId}` };
        return this.finish(
          this.replicaSet.create({
            shardId: job.shardId,
            lo: BigInt(lo),
            hi: BigInt(hi),
            epoch: job.epoch,
            tier: migrate.tier,
          }),
        );
      }
      case 'shadow':
        return { status: 'rejected', detail: 'shadow copies are not implemented by this storage-node' };
    }
  }

  private async finish(started: OperationView): Promise<Outcome> {
    const view = await this.replicaSet.awaitOperation(started.operationId, OPERATION_WAIT_MS);
    if (view.status === 'done')
      return {
        status: 'succeeded',
        detail: JSON.stringify({ operationId: view.operationId, targets: view.targets }),
      };
    return {
      status: 'failed',
      detail: view.detail ?? `operation ${view.operationId} is still ${view.status}`,
    };
  }

  private async report(job: JobIssuedV1, status: JobResultV1['status'], detail: string): Promise<void> {
    await this.gateway.publish('jobs', {
      kind: 'result',
      eventId: randomUUID(),
      jobId: job.jobId,
      node: this.config.NODE_ID,
      status,
      detail: detail.slice(0, 4096),
      atMs: Date.now(),
    });
  }
}
