import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { topicPlan } from '@shardcast/contracts';
import { KafkaGateway } from '../kafka/kafka-gateway.js';
import { JsonLogger } from '../observability/json-logger.js';
import { MessagingMetrics, createMetricsRegistry } from '../observability/metrics.js';

export interface IntegrationEnv {
  kafkaBrokers: string[];
  databaseUrl: string;
}

/** The real broker and database the global setup found (never a mock). */
export function integrationEnv(): IntegrationEnv {
  return { kafkaBrokers: inject('kafkaBrokers').split(','), databaseUrl: inject('databaseUrl') };
}

/** A fresh name per spec, so specs share one broker and one database without seeing each other. */
export function uniqueName(label: string): string {
  return `${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
}

/** Polls until the assertion passes (or the time is up); never a fixed sleep. */
export async function eventually<T>(
  assertion: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await assertion();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    }
  }
  throw lastError;
}

export function testLogger(service = 'test'): JsonLogger {
  return new JsonLogger(service, 'warn', () => undefined);
}

/** A gateway on the real broker, with every contract topic created under `prefix`. */
export async function gatewayWithTopics(
  prefix: string,
  options: { kvLogPartitions?: number } = {},
): Promise<KafkaGateway> {
  const env = integrationEnv();
  const gateway = new KafkaGateway({
    brokers: env.kafkaBrokers,
    clientId: `test-${prefix}`,
    topicPrefix: prefix,
    logger: testLogger(),
    metrics: new MessagingMetrics(createMetricsRegistry('test')),
  });
  await gateway.ensureTopics(topicPlan({ prefix, kvLogPartitions: options.kvLogPartitions ?? 4 }));
  return gateway;
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Environment for a service started inside a test: the real broker and database, its own
 * topic prefix and schema, any free port, quiet logs.
 */
export function serviceTestEnv(options: {
  topicPrefix: string;
  schema: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  const env = integrationEnv();
  return {
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    DATABASE_URL: env.databaseUrl,
    TOPIC_PREFIX: options.topicPrefix,
    DB_SCHEMA: options.schema,
    PORT: '0',
    LOG_LEVEL: 'warn',
    ...options.extra,
  };
}
