import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ZodValidationPipe } from '@shardcast/platform';
import { API_ERROR_SCHEMA, openApiSchema } from '../../http/openapi-schema.js';
import type { HintRequest, HintView } from './hint-request.schema.js';
import { hintRequestSchema } from './hint-request.schema.js';
import { HintsService } from './hints.service.js';

@ApiTags('hints')
@Controller('v1/hints')
export class HintsController {
  constructor(@Inject(HintsService) private readonly hints: HintsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Tell the predictor about expected load',
    description:
      'Scheduled reports, launches, anticipated growth: while the window is in force, the forecasts of the shards the scope matches are multiplied by the factor, and each forecast lists the hints it used (`hintsUsed`), which also raises or lowers its RRS.',
  })
  @ApiBody({ schema: openApiSchema(hintRequestSchema) })
  @ApiCreatedResponse({ description: 'the stored hint' })
  @ApiBadRequestResponse({ description: 'every invalid field, named', schema: API_ERROR_SCHEMA })
  create(@Body(new ZodValidationPipe(hintRequestSchema, 'hint')) request: HintRequest): Promise<HintView> {
    return this.hints.create(request, Date.now());
  }

  @Get()
  @ApiOperation({ summary: 'Every stored hint, ended one-off hints included until retention removes them' })
  @ApiOkResponse({ description: 'hints, oldest first' })
  list(): Promise<HintView[]> {
    return this.hints.list();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw a hint' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiNotFoundResponse({ description: 'no such hint', schema: API_ERROR_SCHEMA })
  async delete(@Param('id') id: string): Promise<void> {
    await this.hints.delete(id);
  }
}
