// Profiler bench: end-to-end ingest throughput next to a bare kafkajs consumer, and freshness lag.
//
//   npx tsc -b apps/profiler/tsconfig.json     # the bench runs the built service (apps/profiler/dist)
//   KAFKA_BROKERS=127.0.0.1:9092 DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/profiler/run.mjs
//
// 1. Fills a fresh `access` topic with BENCH_EVENTS raw access events, produced by kcat (librdkafka).
// 2. Baseline: a bare kafkajs consumer process reads them all, doing nothing; messages per second
//    between 10 % and 90 % of them (steady state), and over the whole run.
// 3. Profiler: the real service (node apps/profiler/dist/main.js, its own schema and group) reads the
//    same topic; throughput counts from when every partition is restored and taking events in (the
//    events taken in by then are not counted) until every event is reflected in heat (`accessesApplied`
//    of GET /v1/stats: applied by stage 2, visible to /v1/heatmap). The run holds the last flush's
//    latency once (up to FLUSH_INTERVAL_MS), hence the default of 5,000,000 events. Also printed: both
//    sides' steady-state intake between 10 % and 90 % of the events.
// 4. Freshness: kcat produces BENCH_RATE events/s for BENCH_LAG_SECONDS with ts = now; each event's lag
//    is the time from being handed to kcat to the profiler's applied count passing it (polled every
//    10 ms), so it includes producing, stage 1, the Kafka transaction and stage 2. p50/p99/max printed.
//
// Environment: KAFKA_BROKERS, DATABASE_URL, BENCH_EVENTS (5000000), BENCH_KEYS (100000), BENCH_RATE
// (50000), BENCH_LAG_SECONDS (20), BENCH_PROFILER_ENV (extra env for the profiler, "A=1,B=2"),
// BENCH_PROFILER_NODE_ARGS (node flags for the profiler, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createTopics } from '../../tools/create-topics.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const events = Number(process.env.BENCH_EVENTS ?? 5_000_000);
const keys = Number(process.env.BENCH_KEYS ?? 100_000);
const rate = Number(process.env.BENCH_RATE ?? 50_000);
const lagSeconds = Number(process.env.BENCH_LAG_SECONDS ?? 20);
const extraEnv = Object.fromEntries(
  (process.env.BENCH_PROFILER_ENV ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
// The same fetch sizes for both consumers, so the comparison is about what happens per message.
const FETCH = { maxBytesPerPartition: 2 * 1024 * 1024, maxBytes: 16 * 1024 * 1024, maxWaitTimeInMs: 250 };

// One fetch holds up to ~170,000 of these events, and both sides are timed from their first batch.
if (!(events >= 1_000_000)) {
  process.stderr.write(
    'bench: BENCH_EVENTS must be at least 1000000, or the first fetch is most of the run\n',
  );
  process.exit(2);
}

const id = randomBytes(3).toString('hex');
const prefix = `bench.${id}.`;
const schema = `bench_profiler_${id}`;
const topic = `${prefix}access`;
const log = (message) => process.stdout.write(`bench: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One raw access line for kcat (`key|json`): keys uniform over BENCH_KEYS, 1 write in 10. */
function line(n, tsMs) {
  const key = `user:${(n * 7919) % keys}`;
  return `${key}|{"ts":${tsMs},"key":"${key}","op":"${n % 10 === 0 ? 'write' : 'read'}","bytes":${100 + (n % 900)}}\n`;
}

function kcat() {
  const child = spawn(
    'kcat',
    [
      '-P',
      '-b',
      brokers,
      '-t',
      topic,
      '-K',
      '|',
      '-X',
      'linger.ms=5',
      '-X',
      'batch.num.messages=10000',
      '-X',
      'queue.buffering.max.messages=2000000',
    ],
    {
      stdio: ['pipe', 'inherit', 'inherit'],
    },
  );
  const done = new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited with ${code}`)))),
  );
  return { stdin: child.stdin, done };
}

async function write(stream, text) {
  if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve));
}

async function fill() {
  const producer = kcat();
  const tsMs = Date.now();
  const chunk = 10_000;
  for (let start = 0; start < events; start += chunk) {
    let text = '';
    for (let n = start; n < Math.min(events, start + chunk); n++)
      text += line(n, tsMs + Math.floor(n / 1000));
    await write(producer.stdin, text);
  }
  producer.stdin.end();
  await producer.done;
}

