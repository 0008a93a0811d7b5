// The local stack without Docker: a real Kafka broker (KRaft, from Apache Kafka's jars),
// Postgres (DATABASE_URL, else an embedded one), the topics, and every service as a
// supervised process with its log in .run/logs. Started by `./shardcast up`.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const runDir = join(repo, '.run');
const logDir = join(runDir, 'logs');
const stackFile = join(runDir, 'stack.json');
const extraNodesDir = join(runDir, 'extra-nodes');

// The demo replays one trace hour every 10 s: the predictor forecasts at the profiler's
// 10 s heat interval, so each forecast step is one trace hour.
const SERVICES = [
  { name: 'profiler', port: 4001 },
  { name: 'predictor', port: 4002, env: { FORECAST_INTERVAL_MS: '10000', FORECAST_EVERY_MS: '10000' } },
  { name: 'shard-manager', port: 4003 },
  { name: 'restorer', port: 4004 },
];
const STORAGE_NODE_BASE_PORT = 4100;

/** P of kv.log: fixed when the cluster is created; the topic and every node must agree. */
const kvLogPartitions = () => Number(process.env.KV_LOG_PARTITIONS ?? 16);

const say = (message) => process.stdout.write(`shardcast: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function portOpen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`${what} did not come up within ${Math.round(timeoutMs / 1000)} s (logs: ${logDir})`);
}

/** A child process restarted with backoff when it dies unexpectedly. */
class Supervised {
  constructor(name, command, args, env) {
    Object.assign(this, { name, command, args, env, stopping: false, restarts: 0, child: undefined });
  }
  start() {
    const log = openSync(join(logDir, `${this.name}.log`), 'a');
    // Detached: a Ctrl-C in the terminal reaches the supervisor only, which then stops the
    // services before the broker and Postgres, instead of everything dying at once.
    this.child = spawn(this.command, this.args, {
      cwd: repo,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', log, log],
      detached: true,
    });
    closeSync(log);
    this.startedAt = Date.now();
    this.child.once('exit', (code, signal) => {
      if (this.stopping) return;
      // A process that ran a while gets restarted at once; one that keeps dying backs off.
      this.restarts = Date.now() - this.startedAt > 30_000 ? 0 : this.restarts + 1;
      const delay = Math.min(30_000, 1_000 * 2 ** this.restarts);
      say(
        `${this.name} exited (${signal ?? code}); restarting in ${delay / 1000} s — see ${join(logDir, `${this.name}.log`)}`,
      );
      setTimeout(() => this.stopping || this.start(), delay);
    });
    return this;
  }
  async stop(timeoutMs = 15_000) {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

async function startKafka(children) {
  if (process.env.KAFKA_BROKERS) {
    say(`using Kafka at ${process.env.KAFKA_BROKERS}`);
    return process.env.KAFKA_BROKERS;
  }
  const port = Number(process.env.KAFKA_PORT ?? 9092);
  if (await portOpen(port))
    throw new Error(
      `port ${port} is taken: stop what runs there, set KAFKA_PORT, or set KAFKA_BROKERS to use it`,
    );
  // Only this start's log lines count: an old "Kafka Server started" must not pass for this one.
  const kafkaLog = join(logDir, 'kafka.log');
  const logStart = existsSync(kafkaLog) ? statSync(kafkaLog).size : 0;
  const kafka = new Supervised('kafka', join(repo, 'infra/kafka/kafka.sh'), ['run'], {
    KAFKA_PORT: String(port),
    KAFKA_DATA_DIR: join(runDir, 'kafka'),
  }).start();
  children.push(kafka);
  await waitFor(
    'Kafka',
    async () =>
      (await portOpen(port)) &&
      readFileSync(kafkaLog).subarray(logStart).toString('utf8').includes('Kafka Server started'),
    90_000,
  );
  return `127.0.0.1:${port}`;
}

async function startPostgres(children) {
  if (process.env.DATABASE_URL) {
    say('using Postgres at DATABASE_URL');
    return process.env.DATABASE_URL;
  }
  const port = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 5433);
  if (await portOpen(port))
    throw new Error(
      `port ${port} is taken: set EMBEDDED_POSTGRES_PORT, or DATABASE_URL to use that Postgres`,
    );
  const databaseDir = join(runDir, 'postgres');
  children.push(
    new Supervised('postgres', process.execPath, [join(repo, 'tools/embedded-postgres.mjs')], {
      EMBEDDED_POSTGRES_DIR: databaseDir,
      EMBEDDED_POSTGRES_PORT: String(port),
    }).start(),
  );
  await waitFor('embedded Postgres', () => portOpen(port), 120_000);
  say(`embedded Postgres on 127.0.0.1:${port} (data in ${databaseDir})`);
  return `postgres://postgres:shardcast@127.0.0.1:${port}/postgres`;
}

