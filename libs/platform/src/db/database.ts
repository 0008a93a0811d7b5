import pg from 'pg';
import { DataSource, type EntitySchema, type MigrationInterface, type ObjectLiteral } from 'typeorm';

export interface DatabaseOptions {
  url: string;
  /** The Postgres schema this service owns; created when missing. */
  schema: string;
  entities?: (new () => ObjectLiteral)[] | EntitySchema[];
  migrations: (new () => MigrationInterface)[];
  poolSize?: number;
}

/**
 * Opens the service's TypeORM data source on its own schema and applies its migrations
 * (never `synchronize`). The search_path points at the schema, so migrations and queries use
 * unqualified names and the same code runs in a per-test schema. A session-level advisory
 * lock serialises two instances migrating at once.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  await ensureSchema(options.url, options.schema);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize: options.poolSize ?? 10,
    extra: { options: `-c search_path=${options.schema}`, connectionTimeoutMillis: 5_000 },
  });
  await dataSource.initialize();
  try {
    await runMigrationsLocked(dataSource, options.schema);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

export async function runMigrationsLocked(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`shardcast-migrations:${schema}`]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock(hashtext($1))', [`shardcast-migrations:${schema}`])
      .catch(() => undefined);
    await runner.release();
  }
}

export async function ensureSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    await client.end();
  }
}

/** Readiness probe: one round trip, bounded in time. */
export async function pingDatabase(
  dataSource: DataSource | undefined,
  timeoutMs = 2_500,
): Promise<{ up: boolean; detail: string }> {
  if (dataSource === undefined || !dataSource.isInitialized) return { up: false, detail: 'not connected' };
  const query = dataSource.query('SELECT 1 AS ok').then(() => ({ up: true, detail: 'SELECT 1 answered' }));
  const timeout = new Promise<{ up: boolean; detail: string }>((resolve) => {
    setTimeout(() => resolve({ up: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs).unref();
  });
  try {
    return await Promise.race([query, timeout]);
  } catch (error) {
    return { up: false, detail: (error as Error).message };
  } finally {
    query.catch(() => undefined);
  }
}
