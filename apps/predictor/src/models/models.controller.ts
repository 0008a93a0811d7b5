import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiError, parseOrBadRequest } from '@shardcast/platform';
import { z } from 'zod';
import { TfjsRuntime } from '../forecasting/lstm/tfjs-runtime.service.js';
import { API_ERROR_SCHEMA } from '../http/openapi-schema.js';
import type { ModelVersionSummary, ShardModelRecord } from './model.repository.js';
import { ModelRepository } from './model.repository.js';
import { ModelTrainingService } from './model-training.service.js';
import { ServingModels } from './serving-models.service.js';

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }).strict();
const versionParam = z.object({ version: z.coerce.number().int().positive() });

@ApiTags('models')
@Controller('v1/models')
export class ModelsController {
  constructor(
    @Inject(ModelRepository) private readonly models: ModelRepository,
    @Inject(ModelTrainingService) private readonly training: ModelTrainingService,
    @Inject(ServingModels) private readonly serving: ServingModels,
    @Inject(TfjsRuntime) private readonly tfjs: TfjsRuntime,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Model versions, newest first, with their backtest metrics',
    description:
      'Each version is one training run: the LSTM (architecture, training loss, or why it was skipped), the failure classifier (which one serves and why, its and every candidate’s held-out AUC, Brier score, calibration table, precision/recall, or why it was skipped), and per model the mean backtest MASE, sMAPE, pinball loss and p10–p90 coverage over the shards, with how many shards each model serves. `servingOnThisInstance` is the version this instance forecasts with.',
  })
  @ApiOkResponse({ description: 'versions' })
  @ApiBadRequestResponse({ schema: API_ERROR_SCHEMA })
  async list(@Query() query: unknown): Promise<{
    servingOnThisInstance: number | null;
    tfjs: Record<string, unknown>;
    versions: ModelVersionSummary[];
  }> {
    const { limit } = parseOrBadRequest(listQuery, query, 'query');
    return {
      servingOnThisInstance: this.serving.version ?? null,
      tfjs: this.tfjs.describe(),
      versions: await this.models.listVersions(limit),
    };
  }

  @Get(':version')
  @ApiOperation({ summary: 'One version with every shard’s backtests and serving choice' })
  @ApiOkResponse({ description: 'the version' })
  @ApiBadRequestResponse({ schema: API_ERROR_SCHEMA })
  @ApiNotFoundResponse({ schema: API_ERROR_SCHEMA })
  async get(@Param() params: unknown): Promise<ModelVersionSummary & { shards: ShardModelRecord[] }> {
    const { version } = parseOrBadRequest(versionParam, params, 'path');
    const summary = await this.models.version(version);
    if (!summary) throw new ApiError(404, 'not_found', `no model version ${version}`);
    return { ...summary, shards: await this.models.shardModels(version) };
  }

  @Post('retrain')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Retrain now',
    description:
      'Starts a training run in the background and answers at once with its version; it serves once GET /v1/models shows it `serving`. The service keeps consuming and answering while it trains.',
  })
  @ApiAcceptedResponse({ description: '{ version, status: "training" }' })
  @ApiConflictResponse({ description: 'a training run is already in progress', schema: API_ERROR_SCHEMA })
  async retrain(): Promise<{ version: number; status: 'training' }> {
    const start = await this.training.startRetrain('api');
    if (!start.started) {
      throw new ApiError(
        409,
        'conflict',
        `model version ${start.runningVersion ?? '?'} is training; retry when it has finished`,
      );
    }
    return { version: start.version, status: 'training' };
  }
}
