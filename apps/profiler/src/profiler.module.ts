import { type DynamicModule, Module } from '@nestjs/common';
import { HealthRegistry, type JsonLogger, PlatformModule } from '@shardcast/platform';
import { Registry } from 'prom-client';
import { AccessConsumer } from './access/access.consumer.js';
import type { ProfilerConfig } from './config/profiler.config.js';
import { HeatController } from './heat/heat.controller.js';
import { HeatQueryService } from './heat/heat-query.service.js';
import { CreateHeatTables1732400000000 } from './heat/heat-tables.migration.js';
import { HeatRepository } from './heat/heat.repository.js';
import { HeatService } from './heat/heat.service.js';
import { ProfilerMetrics } from './heat/profiler.metrics.js';
import { SettingsController } from './settings/settings.controller.js';
import { SettingsRepository } from './settings/settings.repository.js';
import { SettingsService } from './settings/settings.service.js';
import { ShardMapConsumer } from './shard-map/shard-map.consumer.js';
import { ShardMapService } from './shard-map/shard-map.service.js';

@Module({})
export class ProfilerModule {
  static register(config: ProfilerConfig, logger: JsonLogger): DynamicModule {
    return {
      module: ProfilerModule,
      imports: [
        PlatformModule.forRoot({
          service: 'profiler',
          config,
          logger,
          migrations: [CreateHeatTables1732400000000],
        }),
      ],
      controllers: [HeatController, SettingsController],
      providers: [
        {
          provide: ProfilerMetrics,
          useFactory: (registry: Registry) => new ProfilerMetrics(registry),
          inject: [Registry],
        },
        ShardMapService,
        ShardMapConsumer,
        SettingsRepository,
        SettingsService,
        HeatRepository,
        HeatService,
        HeatQueryService,
        AccessConsumer,
        {
          provide: 'ProfilerHealth',
          useFactory: (health: HealthRegistry, heat: HeatService, shardMap: ShardMapService) => {
            health.addDetail('profiler', () => ({
              assignedPartitions: heat.assignedPartitions(),
              restoredPartitions: heat
                .ownedLanes()
                .map((lane) => lane.partition)
                .sort((a, b) => a - b),
              trackedShards: heat.ownedLanes().reduce((sum, lane) => sum + lane.heat.size, 0),
              shardMapCaughtUp: shardMap.isCaughtUp,
              shardMapVersion: shardMap.map.version,
            }));
            return health;
          },
          inject: [HealthRegistry, HeatService, ShardMapService],
        },
      ],
    };
  }
}
