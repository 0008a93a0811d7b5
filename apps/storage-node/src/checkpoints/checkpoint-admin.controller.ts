import { Body, Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { z } from 'zod';
import { parseOrBadRequest } from '@shardcast/platform';
import { CheckpointService } from './checkpoint.service.js';

const createCheckpoint = z
  .object({
    shardId: z.string().min(1).max(128),
    tier: z.enum(['fast', 'slow']).default('slow').describe('tier of the backup nodes the chunks go to'),
    kind: z.enum(['fast-restore', 'standard']).default('standard'),
  })
  .strict();

const restoreCheckpoint = z
  .object({
    checkpointId: z.string().min(1).max(256),
    tier: z
      .enum(['fast', 'slow'])
      .optional()
      .describe('tier of the restored replica; default the checkpoint’s'),
    waitMs: z.number().int().min(0).max(600_000).default(60_000),
  })
  .strict();

@ApiTags('admin')
@Controller('v1/admin')
export class CheckpointAdminController {
  constructor(@Inject(CheckpointService) private readonly checkpoints: CheckpointService) {}

  @Post('checkpoints')
  @ApiOperation({
    summary:
      'Checkpoint a shard replica held here now; chunks go to backup nodes, the manifest to the catalog',
  })
  async create(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const input = parseOrBadRequest(createCheckpoint, body ?? {}, 'checkpoint');
    const created = await this.checkpoints.create(input.shardId, { tier: input.tier, kind: input.kind });
    void reply.status(201).send({
      checkpointId: created.manifest.checkpointId,
      shardId: created.manifest.shardId,
      chunks: created.manifest.chunks.length,
      chunksUploaded: created.chunksUploaded,
      chunksAlreadyStored: created.chunksAlreadyStored,
      contentHash: created.manifest.contentHash,
      manifestHash: created.manifest.manifestHash,
      appliedOffsets: created.manifest.appliedOffsets,
      locations: created.locations,
    });
  }

  @Get('checkpoints/:checkpointId')
  @ApiOperation({ summary: 'A checkpoint’s manifest and chunk locations' })
  async describe(@Param('checkpointId') checkpointId: string): Promise<unknown> {
    return this.checkpoints.describe(checkpointId);
  }

  @Get('checkpoints/:checkpointId/verify')
  @ApiOperation({
    summary: 'Fetch every chunk and check it and the whole content against the manifest (nothing is written)',
  })
  async verify(@Param('checkpointId') checkpointId: string): Promise<unknown> {
    const outcome = await this.checkpoints.verify(checkpointId);
    return outcome.status === 'ok'
      ? { checkpointId, status: 'ok', ...outcome.report }
      : { checkpointId, status: 'corrupt', error: outcome.error };
  }

  @Post('restores')
  @ApiOperation({
    summary: 'Restore a replica here from a checkpoint (verified chunk by chunk), then catch up from kv.log',
  })
  async restore(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const input = parseOrBadRequest(restoreCheckpoint, body ?? {}, 'restore');
    const outcome = await this.checkpoints.restore(input.checkpointId, {
      tier: input.tier,
      waitMs: input.waitMs,
    });
    switch (outcome.status) {
      case 'failed':
        void reply.status(422).send({
          error: {
            status: 422,
            code: outcome.error?.code ?? 'restore_failed',
            message: outcome.error?.message ?? outcome.operation.detail ?? 'the restore failed',
          },
          failure: outcome.error ?? null,
          operation: outcome.operation,
        });
        return;
      case 'done':
      case 'catching-up':
        void reply
          .status(outcome.status === 'done' ? 200 : 202)
          .send({ status: outcome.status, operation: outcome.operation, report: outcome.report ?? null });
        return;
    }
  }
}