async function createTopics(brokers) {
  const { createTopics: create } = await import('./create-topics.mjs');
  const result = await create({
    brokers,
    prefix: process.env.TOPIC_PREFIX ?? '',
    kvLogPartitions: kvLogPartitions(),
    logWriter: fileWriter('stack.log'),
  });
  say(`topics: ${result.planned} in the plan, ${result.created.length} created`);
}

/** Log lines of the stack's own Kafka clients go to a file, not the operator's terminal. */
function fileWriter(name) {
  const fd = openSync(join(logDir, name), 'a');
  return (line) => writeSync(fd, `${line}\n`);
}

/** `peers` lists every storage-node of the stack; a node is given the others (forwarding, backups). */
function storageNodeEnv(nodeId, port, common, peers) {
  const dir = join(runDir, 'nodes', nodeId);
  return {
    ...common,
    PORT: String(port),
    NODE_ID: nodeId,
    PEERS: peers
      .filter((peer) => peer.nodeId !== nodeId)
      .map((peer) => `${peer.nodeId}=http://127.0.0.1:${peer.port}`)
      .join(','),
    FAST_TIER_DIR: join(dir, 'fast'),
    SLOW_TIER_DIR: join(dir, 'slow'),
    DB_SCHEMA: `storage_node_${nodeId.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`,
  };
}

async function health(port) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3_000) });
    return await response.json();
  } catch {
    return undefined;
  }
}

async function up(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'storage-nodes': { type: 'string', default: '1' },
      'no-demo': { type: 'boolean', default: false },
    },
  });
  const storageNodes = Number(values['storage-nodes']);
  if (!Number.isInteger(storageNodes) || storageNodes < 1 || storageNodes > 9)
    throw new Error('--storage-nodes must be 1..9');
  if (existsSync(stackFile)) {
    const previous = JSON.parse(readFileSync(stackFile, 'utf8'));
    if (isAlive(previous.pid))
      throw new Error(`a stack is already running (pid ${previous.pid}); ./shardcast down stops it`);
  }
  mkdirSync(logDir, { recursive: true });

  const children = [];
  const cleanups = [];
  let stopping = false;
  const stop = async (exitCode) => {
    if (stopping) return;
    stopping = true;
    // No child is restarted from here on, whatever order they exit in.
    for (const child of children) child.stopping = true;
    say('stopping…');
    await stopExtraNodes().catch((e) => say(`extra nodes: ${e.message}`));
    for (const cleanup of cleanups.splice(0).reverse())
      await cleanup().catch((e) => say(`cleanup: ${e.message}`));
    // Services first (they flush and leave their consumer groups), then the broker and Postgres.
    const infrastructure = new Set(['kafka', 'postgres']);
    await Promise.all(children.filter((c) => !infrastructure.has(c.name)).map((c) => c.stop()));
    await Promise.all(children.filter((c) => infrastructure.has(c.name)).map((c) => c.stop(30_000)));
    rmSync(stackFile, { force: true });
    say('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    // Written first, so `./shardcast down` can stop a stack that is still starting.
    writeFileSync(stackFile, JSON.stringify({ pid: process.pid, endpoints: [] }, null, 2));
    const nodePorts = Array.from({ length: storageNodes }, (_, i) => STORAGE_NODE_BASE_PORT + i);
    for (const port of [...SERVICES.map((service) => service.port), ...nodePorts]) {
      if (await portOpen(port)) throw new Error(`port ${port} is taken: stop what runs there first`);
    }
    const kafkaBrokers = await startKafka(children);
    const databaseUrl = await startPostgres(children);
    await createTopics(kafkaBrokers);
    const common = {
      KAFKA_BROKERS: kafkaBrokers,
      DATABASE_URL: databaseUrl,
      KV_LOG_PARTITIONS: String(kvLogPartitions()),
      NODE_ENV: 'production',
    };
    const endpoints = [];
    for (const service of SERVICES) {
      children.push(
        new Supervised(service.name, process.execPath, [`apps/${service.name}/dist/main.js`], {
          ...common,
          ...service.env,
          PORT: String(service.port),
        }).start(),
      );
      endpoints.push({ name: service.name, port: service.port });
    }
    const nodes = Array.from({ length: storageNodes }, (_, i) => ({
      nodeId: `node-${i + 1}`,
      port: STORAGE_NODE_BASE_PORT + i,
    }));
    for (const [i, node] of nodes.entries()) {
      children.push(
        new Supervised(
          `storage-node-${i + 1}`,
          process.execPath,
          ['apps/storage-node/dist/main.js'],
          storageNodeEnv(node.nodeId, node.port, common, nodes),
        ).start(),
      );
      endpoints.push({ name: `storage-node ${node.nodeId}`, nodeId: node.nodeId, port: node.port });
    }
    writeFileSync(
      stackFile,
      JSON.stringify({ pid: process.pid, kafkaBrokers, databaseUrl, endpoints }, null, 2),
    );
    await Promise.all(
      endpoints.map((e) => waitFor(e.name, async () => (await health(e.port))?.status === 'ready', 120_000)),
    );

    say('the stack is up:');
    console.log(`  Kafka         ${kafkaBrokers}`);
    console.log(`  Postgres      ${databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);
    for (const e of endpoints) {
      console.log(`  ${e.name.padEnd(22)} http://127.0.0.1:${e.port}   (/health /metrics /docs)`);
    }
    console.log(`  logs          ${logDir}`);
    if (!values['no-demo']) {
      const { startDemo } = await import('./demo-workload.mjs');
      cleanups.push(
        await startDemo({ kafkaBrokers, say, logWriter: fileWriter('demo.log'), storageNodes: nodes }),
      );
    }
    say('Ctrl-C (or ./shardcast down) stops everything');
  } catch (error) {
    say(`start-up failed: ${error.message}`);
    await stop(1);
  }
}

