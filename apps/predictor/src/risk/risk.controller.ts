import { Controller, Get, Inject, Param } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { nodeId } from '@shardcast/contracts';
import { ApiError, parseOrBadRequest } from '@shardcast/platform';
import { z } from 'zod';
import { API_ERROR_SCHEMA } from '../http/openapi-schema.js';
import type { StoredRecoveryProfile } from './risk.repository.js';
import type { NodeRiskOverview } from './risk.service.js';
import { RiskService } from './risk.service.js';

const nodeParam = z.object({ node: nodeId });

@ApiTags('risk')
@Controller('v1')
export class RiskController {
  constructor(@Inject(RiskService) private readonly risk: RiskService) {}

  @Get('node-risk')
  @ApiOperation({
    summary: 'Failure risk of every node, and rolled up per zone and region',
    description:
      'Per node: the latest `node-risk` event (probability of failure within the horizon, warnings by kind with the feature that raised them and correlated precursors, the model) and the evidence behind each warning. `byZone` / `byRegion`: probability that at least one node of the group fails and expected failures, assuming independent nodes (a lower bound within a zone).',
  })
  @ApiOkResponse({ description: 'nodes and groups' })
  overview(): Promise<NodeRiskOverview> {
    return this.risk.overview();
  }

  @Get('recovery-profiles/:node')
  @ApiOperation({
    summary: 'What a recovery of this node would need first',
    description:
      'The node’s shards, most urgent first (score = node risk × heat weighted to recent access), with their hot keys, as last published on `recovery-profile`, plus each entry’s ranking details.',
  })
  @ApiOkResponse({ description: 'the profile' })
  @ApiBadRequestResponse({ schema: API_ERROR_SCHEMA })
  @ApiNotFoundResponse({
    description: 'no profile for that node (it holds no shard, or none was computed yet)',
    schema: API_ERROR_SCHEMA,
  })
  async recoveryProfile(@Param() params: unknown): Promise<StoredRecoveryProfile> {
    const { node } = parseOrBadRequest(nodeParam, params, 'path');
    const profile = await this.risk.recoveryProfile(node);
    if (!profile) throw new ApiError(404, 'not_found', `no recovery profile for node '${node}'`);
    return profile;
  }
}
