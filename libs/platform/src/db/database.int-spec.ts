import pg from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, integrationEnv, uniqueName } from '../testing/index.js';
import { openDatabase, pingDatabase, runMigrationsLocked } from './database.js';
import { CreateProcessedEvents1732300000000 } from './processed-events.migration.js';
import { markProcessed } from './processed-events.repository.js';

class CreateWidgets1732300000001 implements MigrationInterface {
  readonly name = 'CreateWidgets1732300000001';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE widget (id int PRIMARY KEY)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE widget');
  }
}

const migrations = [CreateProcessedEvents1732300000000, CreateWidgets1732300000001];

async function tablesIn(url: string, schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    return result.rows.map((r) => r.table_name);
  } finally {
    await client.end();
  }
}

describe('database migrations on a real Postgres', () => {
  const { databaseUrl } = integrationEnv();
  const schema = uniqueName('migrations');

  afterAll(() => dropSchema(databaseUrl, schema));

  it('creates the schema and applies every migration to an empty database, in the service schema only', async () => {
    const dataSource = await openDatabase({ url: databaseUrl, schema, migrations });
    try {
      expect(await tablesIn(databaseUrl, schema)).toEqual(['processed_event', 'schema_migrations', 'widget']);
      expect(await pingDatabase(dataSource)).toEqual({ up: true, detail: 'SELECT 1 answered' });
    } finally {
      await dataSource.destroy();
    }
  });

  it('is idempotent: opening again, even twice at once, applies nothing new', async () => {
    const [a, b] = await Promise.all([
      openDatabase({ url: databaseUrl, schema, migrations }),
      openDatabase({ url: databaseUrl, schema, migrations }),
    ]);
    try {
      expect(await runMigrationsLocked(a, schema)).toEqual([]);
      const applied: { name: string }[] = await a.query('SELECT name FROM schema_migrations ORDER BY id');
      expect(applied.map((m) => m.name)).toEqual(migrations.map((M) => new M().name));
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });

  it('dedupes events by id inside a transaction', async () => {
    const dataSource = await openDatabase({ url: databaseUrl, schema, migrations });
    try {
      const first = await dataSource.transaction((m) => markProcessed(m, 'heat', 'e-1'));
      const again = await dataSource.transaction((m) => markProcessed(m, 'heat', 'e-1'));
      expect([first, again]).toEqual([true, false]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('reports a database that is not there as down, with the reason', async () => {
    expect(await pingDatabase(undefined)).toEqual({ up: false, detail: 'not connected' });
    await expect(
      openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', schema, migrations }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
