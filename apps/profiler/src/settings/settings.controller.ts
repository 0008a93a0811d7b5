import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SERVICE_CONFIG, parseOrBadRequest } from '@shardcast/platform';
import type { z } from 'zod';
import type { ProfilerConfig } from '../config/profiler.config.js';
import { apiErrorSchema } from '../heat/api-error.schema.js';
import { configResponseSchema, openApi } from '../heat/heat-api.schemas.js';
import { heatSettingsSchema, type VersionedSettings } from './heat-settings.js';
import { SettingsService } from './settings.service.js';

type ConfigResponse = z.output<typeof configResponseSchema>;

@ApiTags('config')
@Controller('v1/config')
export class SettingsController {
  private readonly schema: ReturnType<typeof heatSettingsSchema>;

  constructor(
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(SERVICE_CONFIG) private readonly config: ProfilerConfig,
  ) {
    this.schema = heatSettingsSchema(config.SUMMARY_WINDOW_MS);
  }

  @Get()
  @ApiOperation({ summary: 'The heat settings in force' })
  @ApiOkResponse({ schema: openApi(configResponseSchema) })
  async get(): Promise<ConfigResponse> {
    return this.present(await this.settings.refresh());
  }

  @Put()
  @ApiOperation({
    summary:
      'Replace the heat settings (half-life, interval, thresholds); every instance applies them within a flush',
    description:
      'A new half-life keeps every current rate and fades history at the new speed from now on; a new interval starts at the end of the current one.',
  })
  @ApiBody({ schema: openApi(heatSettingsSchema(1000), 'input') })
  @ApiOkResponse({ schema: openApi(configResponseSchema) })
  @ApiBadRequestResponse({
    description: 'invalid settings; `details` names every bad field',
    schema: apiErrorSchema,
  })
  async put(@Body() body: unknown): Promise<ConfigResponse> {
    return this.present(await this.settings.update(parseOrBadRequest(this.schema, body, 'settings')));
  }

  private present(current: VersionedSettings): ConfigResponse {
    return {
      version: current.version,
      updatedAtMs: current.updatedAtMs,
      ...current.settings,
      summaryWindowMs: this.config.SUMMARY_WINDOW_MS,
      allowedLatenessMs: this.config.ALLOWED_LATENESS_MS,
    };
  }
}
