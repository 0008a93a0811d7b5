// Stage 1's hot path alone, without Kafka: the built `PartitionLane.rawBytes` over the bench's raw
// events, drained once per simulated flush. For comparing changes to the per-event work quickly; the
// end-to-end figures come from run.mjs.
//
//   npx tsc -b apps/profiler/tsconfig.json
//   node bench/profiler/hot-path.mjs                 # HOT_EVENTS (3000000), HOT_KEYS (100000), HOT_ROUNDS (5)
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profiler/hot-path.mjs
//
// HOT_DIST points at another build of the service (a copy of apps/profiler/dist inside the repo, so
// its packages resolve), to compare two versions on the same machine minutes apart.
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { initialShards } from '@shardcast/contracts';

const dist = pathToFileURL(resolve(process.env.HOT_DIST ?? 'apps/profiler/dist')).href;
const { PartitionLane } = await import(`${dist}/heat/partition-lane.js`);
const { ShardMap } = await import(`${dist}/shard-map/domain/shard-map.js`);

const events = Number(process.env.HOT_EVENTS ?? 3_000_000);
const keys = Number(process.env.HOT_KEYS ?? 100_000);
const rounds = Number(process.env.HOT_ROUNDS ?? 5);
// What one lane takes in between two flushes at the end-to-end rate (three partitions, 1 s flushes).
const perFlush = 150_000;
const perBatch = 5_000;

// The same lines run.mjs produces (1,000 events per ms of event time), as kafkajs hands them over.
const tsMs = Date.now();
const values = [];
for (let n = 0; n < events; n++) {
  const key = `user:${(n * 7919) % keys}`;
  values.push(
    Buffer.from(
      `{"ts":${tsMs + Math.floor(n / 1000)},"key":"${key}","op":"${n % 10 === 0 ? 'write' : 'read'}","bytes":${100 + (n % 900)}}`,
    ),
  );
}

const counter = { inc: () => undefined };
const context = {
  map: ShardMap.initial(initialShards(16)),
  home: () => 0,
  metrics: { rawIngested: counter, rawUnroutable: counter, totals: { rawEvents: 0 } },
};
const heat = { advance: () => undefined };

let offset = 0;
for (let round = 1; round <= rounds; round++) {
  const lane = new PartitionLane(0, undefined, heat, context, {
    rawFloor: offset,
    summaryFloor: 0,
    pending: [],
    outbox: [],
    windowMs: 1000,
    sampleSize: 64,
    topKeyCount: 32,
  });
  let summaries = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let n = 0; n < events; n++) {
    if (!lane.rawBytes(offset++, values[n])) throw new Error(`not read in place: ${values[n]}`);
    if ((n + 1) % perBatch === 0) lane.endBatch();
    if ((n + 1) % perFlush === 0) summaries += lane.cut(0).summaries.length;
  }
  summaries += lane.cut(0).summaries.length;
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuNs = ((cpu.user + cpu.system) * 1000) / events;
  process.stdout.write(
    `round ${round}: ${((ms * 1e6) / events).toFixed(0)} ns/event wall, ${cpuNs.toFixed(0)} ns/event CPU, ${summaries} summaries\n`,
  );
}