function runBaseline() {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(repo, 'bench/profiler/raw-consumer.mjs'), brokers, topic, String(events), JSON.stringify(FETCH)],
      {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (data) => (out += data));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)))
        : reject(new Error(`baseline exited with ${code}`)),
    );
  });
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startProfiler() {
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_PROFILER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(repo, 'apps/profiler/dist/main.js')], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PORT: String(port),
      KAFKA_BROKERS: brokers,
      DATABASE_URL: databaseUrl,
      TOPIC_PREFIX: prefix,
      DB_SCHEMA: schema,
      LOG_LEVEL: 'warn',
      // The backlog is produced before the profiler starts: its events must not count as late.
      ALLOWED_LATENESS_MS: '600000',
      ...extraEnv,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/health/live`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('the profiler did not start');
}

/** The profiler's own counters (GET /v1/stats: plain numbers, cheap to poll, unlike a /metrics scrape). */
async function stats(url) {
  return (await fetch(`${url}/v1/stats`)).json();
}

/**
 * Polls the profiler until `done(applied)`; returns the samples [ms, applied], the first ingest time
 * (and what it had taken in by then) and the process CPU seconds spent from then to the end.
 */
async function watch(url, done, everyMs) {
  const samples = [];
  let firstIngestMs;
  let firstIngested = 0;
  let firstCpu;
  for (;;) {
    const {
      rawEvents,
      accessesApplied: applied,
      cpuSeconds,
      assignedPartitions,
      restoredPartitions,
    } = await stats(url);
    const now = performance.now();
    // Timed once every partition is restored and taking events in: joining the group and restoring
    // state are start-up, not throughput (the baseline, too, is timed from its first batch).
    const ready = assignedPartitions.length > 0 && restoredPartitions.length === assignedPartitions.length;
    if (rawEvents > 0 && ready && firstIngestMs === undefined) {
      firstIngestMs = now;
      firstCpu = cpuSeconds;
      firstIngested = rawEvents;
    }
    samples.push([now, applied, rawEvents]);
    if (done(applied))
      return { samples, firstIngestMs, firstIngested, cpuSeconds: cpuSeconds - (firstCpu ?? cpuSeconds) };
    await sleep(typeof everyMs === 'function' ? everyMs(applied) : everyMs);
  }
}

/** Produces at `rate`/s for `seconds`, stamping ts = now; returns [ms, produced so far] after each chunk. */
async function steady(seconds) {
  const producer = kcat();
  const marks = [];
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const start = performance.now();
  let produced = 0;
  for (let tick = 0; performance.now() - start < seconds * 1000; tick++) {
    const due = start + tick * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    let text = '';
    const tsMs = Date.now();
    for (let i = 0; i < perTick; i++) text += line(events + produced + i, tsMs);
    await write(producer.stdin, text);
    produced += perTick;
    marks.push([performance.now(), produced]);
  }
  producer.stdin.end();
  await producer.done;
  return marks;
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Lag of every 100th event: first applied-count sample reaching it, minus when it was handed to kcat. */
function lags(marks, samples, base) {
  const result = [];
  let s = 0;
  let m = 0;
  const total = marks.at(-1)[1];
  for (let k = 100; k <= total; k += 100) {
    while (marks[m][1] < k) m++;
    while (s < samples.length && samples[s][1] < base + k) s++;
    if (s === samples.length) break;
    result.push(samples[s][0] - marks[m][0]);
  }
  return result.sort((a, b) => a - b);
}

async function dropSchema() {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

async function deleteTopics() {
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
  await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  await admin.disconnect();
}

let profiler;
try {
  log(
    `broker ${brokers}; ${events.toLocaleString('en')} raw events over ${keys.toLocaleString('en')} keys; topic ${topic}`,
  );
  await createTopics({ brokers, prefix, kvLogPartitions: 1, logWriter: () => undefined });
  const fillStart = performance.now();
  await fill();
  log(`filled with kcat in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

  const baseline = await runBaseline();
  log(
    `raw kafkajs consumer: ${Math.round(baseline.perSecond).toLocaleString('en')} msg/s (${baseline.messages} in ${baseline.seconds.toFixed(2)} s)`,
  );

  profiler = await startProfiler();
  const backlog = await watch(profiler.url, (applied) => applied >= events, 20);
  // Like the baseline, from the first batch taken in (its events not counted) to the last event applied.
  const endMs = backlog.samples.at(-1)[0];
  const profilerSeconds = (endMs - backlog.firstIngestMs) / 1000;
  const profilerRate = (events - backlog.firstIngested) / profilerSeconds;
  log(
    `profiler end to end: ${Math.round(profilerRate).toLocaleString('en')} events/s (all ${events} reflected in heat ${profilerSeconds.toFixed(2)} s after its first batch)`,
  );

  const base = (await stats(profiler.url)).accessesApplied;
  log(`freshness: ${rate.toLocaleString('en')} events/s for ${lagSeconds} s`);
  const watching = watch(profiler.url, (applied) => stopWatching && applied >= base + producedTotal, 10);
  let stopWatching = false;
  let producedTotal = Infinity;
  const marks = await steady(lagSeconds);
  producedTotal = marks.at(-1)[1];
  stopWatching = true;
  const steadyRun = await watching;
  const sorted = lags(marks, steadyRun.samples, base);
  const intervalMs = Number(extraEnv.HEAT_INTERVAL_MS ?? 10_000);
  const p50 = quantile(sorted, 0.5);
  const p99 = quantile(sorted, 0.99);
  const max = sorted.at(-1);

  // Taken in by stage 1 between 10 % and 90 % of the events: the steady-state consuming rate, without
  // the flush latency at either end (heat is applied in steps, one per flush, so it is not used here).
  const crossing = (fraction) => backlog.samples.find(([, , raw]) => raw >= fraction * events)[0];
  const ingestRate = (0.8 * events) / ((crossing(0.9) - crossing(0.1)) / 1000);
  // From the last event taken in by stage 1 to the last one in heat: the final flush and stage 2.
  const tailMs = endMs - crossing(1);
  const ratio = profilerRate / baseline.perSecond;
  const rawPerCpu = baseline.counted / baseline.cpuSeconds;
  const profilerPerCpu = (events - backlog.firstIngested) / backlog.cpuSeconds;
  const rows = [
    ['raw kafkajs consumer', `${Math.round(baseline.perSecond).toLocaleString('en')} msg/s`],
    ['profiler (produced -> reflected in heat)', `${Math.round(profilerRate).toLocaleString('en')} events/s`],
    ['ratio', `${ratio.toFixed(2)}x (target >= 0.70x)`],
    ['last event taken in -> in heat', `${Math.round(tailMs)} ms`],
    [
      'steady state 10-90 %: raw / profiler intake',
      `${Math.round(baseline.steadyPerSecond).toLocaleString('en')} / ${Math.round(ingestRate).toLocaleString('en')} per s (ratio ${(ingestRate / baseline.steadyPerSecond).toFixed(2)}x)`,
    ],
    [
      'per CPU second: raw / profiler',
      `${Math.round(rawPerCpu).toLocaleString('en')} / ${Math.round(profilerPerCpu).toLocaleString('en')} (ratio ${(profilerPerCpu / rawPerCpu).toFixed(2)}x)`,
    ],
    ['load average (1 min) at the end', os.loadavg()[0].toFixed(2)],
    ['profiler >= 100,000 events/s', profilerRate >= 100_000 ? 'yes' : 'NO'],
    [
      `freshness lag at ${rate.toLocaleString('en')}/s`,
      `p50 ${Math.round(p50)} ms, p99 ${Math.round(p99)} ms, max ${Math.round(max)} ms`,
    ],
    ['lag p99 in intervals', `${(p99 / intervalMs).toFixed(3)} of ${intervalMs} ms (target < 2)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(
    `\n${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n\n`,
  );
} finally {
  profiler?.child.kill('SIGTERM');
  if (profiler) await new Promise((resolve) => profiler.child.once('exit', resolve));
  await dropSchema().catch(() => undefined);
  await deleteTopics().catch(() => undefined);
}
