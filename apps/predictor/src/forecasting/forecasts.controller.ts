import { Controller, Get, Inject, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { forecastV1, shardId, type ForecastV1 } from '@shardcast/contracts';
import { ApiError, parseOrBadRequest } from '@shardcast/platform';
import { z } from 'zod';
import { API_ERROR_SCHEMA, openApiSchema } from '../http/openapi-schema.js';
import type { UpdateWindowPrediction } from './domain/index.js';
import { ForecastingService } from './forecasting.service.js';

const shardQuery = z.object({ shard: shardId.optional() }).strict();

const prefetchSchema = z.object({
  shardId,
  prediction: z.object({
    startMs: z.number().describe('expected start of the next burst of writes'),
    endMs: z.number(),
    expectedVolume: z.number().describe('writes expected in the burst (median of past bursts)'),
    periodMs: z.number().describe('time between bursts'),
    confidence: z
      .number()
      .describe('0–1: regularity of past bursts in timing and size, and how many were seen'),
    burstsSeen: z.number(),
  }),
});

@ApiTags('forecasts')
@Controller('v1')
export class ForecastsController {
  constructor(@Inject(ForecastingService) private readonly forecasting: ForecastingService) {}

  @Get('forecasts')
  @ApiOperation({
    summary: 'The latest forecast of every shard (or one), as published on `forecast`',
    description:
      'Quantiles per step, RRS against the shard capacity, the model and version that made it, and the hints it used.',
  })
  @ApiQuery({ name: 'shard', required: false, description: 'one shard id' })
  @ApiOkResponse({ schema: openApiSchema(z.object({ forecasts: z.array(forecastV1) }), 'output') })
  @ApiBadRequestResponse({ schema: API_ERROR_SCHEMA })
  @ApiNotFoundResponse({ description: 'no forecast for that shard yet', schema: API_ERROR_SCHEMA })
  async forecasts(@Query() query: unknown): Promise<{ forecasts: ForecastV1[] }> {
    const { shard } = parseOrBadRequest(shardQuery, query, 'query');
    const forecasts = (await this.forecasting.list(shard)).map((f) => f.event);
    if (shard !== undefined && forecasts.length === 0)
      throw new ApiError(404, 'not_found', `no forecast for shard '${shard}' yet`);
    return { forecasts };
  }

  @Get('prefetch-predictions')
  @ApiOperation({
    summary: 'Pre-fetch predictions: when each shard’s next bulk update is expected, and its volume',
    description:
      'Only predictions at or above the confidence threshold (`prefetchMinConfidence` in /v1/config) are listed: the forecast event has no field for them, so this is where the shard-manager reads them.',
  })
  @ApiQuery({ name: 'shard', required: false, description: 'one shard id' })
  @ApiOkResponse({ schema: openApiSchema(z.object({ predictions: z.array(prefetchSchema) }), 'output') })
  @ApiBadRequestResponse({ schema: API_ERROR_SCHEMA })
  async prefetch(
    @Query() query: unknown,
  ): Promise<{ predictions: { shardId: string; prediction: UpdateWindowPrediction }[] }> {
    const { shard } = parseOrBadRequest(shardQuery, query, 'query');
    return { predictions: await this.forecasting.prefetchPredictions(shard) };
  }
}
