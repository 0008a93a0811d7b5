import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Histogram, Registry } from 'prom-client';
import type { z } from 'zod';
import { type BaseConfig, ConfigError, loadConfig, redactConfig } from '../config/config-loader.js';
import { JsonLogger } from '../observability/json-logger.js';
import { routeProcessWarnings } from '../observability/process-warnings.js';
import { startTracing } from '../observability/tracing.js';
import { ApiErrorFilter } from './api-error.js';

/** Loads the config or stops the process with every problem listed (exit code 78, EX_CONFIG). */
export function loadConfigOrExit<Shape extends z.ZodRawShape>(shape: Shape): z.output<z.ZodObject<Shape>> {
  try {
    return loadConfig(shape);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}

export interface ServiceDefinition<C extends BaseConfig> {
  service: string;
  version: string;
  description: string;
  config: C;
  configShape: z.ZodRawShape;
  /** Builds the root module once the logger exists. */
  module: (logger: JsonLogger) => DynamicModule;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
}

/**
 * Starts a service the same way everywhere: tracing, JSON logs, Fastify, the one error
 * format, OpenAPI at /docs (JSON at /docs/json), request metrics, shutdown hooks.
 */
export async function bootstrapService<C extends BaseConfig>(
  definition: ServiceDefinition<C>,
): Promise<NestFastifyApplication> {
  const { config, service } = definition;
  startTracing({
    serviceName: service,
    exporter: config.OTEL_TRACES_EXPORTER,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const logger = new JsonLogger(service, config.LOG_LEVEL);
  routeProcessWarnings(logger);
  logger.event('info', 'starting', {
    config: redactConfig(definition.configShape, config),
    node: process.version,
  });

  // Keep-alive connections are closed on shutdown, so a restart is not held up by idle clients.
  const adapter = new FastifyAdapter({
    bodyLimit: definition.bodyLimit ?? 1024 * 1024,
    forceCloseConnections: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(definition.module(logger), adapter, {
    logger,
  });
  app.useGlobalFilters(new ApiErrorFilter(logger));
  app.enableShutdownHooks();
  instrumentRequests(app, app.get(Registry));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`Shardcast ${service}`)
      .setDescription(definition.description)
      .setVersion(definition.version)
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });

  await app.listen({ port: config.PORT, host: config.HOST });
  const url = listeningUrl(app);
  logger.event('info', 'listening', { url, docs: `${url}/docs` });
  return app;
}

/** The base URL the app actually listens on (PORT=0 picks a free port). */
export function listeningUrl(app: NestFastifyApplication): string {
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('the app is not listening on TCP');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function instrumentRequests(app: NestFastifyApplication, registry: Registry): void {
  const duration = new Histogram({
    name: 'shardcast_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}