async function nodeCommand(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: 'string' } },
  });
  const nodeId = positionals[0];
  if (!nodeId || !/^[a-z0-9-]{1,64}$/.test(nodeId))
    throw new Error('usage: ./shardcast node NODE_ID [--port P] (NODE_ID: a-z, 0-9, -)');
  if (!existsSync(stackFile)) throw new Error('no running stack: start one with ./shardcast up');
  const stack = JSON.parse(readFileSync(stackFile, 'utf8'));
  const used = new Set(stack.endpoints.map((e) => e.port));
  let port = Number(values.port ?? STORAGE_NODE_BASE_PORT);
  if (!values.port) while (used.has(port) || (await portOpen(port))) port += 1;
  mkdirSync(logDir, { recursive: true });
  const peers = stack.endpoints.filter((e) => e.nodeId !== undefined).concat([{ nodeId, port }]);
  const env = storageNodeEnv(
    nodeId,
    port,
    {
      KAFKA_BROKERS: stack.kafkaBrokers,
      DATABASE_URL: stack.databaseUrl,
      KV_LOG_PARTITIONS: String(kvLogPartitions()),
    },
    peers,
  );
  say(
    `storage-node ${nodeId} on http://127.0.0.1:${port} (data in ${join(runDir, 'nodes', nodeId)}); Ctrl-C stops it`,
  );
  const child = spawn(process.execPath, ['apps/storage-node/dist/main.js'], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  // Recorded so that `./shardcast down` (or the stack stopping) stops the extra nodes too.
  const pidFile = join(extraNodesDir, `${nodeId}.pid`);
  mkdirSync(extraNodesDir, { recursive: true });
  writeFileSync(pidFile, String(process.pid));
  process.on('SIGINT', () => child.kill('SIGTERM'));
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.once('exit', (code) => {
    rmSync(pidFile, { force: true });
    process.exit(code ?? 0);
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopExtraNodes() {
  if (!existsSync(extraNodesDir)) return;
  for (const file of readdirSync(extraNodesDir).filter((f) => f.endsWith('.pid'))) {
    const pid = Number(readFileSync(join(extraNodesDir, file), 'utf8'));
    if (isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      await waitFor(`storage-node ${file.replace('.pid', '')}`, async () => !isAlive(pid), 30_000);
    }
    rmSync(join(extraNodesDir, file), { force: true });
  }
}

async function down() {
  await stopExtraNodes();
  if (!existsSync(stackFile)) return say('no stack is running');
  const { pid } = JSON.parse(readFileSync(stackFile, 'utf8'));
  if (!isAlive(pid)) {
    rmSync(stackFile, { force: true });
    return say('no stack is running (removed a stale .run/stack.json)');
  }
  process.kill(pid, 'SIGTERM');
  await waitFor('stack shutdown', async () => !isAlive(pid), 90_000);
  say('stopped');
}

async function status() {
  if (!existsSync(stackFile)) return say('no stack is running');
  const stack = JSON.parse(readFileSync(stackFile, 'utf8'));
  for (const e of stack.endpoints) {
    const report = await health(e.port);
    const checks = report
      ? Object.entries(report.checks)
          .map(([n, c]) => `${n} ${c.status}`)
          .join(', ')
      : 'no answer';
    console.log(`${e.name.padEnd(22)} :${e.port}  ${report?.status ?? 'down'}  (${checks})`);
  }
}

const [command, ...argv] = process.argv.slice(2);
const commands = { up, down, status, node: nodeCommand };
if (!commands[command]) {
  console.error(`usage: stack.mjs ${Object.keys(commands).join('|')}`);
  process.exit(2);
}
commands[command](argv).catch((error) => {
  say(error.message);
  process.exit(1);
});
