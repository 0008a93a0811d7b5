import type { TestProject } from 'vitest/node';

/**
 * Integration tests talk to a real Kafka broker and a real Postgres. In order of preference:
 *   1. the endpoints in KAFKA_BROKERS and DATABASE_URL (what .ci/run and `./shardcast test` start);
 *   2. testcontainers, when a Docker runtime is reachable;
 * and otherwise the run fails here, loudly. It never skips.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const brokers = process.env.KAFKA_BROKERS;
  const databaseUrl = process.env.DATABASE_URL;
  if (brokers && databaseUrl) {
    provide(project, brokers, databaseUrl, 'environment');
    return async () => undefined;
  }
  if (brokers || databaseUrl) {
    throw new Error(
      `Integration tests need both KAFKA_BROKERS and DATABASE_URL; only ${brokers ? 'KAFKA_BROKERS' : 'DATABASE_URL'} is set.`,
    );
  }
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    throw new Error(
      'Integration tests need a real Kafka and Postgres, and none is available: set KAFKA_BROKERS and ' +
        'DATABASE_URL (`./shardcast test` starts a broker and Postgres for you), or make a Docker runtime ' +
        `reachable for testcontainers. (${(error as Error).message})`,
    );
  }
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [kafka, postgres] = await Promise.all([
    new KafkaContainer('apache/kafka:4.1.1').withKraft().start(),
    new PostgreSqlContainer('postgres:16-alpine').start(),
  ]);
  provide(
    project,
    `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    postgres.getConnectionUri(),
    'testcontainers',
  );
  return async () => {
    await Promise.all([kafka.stop(), postgres.stop()]);
  };
}

function provide(project: TestProject, brokers: string, databaseUrl: string, source: string): void {
  const shownUrl = databaseUrl.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
  // Printed so a run shows which real broker and database the integration tests used.
  console.log(`integration tests: Kafka broker(s) ${brokers}, Postgres ${shownUrl} (from ${source})`);
  project.provide('kafkaBrokers', brokers);
  project.provide('databaseUrl', databaseUrl);
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    databaseUrl: string;
  }
}
