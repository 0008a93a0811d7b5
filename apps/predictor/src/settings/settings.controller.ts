import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ZodValidationPipe } from '@shardcast/platform';
import { API_ERROR_SCHEMA, openApiSchema } from '../http/openapi-schema.js';
import type { RuntimeSettings, RuntimeSettingsUpdate } from './domain/runtime-settings.js';
import { runtimeSettingsSchema, runtimeSettingsUpdateSchema } from './domain/runtime-settings.js';
import { RuntimeSettingsService } from './runtime-settings.service.js';

@ApiTags('config')
@Controller('v1/config')
export class SettingsController {
  constructor(@Inject(RuntimeSettingsService) private readonly settings: RuntimeSettingsService) {}

  @Get()
  @ApiOperation({ summary: 'The runtime settings in force' })
  @ApiOkResponse({ schema: openApiSchema(runtimeSettingsSchema, 'output') })
  get(): RuntimeSettings {
    return this.settings.current();
  }

  @Put()
  @ApiOperation({
    summary: 'Change runtime settings',
    description:
      'Any subset of the settings; those left out keep their value. Stored in Postgres, so they survive restarts. Capacity and thresholds apply from the next forecast; schedules are re-armed at once; training settings apply from the next retrain. The forecast interval, horizon and network shape are environment settings (they shape stored history and trained weights).',
  })
  @ApiBody({ schema: openApiSchema(runtimeSettingsUpdateSchema) })
  @ApiOkResponse({
    description: 'the settings now in force',
    schema: openApiSchema(runtimeSettingsSchema, 'output'),
  })
  @ApiBadRequestResponse({ description: 'every invalid or unknown field, named', schema: API_ERROR_SCHEMA })
  async put(
    @Body(new ZodValidationPipe(runtimeSettingsUpdateSchema, 'settings')) update: RuntimeSettingsUpdate,
  ): Promise<RuntimeSettings> {
    return this.settings.update(update, Date.now());
  }
}
