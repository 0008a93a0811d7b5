// The full test suite, as `./shardcast test` and CI run it: typecheck, lint, format, then every unit
// and integration spec in one Vitest run. Integration specs need a real Kafka and Postgres:
// KAFKA_BROKERS / DATABASE_URL when set; else testcontainers when Docker answers; else this
// script starts a private broker (infra/kafka) and an embedded Postgres for the run.
// The last line is `N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const runDir = join(repo, '.run');
const bin = (name) => join(repo, 'node_modules', '.bin', name);
const say = (message) => process.stdout.write(`shardcast test: ${message}\n`);

function run(label, command, args, env = {}) {
  say(label);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repo, stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('exit', (code, signal) => resolve(code === 0 && signal === null));
  });
}

function dockerReachable() {
  const probe = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeout: 10_000,
    encoding: 'utf8',
  });
  return probe.status === 0 && probe.stdout.trim().length > 0;
}

async function provideInfrastructure(cleanups) {
  const env = {};
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) return env;
  // testcontainers provides both or neither: with one of them set, start the other here.
  if (!process.env.KAFKA_BROKERS && !process.env.DATABASE_URL && dockerReachable()) return env;
  if (!process.env.KAFKA_BROKERS) {
    const port = process.env.TEST_KAFKA_PORT ?? '19092';
    const dataDir = join(runDir, 'test-kafka');
    rmSync(dataDir, { recursive: true, force: true });
    const kafkaEnv = { ...process.env, KAFKA_PORT: port, KAFKA_DATA_DIR: dataDir };
    say(`starting a private Kafka broker on 127.0.0.1:${port}`);
    const started = spawnSync(join(repo, 'infra/kafka/kafka.sh'), ['start'], {
      env: kafkaEnv,
      stdio: 'inherit',
    });
    if (started.status !== 0) throw new Error('could not start the test broker (see above)');
    cleanups.push(async () =>
      spawnSync(join(repo, 'infra/kafka/kafka.sh'), ['stop'], { env: kafkaEnv, stdio: 'inherit' }),
    );
    env.KAFKA_BROKERS = `127.0.0.1:${port}`;
  }
  if (!process.env.DATABASE_URL) {
    const port = process.env.TEST_POSTGRES_PORT ?? '15432';
    say(`starting an embedded Postgres on 127.0.0.1:${port}`);
    const postgres = spawn(process.execPath, [join(repo, 'tools/embedded-postgres.mjs')], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        EMBEDDED_POSTGRES_DIR: join(runDir, 'test-postgres'),
        EMBEDDED_POSTGRES_PORT: port,
        EMBEDDED_POSTGRES_PERSISTENT: 'false',
      },
    });
    cleanups.push(async () => {
      if (postgres.exitCode !== null || postgres.signalCode !== null) return;
      const exited = new Promise((resolve) => postgres.once('exit', resolve));
      postgres.kill('SIGTERM');
      await exited;
    });
    await new Promise((resolve, reject) => {
      postgres.stdout.on(
        'data',
        (chunk) => chunk.toString().includes('embedded Postgres ready') && resolve(),
      );
      postgres.once('exit', (code) =>
        reject(new Error(`embedded Postgres exited (${code}) before it was ready`)),
      );
    });
    env.DATABASE_URL = `postgres://postgres:shardcast@127.0.0.1:${port}/postgres`;
  }
  return env;
}

async function main() {
  mkdirSync(runDir, { recursive: true });
  const cleanups = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const check = async (label, command, args, env) => {
    if (await run(label, command, args, env)) passed += 1;
    else {
      failed += 1;
      say(`FAILED: ${label}`);
    }
  };
  try {
    await check('typecheck (build and specs)', process.execPath, [bin('tsc'), '-p', 'tsconfig.spec.json']);
    // The module-boundary rule reads Nx's project graph; compute it first (it would skip otherwise).
    await check('project graph', process.execPath, [bin('nx'), 'show', 'projects'], { NX_DAEMON: 'false' });
    await check('lint', process.execPath, [bin('eslint'), '.', '--max-warnings', '0'], {
      NX_DAEMON: 'false',
    });
    await check('format', process.execPath, [bin('prettier'), '--check', '.', '--log-level', 'warn']);
    const env = await provideInfrastructure(cleanups);
    const report = join(runDir, 'vitest-report.json');
    rmSync(report, { force: true });
    // CI=true: a missing file snapshot (the committed JSON Schemas) fails instead of being written.
    const vitestOk = await run(
      'unit and integration specs',
      process.execPath,
      [bin('vitest'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
      { ...env, CI: 'true' },
    );
    if (existsSync(report)) {
      const failedBefore = failed;
      const results = JSON.parse(readFileSync(report, 'utf8'));
      passed += results.numPassedTests;
      failed += results.numFailedTests;
      skipped += results.numPendingTests + results.numTodoTests;
      // Suites whose hooks failed (their tests then count as skipped) and files that did not
      // load have no failed test to count: each is one more failure.
      failed += results.testResults.filter(
        (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
      ).length;
      // Errors outside any test (unhandled rejections) fail vitest without failing a test.
      if (!vitestOk && failed === failedBefore) {
        failed += 1;
        say('FAILED: vitest exited non-zero (see its output above)');
      }
    } else {
      failed += 1;
      say('FAILED: the test run wrote no report');
    }
  } catch (error) {
    failed += 1;
    say(`FAILED: ${error.message}`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 ? 0 : 1);
}

void main();
