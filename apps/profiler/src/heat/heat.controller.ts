import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { parseOrBadRequest } from '@shardcast/platform';
import { apiErrorSchema } from './api-error.schema.js';
import {
  HEATMAP_SORT_FIELDS,
  type HeatmapResponse,
  type ShardProfile,
  type StatsResponse,
  heatmapQuerySchema,
  heatmapResponseSchema,
  openApi,
  profileQuerySchema,
  shardProfileSchema,
  statsResponseSchema,
} from './heat-api.schemas.js';
import { HeatQueryService } from './heat-query.service.js';
import { HeatService } from './heat.service.js';
import { ProfilerMetrics } from './profiler.metrics.js';

@ApiTags('heat')
@Controller('v1')
export class HeatController {
  constructor(
    @Inject(HeatQueryService) private readonly queries: HeatQueryService,
    @Inject(HeatService) private readonly heat: HeatService,
    @Inject(ProfilerMetrics) private readonly metrics: ProfilerMetrics,
  ) {}

  @Get('heatmap')
  @ApiOperation({
    summary: 'Every shard’s heat: decayed rates, hot/warm/cold class, split point, hottest keys',
  })
  @ApiQuery({ name: 'sort', required: false, enum: HEATMAP_SORT_FIELDS, description: 'default opsRate' })
  @ApiQuery({
    name: 'order',
    required: false,
    enum: ['asc', 'desc'],
    description: 'default desc for rates, asc otherwise',
  })
  @ApiQuery({
    name: 'class',
    required: false,
    description: 'hot, warm, cold; comma-separated or repeated',
    example: 'hot,warm',
  })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiOkResponse({ schema: openApi(heatmapResponseSchema) })
  @ApiBadRequestResponse({
    description: 'a query parameter is invalid; every one is named',
    schema: apiErrorSchema,
  })
  async heatmap(@Query() query: Record<string, unknown>): Promise<HeatmapResponse> {
    return this.queries.heatmap(parseOrBadRequest(heatmapQuerySchema, query, 'query'));
  }

  @Get('shards/:id/profile')
  @ApiOperation({
    summary: 'One shard in depth: rates, hash histogram, top keys with error bounds, time series',
  })
  @ApiParam({ name: 'id', description: 'shard id' })
  @ApiQuery({
    name: 'intervals',
    required: false,
    type: Number,
    description: 'latest intervals of the series (default 100)',
  })
  @ApiOkResponse({ schema: openApi(shardProfileSchema) })
  @ApiNotFoundResponse({ description: 'no such shard', schema: apiErrorSchema })
  @ApiBadRequestResponse({ description: 'a query parameter is invalid', schema: apiErrorSchema })
  async profile(
    @Param('id') shardId: string,
    @Query() query: Record<string, unknown>,
  ): Promise<ShardProfile> {
    const { intervals } = parseOrBadRequest(profileQuerySchema, query, 'query');
    return this.queries.profile(shardId, intervals);
  }

  @Get('stats')
  @ApiOperation({
    summary: 'This instance’s ingest counters and share of the work (cheap; for dashboards and the bench)',
  })
  @ApiOkResponse({ schema: openApi(statsResponseSchema) })
  stats(): StatsResponse {
    const cpu = process.cpuUsage();
    return {
      ...this.metrics.totals,
      assignedPartitions: this.heat.assignedPartitions(),
      restoredPartitions: this.heat
        .ownedLanes()
        .map((lane) => lane.partition)
        .sort((a, b) => a - b),
      trackedShards: this.heat.ownedLanes().reduce((sum, lane) => sum + lane.heat.size, 0),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      uptimeSeconds: process.uptime(),
    };
  }
}
