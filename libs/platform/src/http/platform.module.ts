import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Registry } from 'prom-client';
import { DataSource, type MigrationInterface, type ObjectLiteral } from 'typeorm';
import type { BaseConfig } from '../config/config-loader.js';
import { openDatabase, pingDatabase } from '../db/database.js';
import { CreateProcessedEvents1732300000000 } from '../db/processed-events.migration.js';
import { KafkaGateway } from '../kafka/kafka-gateway.js';
import { JsonLogger } from '../observability/json-logger.js';
import { MessagingMetrics, createMetricsRegistry } from '../observability/metrics.js';
import { stopTracing } from '../observability/tracing.js';
import { HealthController } from './health.controller.js';
import { HealthRegistry } from './health.registry.js';
import { MetricsController } from './metrics.controller.js';

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export interface PlatformOptions {
  service: string;
  config: BaseConfig;
  logger: JsonLogger;
  /** The service's own migrations, applied after the shared ones. */
  migrations?: (new () => MigrationInterface)[];
  entities?: (new () => ObjectLiteral)[];
}

@Injectable()
class PlatformShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(KafkaGateway) private readonly kafka: KafkaGateway,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  // Runs after every module's onModuleDestroy, so consumers have stopped before the
  // connections they use go away.
  async onApplicationShutdown(): Promise<void> {
    await this.kafka.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    // Flush buffered spans here: after a signal Nest re-raises it, so 'beforeExit' never comes.
    await stopTracing();
  }
}

/**
 * What every service gets: its config, the JSON logger, the Prometheus registry, the shared
 * Kafka gateway, its Postgres data source (migrated), /health, /metrics.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { config, logger, service } = options;
    return {
      module: PlatformModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: JsonLogger, useValue: logger },
        { provide: Registry, useFactory: () => createMetricsRegistry(service) },
        {
          provide: MessagingMetrics,
          useFactory: (registry: Registry) => new MessagingMetrics(registry),
          inject: [Registry],
        },
        {
          provide: KafkaGateway,
          useFactory: (metrics: MessagingMetrics) =>
            new KafkaGateway({
              brokers: config.KAFKA_BROKERS,
              clientId: config.KAFKA_CLIENT_ID,
              topicPrefix: config.TOPIC_PREFIX,
              logger,
              metrics,
            }),
          inject: [MessagingMetrics],
        },
        {
          provide: DataSource,
          useFactory: () =>
            openDatabaseWithRetry(logger, {
              url: config.DATABASE_URL,
              schema: config.DB_SCHEMA,
              migrations: [CreateProcessedEvents1732300000000, ...(options.migrations ?? [])],
              entities: options.entities ?? [],
            }),
        },
        {
          provide: HealthRegistry,
          useFactory: (kafka: KafkaGateway, dataSource: DataSource) => {
            const health = new HealthRegistry(service);
            health.addCheck('kafka', () => kafka.ping());
            health.addCheck('postgres', () => pingDatabase(dataSource));
            return health;
          },
          inject: [KafkaGateway, DataSource],
        },
        PlatformShutdown,
      ],
      exports: [
        SERVICE_CONFIG,
        JsonLogger,
        Registry,
        MessagingMetrics,
        KafkaGateway,
        DataSource,
        HealthRegistry,
      ],
    };
  }
}

/** Postgres must be there for a service to start (its schema is migrated first); wait a while for it. */
async function openDatabaseWithRetry(
  logger: JsonLogger,
  options: Parameters<typeof openDatabase>[0],
): Promise<DataSource> {
  const deadline = Date.now() + 60_000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const dataSource = await openDatabase(options);
      logger.event('info', 'database ready', { schema: options.schema }, 'Database');
      return dataSource;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      logger.event(
        'warn',
        'database not reachable yet; retrying',
        { attempt, error: (error as Error).message },
        'Database',
      );
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 500 * attempt)));
    }
  }
}
