import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiError, parseOrBadRequest } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { KvLogOffsets } from '../kv/kv-log.offsets.js';
import { replicaContent } from './replica-content.js';
import { type OperationView, ReplicaOperationError, ReplicaSetService } from './replica-set.service.js';

const u64 = z.string().regex(/^(0|[1-9][0-9]{0,19})$/, 'must be a decimal integer string');
const shardId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits, ".", "_", "-"; at most 128');
const tier = z.enum(['fast', 'slow']);
const waitMs = z
  .number()
  .int()
  .min(0)
  .max(600_000)
  .default(30_000)
  .describe('how long to wait for the operation before answering 202');

const createShard = z
  .object({
    shardId,
    lo: u64,
    hi: u64,
    tier: tier.default('fast'),
    epoch: z.number().int().nonnegative().default(0),
    waitMs,
  })
  .strict();
const splitShard = z
  .object({
    at: u64,
    left: shardId,
    right: shardId,
    epoch: z.number().int().nonnegative().optional(),
    waitMs,
  })
  .strict();
const moveTier = z.object({ tier, waitMs }).strict();
const mergeShards = z
  .object({
    left: shardId,
    right: shardId,
    into: shardId,
    tier: tier.optional(),
    epoch: z.number().int().nonnegative().optional(),
    waitMs,
  })
  .strict();

/**
 * The local replica operations the control plane calls (and an operator can): each one
 * builds new replicas beside the old, catches them up, and swaps them in; reads keep
 * being served throughout. Answers 200 when done within `waitMs`, else 202 with the
 * operation id to poll.
 */
@ApiTags('admin')
@Controller('v1/admin')
export class ShardAdminController {
  constructor(
    @Inject(ReplicaSetService) private readonly replicaSet: ReplicaSetService,
    @Inject(KvLogOffsets) private readonly offsets: KvLogOffsets,
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
  ) {}

  @Get('shards')
  @ApiOperation({ summary: 'Replicas held: shard, range, tier, state, size, applied offsets, lag' })
  async shards(): Promise<Record<string, unknown>> {
    const highWatermarks = await Promise.race([
      this.offsets.highWatermarks().catch(() => undefined),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000).unref()),
    ]);
    return {
      nodeId: this.config.NODE_ID,
      partitions: this.config.KV_LOG_PARTITIONS,
      replicas: this.replicaSet.all().map((replica) => {
        let lag: number | null = null;
        if (highWatermarks !== undefined) {
          lag = 0;
          for (const partition of replica.partitions) {
            const high = highWatermarks.get(partition) ?? 0n;
            const behind = high - 1n - (replica.applied.get(partition) ?? -1n);
            if (behind > 0n) lag += Number(behind);
          }
        }
        return { ...replica.describe(), sizeBytes: replica.store.sizeBytes(), lag };
      }),
    };
  }

  @Post('shards')
  @ApiOperation({ summary: 'Create an empty replica of a hash range; it replays kv.log before serving' })
  async create(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const input = parseOrBadRequest(createShard, body ?? {}, 'shard');
    const operation = this.run(() =>
      this.replicaSet.create({
        shardId: input.shardId,
        lo: BigInt(input.lo),
        hi: BigInt(input.hi),
        epoch: input.epoch,
        tier: input.tier,
      }),
    );
    await this.answer(reply, operation, input.waitMs);
  }

  @Delete('shards/:shardId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Drop this node’s replica of a shard' })
  async drop(@Param('shardId') id: string): Promise<{ dropped: string }> {
    await this.runAsync(() => this.replicaSet.drop(id));
    return { dropped: id };
  }

  @Post('shards/:shardId/split')
  @ApiOperation({ summary: 'Split a replica at a hash into two adjacent replicas' })
  async split(
    @Param('shardId') id: string,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const input = parseOrBadRequest(splitShard, body ?? {}, 'split');
    const operation = this.run(() =>
      this.replicaSet.split(id, BigInt(input.at), {
        left: input.left,
        right: input.right,
        ...(input.epoch === undefined ? {} : { epoch: input.epoch }),
      }),
    );
    await this.answer(reply, operation, input.waitMs);
  }

  @Post('shards/:shardId/tier')
  @ApiOperation({ summary: 'Move a replica to the other tier' })
  async tier(@Param('shardId') id: string, @Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const input = parseOrBadRequest(moveTier, body ?? {}, 'tier move');
    const operation = this.run(() => this.replicaSet.moveTier(id, input.tier));
    await this.answer(reply, operation, input.waitMs);
  }

  @Post('shards/merge')
  @ApiOperation({ summary: 'Merge two adjacent replicas into one' })
  async merge(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const input = parseOrBadRequest(mergeShards, body ?? {}, 'merge');
    const operation = this.run(() =>
      this.replicaSet.merge(input.left, input.right, {
        shardId: input.into,
        ...(input.tier === undefined ? {} : { tier: input.tier }),
        ...(input.epoch === undefined ? {} : { epoch: input.epoch }),
      }),
    );
    await this.answer(reply, operation, input.waitMs);
  }

  @Get('operations/:operationId')
  @ApiOperation({ summary: 'State of a replica operation' })
  operation(@Param('operationId') operationId: string): OperationView {
    const view = this.replicaSet.operation(operationId);
    if (view === undefined)
      throw new ApiError(
        404,
        'not_found',
        `no operation ${operationId} (finished ones are kept for a while)`,
      );
    return view;
  }

  @Get('shards/:shardId/content-hash')
  @ApiOperation({
    summary: 'Content hash of this node’s replica of a shard (as a checkpoint manifest states it)',
  })
  contentHash(@Param('shardId') id: string): Record<string, unknown> {
    const replica = this.replicaSet
      .all()
      .find((candidate) => candidate.shardId === id && candidate.state === 'serving');
    if (replica === undefined) throw new ApiError(404, 'not_found', `this node serves no replica of ${id}`);
    return { shardId: id, ...replicaContent(replica) };
  }

  private run(action: () => OperationView): OperationView {
    try {
      return action();
    } catch (error) {
      throw toApiError(error);
    }
  }

  private async runAsync(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      throw toApiError(error);
    }
  }

  private async answer(reply: FastifyReply, started: OperationView, waitMs: number): Promise<void> {
    const view = await this.replicaSet.awaitOperation(started.operationId, waitMs);
    if (view.status === 'failed') {
      void reply.status(422).send({
        error: { status: 422, code: 'operation_failed', message: view.detail ?? 'the operation failed' },
        operation: view,
      });
      return;
    }
    void reply.status(view.status === 'done' ? 200 : 202).send(view);
  }
}

function toApiError(error: unknown): unknown {
  if (!(error instanceof ReplicaOperationError)) return error;
  switch (error.code) {
    case 'not-found':
      return new ApiError(404, 'not_found', error.message);
    case 'conflict':
      return new ApiError(409, 'conflict', error.message);
    case 'invalid':
      return new ApiError(400, 'bad_request', error.message);
  }
}
