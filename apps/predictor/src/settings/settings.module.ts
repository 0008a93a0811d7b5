import { Module } from '@nestjs/common';
import { RuntimeSettingsService } from './runtime-settings.service.js';
import { SettingsController } from './settings.controller.js';
import { SettingsRepository } from './settings.repository.js';

@Module({
  controllers: [SettingsController],
  providers: [SettingsRepository, RuntimeSettingsService],
  exports: [RuntimeSettingsService],
})
export class SettingsModule {}
